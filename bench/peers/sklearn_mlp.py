#!/usr/bin/python3
"""Peer: scikit-learn's MLPClassifier with one hidden layer of n ReLU units, Adam, on the same
data, split and preprocessing as the Spark trainer.

scikit-learn's defaults (1.2): hidden_layer_sizes=(n,), activation="relu", solver="adam",
alpha=1e-4 (L2), batch_size="auto" (= min(200, m)), learning_rate_init=1e-3, beta_1=0.9,
beta_2=0.999, epsilon=1e-8, shuffle=True, tol=1e-4, n_iter_no_change=10, max_iter=200, no early
stopping; random_state = --seed. n = 64 for digits, 100 for mnist/fashion.

Training is one `partial_fit` per epoch (one shuffled pass with the same Adam state, exactly
the loop of `fit`), so test accuracy can be measured after every epoch and the training time
summed without it. random_state is np.random.RandomState(seed), so the shuffles follow one
stream as in `fit` (an int would be re-seeded by every partial_fit call: the same order every
epoch); checked on digits: same number of epochs and same test accuracy as `fit` (the weights
differ slightly: `fit` re-shuffles the previous permutation, partial_fit a fresh arange; same
law). `fit`'s own stopping rule is kept: stop when the training loss has not
improved by tol for more than n_iter_no_change epochs (sklearn's `_no_improvement_count`), or at
max_iter epochs; --epochs caps the epochs further to bound the wall time (default per data
set: 200 digits, 60 mnist-10k, 80 full mnist/fashion). Features are float64 (what the
standardisation yields); numpy's BLAS is OpenBLAS (pthreads, all cores).

    /usr/bin/python3 bench/peers/sklearn_mlp.py --dataset mnist --out bench/results/peers/mnist-sklearn_mlp.json
"""
import os
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datasets  # noqa: E402

HIDDEN = {"digits": 64, "mnist": 100, "fashion": 100}


def default_epochs(dataset, m):
    if dataset == "digits":
        return 200
    return 60 if m <= 10000 else 80


def log_loss(proba, y):
    return float(-np.mean(np.log(np.clip(proba[np.arange(len(y)), y], 1e-15, None))))


def main():
    ap = datasets.argument_parser(__doc__, "n (64 digits, 100 mnist/fashion)")
    ap.add_argument("--epochs", type=int, help="cap on epochs (200 digits, 60 mnist-10k, 80 full)")
    ap.add_argument("--lr", type=float, default=1e-3, help="learning_rate_init [1e-3, sklearn's]")
    ap.add_argument("--batch-size", default="auto", help="batch_size [auto = min(200, m)]")
    ap.add_argument("--alpha", type=float, default=1e-4, help="L2 penalty [1e-4, sklearn's]")
    ap.add_argument("--no-stopping-rule", action="store_true",
                    help="run all --epochs, ignoring fit's n_iter_no_change rule")
    ap.add_argument("--seed", type=int, default=0)
    datasets.add_data_options(ap)
    ap.add_argument("--out", help="JSON results file")
    args = ap.parse_args()

    load_start = datasets.load_average()
    Xtr, ytr, Xte, yte, info = datasets.load_args(args)
    m = Xtr.shape[0]
    if args.hidden is None:
        args.hidden = HIDDEN[args.dataset]
    if args.epochs is None:
        args.epochs = default_epochs(args.dataset, m)
    batch = args.batch_size if args.batch_size == "auto" else int(args.batch_size)
    sub = datasets.train_eval_indices(m)
    Xsub, ysub = Xtr[sub], ytr[sub]

    clf = MLPClassifier(hidden_layer_sizes=(args.hidden,), activation="relu", solver="adam",
                        alpha=args.alpha, batch_size=batch, learning_rate_init=args.lr,
                        max_iter=200, shuffle=True,
                        # an RNG instance, not an int: partial_fit re-seeds an int every call,
                        # which would repeat the same shuffling order every epoch
                        random_state=np.random.RandomState(args.seed))
    classes = np.arange(info["classes"])
    config = {k: v for k, v in vars(args).items() if k != "out"}
    params = {k: v for k, v in clf.get_params().items() if k != "random_state"}
    params["random_state"] = f"np.random.RandomState({args.seed})"
    config.update(sklearn=sklearn.__version__, params=params, dtype="float64",
                  train_metrics_on=f"{len(sub)} training points (datasets.train_eval_indices)",
                  training="one partial_fit per epoch; fit's stopping rule "
                           + ("ignored" if args.no_stopping_rule else "kept"))

    curve = []
    train_seconds = 0.0
    stopped = None
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.partial_fit(Xtr, ytr, classes=classes)
        epoch_seconds = time.perf_counter() - t0
        train_seconds += epoch_seconds

        t1 = time.perf_counter()
        pte = clf.predict_proba(Xte)
        psub = clf.predict_proba(Xsub)
        eval_seconds = time.perf_counter() - t1
        rec = datasets.epoch_record(
            epoch, train_seconds, epoch_seconds, eval_seconds,
            (float(np.mean(pte.argmax(1) == yte)), log_loss(pte, yte)),
            (float(np.mean(psub.argmax(1) == ysub)), log_loss(psub, ysub)),
            train_batch_loss=float(clf.loss_))  # sklearn's epoch loss, incl. the L2 term
        curve.append(rec)
        print(f"epoch {epoch:3d}  train {train_seconds:7.1f}s (+{epoch_seconds:.1f})  test acc "
              f"{100 * rec['test_accuracy']:.2f} loss {rec['test_loss']:.4f}  train acc "
              f"{100 * rec['train_accuracy']:.2f} loss {rec['train_loss']:.4f}  eval {eval_seconds:.1f}s  "
              f"load {rec['load_average'][0]:.2f}", file=sys.stderr, flush=True)
        if not args.no_stopping_rule and clf._no_improvement_count > clf.n_iter_no_change:
            stopped = (f"fit's rule: training loss not improved by tol={clf.tol} for more than "
                       f"{clf.n_iter_no_change} epochs")
            print(f"stopping at epoch {epoch}: {stopped}", file=sys.stderr)
            break
    datasets.write_results(args.out, "sklearn_mlp", config, info, curve, load_start,
                           extra={"stopped": stopped or "epoch cap"})


if __name__ == "__main__":
    main()
