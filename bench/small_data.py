#!/usr/bin/env python3
"""Small data with the shipped defaults: do our solvers train iris as well as MNIST?

Tried as a new user would: `conf/local.conf` (the digits job) with `data.path` pointed at each data set
and `model.solver` set, nothing else tuned; hidden units 64 (local.conf's). For each data set and seed
it runs `submit/idl train` with `solver = gradient` and with `solver = bcd`, and scikit-learn's
`MLPClassifier` (64 hidden units, its defaults: Adam, batches of min(200, m), at most 200 epochs, stop on
the training loss) on the same split. Test accuracy of the true model; training seconds.

Data sets (written to bench/data/small/ on first use, from what ships with Debian's python3-sklearn and
from bench/data's MNIST and Fashion-MNIST):
  iris (150 points, 4 features), wine (178, 13), breast_cancer (569, 30), digits (1,797, 64): the job
  holds out 25% as the test set (stratified, data.splitSeed = 0); the first 1,000 and 5,000 MNIST
  training images and the first 5,000 of Fashion-MNIST, tested on the official 10,000.
  Tabular sets of 846 to 58,000 rows from R's mlbench (Debian's r-cran-mlbench; exported with Rscript on
  first use), the job holding out 25% as above: vehicle (846, 18 features, 4 classes), vowel (990, 10, 11),
  dna (3,186, 180 binary, 3), satellite (6,435, 36, 6), letter (20,000, 16, 26), shuttle (58,000, 9, 7).
  They are not in the default --sets.

Methods (--methods): gradient, bcd, sklearn as above; gradient-20 and gradient-50 set model.gradientIter
(50, the default since 2026-12-02, was 20 before); gradient-stop holds 10% of the training rows out and stops
once their loss has not improved for 10 rounds (at most 200); gradient-stop-acc the same on their accuracy (ties
going to the lower loss), gradient-stop-acc-20 after 20 rounds without a better accuracy.

  /usr/bin/python3 bench/small_data.py [--seeds 0,1,2] [--sets iris,wine,...] [--methods ...] [--tag=-x] [--reuse]

Writes bench/results/small/small-data<tag>.{md,json}; runs go to bench/results/runs/small<tag>/.
"""
import argparse
import datetime
import json
import os
import statistics
import struct
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "peers"))
from compare import submit_train  # noqa: E402
from datasets import load_average, machine  # noqa: E402

DATA = os.path.join(HERE, "data", "small")
SKLEARN = {"iris": "load_iris", "wine": "load_wine", "breast_cancer": "load_breast_cancer"}
SUBSETS = {"mnist-1000": ("mnist", 1000), "mnist-5000": ("mnist", 5000), "fashion-5000": ("fashion-mnist", 5000)}
ALL = ["iris", "wine", "breast_cancer", "digits", "mnist-1000", "mnist-5000", "fashion-5000"]
# mlbench's name of each tabular set and of its class column.
MLBENCH = {"vehicle": ("Vehicle", "Class"), "vowel": ("Vowel", "Class"), "dna": ("DNA", "Class"),
           "satellite": ("Satellite", "classes"), "letter": ("LetterRecognition", "lettr"),
           "shuttle": ("Shuttle", "Class")}
METHODS = {"gradient": ["model.solver=gradient"], "bcd": ["model.solver=bcd"],
           "gradient-20": ["model.solver=gradient", "model.gradientIter=20"],
           "gradient-50": ["model.solver=gradient", "model.gradientIter=50"],
           "gradient-stop": ["model.solver=gradient", "model.gradientIter=200", "data.validationFraction=0.1",
                             "model.earlyStoppingRounds=10"],
           "gradient-stop-acc": ["model.solver=gradient", "model.gradientIter=200", "data.validationFraction=0.1",
                                 "model.earlyStoppingRounds=10", "model.earlyStoppingMetric=accuracy"],
           "gradient-stop-acc-20": ["model.solver=gradient", "model.gradientIter=200", "data.validationFraction=0.1",
                                    "model.earlyStoppingRounds=20", "model.earlyStoppingMetric=accuracy"],
           "sklearn": None}
# The gradient solver's rounds unless set (GradientConfig.DEFAULT_ROUNDS; 20 before 2026-12-02).
DEFAULT_GRADIENT_ROUNDS = 50


def planned_rounds(method):
    """The rounds a job run of `method` takes, or None when it may stop early or is not the gradient solver."""
    sets = dict(s.split("=", 1) for s in METHODS[method])
    if sets.get("model.solver") != "gradient" or "model.earlyStoppingRounds" in sets:
        return None
    return int(sets.get("model.gradientIter", DEFAULT_GRADIENT_ROUNDS))
HIDDEN = 64
TEST_FRACTION = 0.25


def write_csv(path, x, y):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        for row, label in zip(x, y):
            f.write(",".join(repr(float(v)) if isinstance(v, float) else str(v) for v in row.tolist())
                    + ",%d\n" % label)
    os.replace(tmp, path)


def idx(images, labels, count=None):
    with open(images, "rb") as f:
        _, n, rows, cols = struct.unpack(">IIII", f.read(16))
        x = np.frombuffer(f.read(), np.uint8).reshape(n, rows * cols)
    with open(labels, "rb") as f:
        f.read(8)
        y = np.frombuffer(f.read(), np.uint8)
    return (x, y) if count is None else (x[:count], y[:count])


def data_set(name):
    """(training csv, test csv or None): the job's files for `name`, written on first use."""
    os.makedirs(DATA, exist_ok=True)
    if name == "digits":
        return os.path.join(ROOT, "data", "digits", "digits.csv.gz"), None
    if name in MLBENCH:
        path = os.path.join(DATA, name + ".csv")
        if not os.path.exists(path):
            mlbench(name, path)  # main() checked that R's mlbench is there
        return path, None
    if name in SKLEARN:
        path = os.path.join(DATA, name + ".csv")
        if not os.path.exists(path):
            import sklearn.datasets
            d = getattr(sklearn.datasets, SKLEARN[name])()
            write_csv(path, d.data, d.target)
        return path, None
    source, count = SUBSETS[name]
    raw = os.path.join(HERE, "data", source)
    train = os.path.join(DATA, "%s-%d.csv" % (source, count))
    test = os.path.join(DATA, "%s-test.csv" % source)
    if not os.path.exists(train):
        write_csv(train, *idx(os.path.join(raw, "train-images-idx3-ubyte"), os.path.join(raw, "train-labels-idx1-ubyte"),
                              count))
    if not os.path.exists(test):
        write_csv(test, *idx(os.path.join(raw, "t10k-images-idx3-ubyte"), os.path.join(raw, "t10k-labels-idx1-ubyte")))
    return train, test


def mlbench(name, path):
    """Writes mlbench's data set: each feature as a number (a factor by its label when the labels are numbers,
    as DNA's 0/1 bases, else by its level's index), then the class index (0-based, in the factor's level order)."""
    import subprocess
    data, label = MLBENCH[name]
    script = ('suppressMessages(library(mlbench)); data(%s); d <- %s; y <- as.integer(d[["%s"]]) - 1L; d[["%s"]] <- NULL; '
              'num <- function(c) { if (!is.factor(c)) return(as.numeric(c)); '
              'v <- suppressWarnings(as.numeric(as.character(c))); if (anyNA(v)) as.numeric(c) else v }; '
              'x <- sapply(d, num); if (anyNA(x) || anyNA(y)) stop("missing values in %s"); '
              'out <- commandArgs(trailingOnly = TRUE)[1]; '
              'write.table(cbind(x, y), out, sep = ",", row.names = FALSE, col.names = FALSE)'
              % (data, data, label, label, data))
    subprocess.run(["Rscript", "-e", script, path + ".tmp"], check=True)
    os.replace(path + ".tmp", path)


def require_mlbench():
    """Exits with what to install unless Rscript can load mlbench: before any run, not halfway through."""
    import shutil
    import subprocess
    if shutil.which("Rscript") is None or subprocess.run(
            ["Rscript", "-e", 'quit(status = !requireNamespace("mlbench", quietly = TRUE))']).returncode != 0:
        sys.exit("the tabular sets come from R's mlbench: apt-get install r-cran-mlbench")


def ours(name, method, seed, runs, reuse):
    """The job's test accuracy and training seconds; with `reuse`, from an earlier run's metrics.json if there is one
    (then "reused" is True)."""
    train, test = data_set(name)
    sets = ["data.path=" + train, "data.format=csv-label-last", "model.seed=%d" % seed,
            "model.hiddenSize=%d" % HIDDEN] + METHODS[method]
    if test:
        sets.append("data.testPath=" + test)
    out = os.path.join(runs, "%s-%s-seed%d" % (name, method, seed))
    reused = reuse and os.path.exists(os.path.join(out, "metrics.json"))
    if reused:
        with open(os.path.join(out, "metrics.json")) as f:
            rounds = len(json.load(f)["roundSeconds"])
        planned = planned_rounds(method)
        if planned is not None and rounds != planned:
            # A run of another default (20 rounds before 2026-12-02) is not this method's.
            print("%s: %d rounds, not %d: run again" % (out, rounds, planned), flush=True)
            reused = False
    if not reused:
        submit_train(["--conf", "conf/local.conf"], sets, out)
    with open(os.path.join(out, "metrics.json")) as f:
        m = json.load(f)
    return {"accuracy": m["testMetrics"]["accuracy"], "seconds": m["trainingSeconds"], "rounds": len(m["roundSeconds"]),
            "training_points": m["trainMetrics"]["count"], "test_points": m["testMetrics"]["count"], "reused": reused}


def sklearn_mlp(name, seed):
    """MLPClassifier, standardised as the job does; where the job holds out 25% (stratified), scikit-learn's own
    stratified split of the same share: not the same rows, the same sizes to a point."""
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler
    import warnings
    train, test = data_set(name)
    a = np.loadtxt(train, delimiter=",")
    x, y = a[:, :-1], a[:, -1].astype(int)
    if test:
        b = np.loadtxt(test, delimiter=",")
        xtr, ytr, xte, yte = x, y, b[:, :-1], b[:, -1].astype(int)
    else:
        xtr, xte, ytr, yte = train_test_split(x, y, test_size=TEST_FRACTION, random_state=0, stratify=y)
    scaler = StandardScaler().fit(xtr)
    start = time.time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "did not converge in 200 iterations" on the smallest sets
        mlp = MLPClassifier(hidden_layer_sizes=(HIDDEN,), random_state=seed).fit(scaler.transform(xtr), ytr)
    seconds = time.time() - start
    return {"accuracy": mlp.score(scaler.transform(xte), yte), "seconds": seconds, "rounds": mlp.n_iter_}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--sets", default=",".join(ALL))
    ap.add_argument("--methods", default="gradient,bcd,sklearn", help="some of " + ",".join(METHODS))
    ap.add_argument("--tag", default="")
    ap.add_argument("--reuse", action="store_true", help="keep job runs that have a metrics.json")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    names = args.sets.split(",")
    methods = args.methods.split(",")
    for m in methods:
        if m not in METHODS:
            ap.error("unknown method %s; expected some of %s" % (m, ",".join(METHODS)))
    for n in names:
        if n not in ALL and n not in MLBENCH:
            ap.error("unknown data set %s; expected some of %s" % (n, ",".join(ALL + list(MLBENCH))))
        if n in SUBSETS:
            raw = os.path.join(HERE, "data", SUBSETS[n][0], "train-images-idx3-ubyte")
            if not os.path.exists(raw):
                ap.error("%s needs %s: run bench/data/fetch.sh first" % (n, raw))
    if any(n in MLBENCH and not os.path.exists(os.path.join(DATA, n + ".csv")) for n in names):
        require_mlbench()
    if not args.tag and (names != ALL or args.seeds != "0,1,2" or args.methods != "gradient,bcd,sklearn"):
        ap.error("a run of other data sets, seeds or methods needs --tag=-x, so as not to overwrite small-data.md")
    runs = os.path.join(HERE, "results", "runs", "small" + args.tag)
    os.makedirs(runs, exist_ok=True)
    started = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    load_start = load_average()
    results = {}
    for name in names:
        for seed in seeds:
            for method in methods:
                r = sklearn_mlp(name, seed) if method == "sklearn" else ours(name, method, seed, runs, args.reuse)
                results.setdefault(name, {}).setdefault(method, []).append(dict(r, seed=seed))
                print(name, method, "seed", seed, r, flush=True)
    labels = {"gradient": "gradient", "bcd": "bcd", "gradient-20": "gradient, 20 rounds", "gradient-50": "gradient, 50 rounds",
              "gradient-stop": "gradient, 10% held out, stop after 10 rounds without progress (at most 200)",
              "gradient-stop-acc": "gradient, 10% held out, stop after 10 rounds without a better accuracy (at most 200)",
              "gradient-stop-acc-20": "gradient, 10% held out, stop after 20 rounds without a better accuracy (at most 200)",
              "sklearn": "scikit-learn MLPClassifier"}
    header = ("| data set | training / test points | %s |\n" % " | ".join(
        labels[m] + (": mean test accuracy (per seed; mean training s)" if i == 0 else "")
        for i, m in enumerate(methods)) + "|---|---|" + "---|" * len(methods) + "\n")
    rows = []
    for name in names:
        cells = []
        means = {m: statistics.mean(r["accuracy"] for r in results[name][m]) for m in methods}
        for method, mean in means.items():
            rs = results[name][method]
            accs = " / ".join("%.2f" % (100 * r["accuracy"]) for r in rs)
            cell = "%.2f%%" % (100 * mean)
            cells.append("%s (%s; %.1f s)" % ("**%s**" % cell if mean == max(means.values()) else cell, accs,
                                              statistics.mean(r["seconds"] for r in rs)))
        job = next((results[name][m][0] for m in methods if m != "sklearn"), None)
        points = "%d / %d" % (job["training_points"], job["test_points"]) if job else "(a job's split)"
        rows.append("| %s | %s | %s |" % (name, points, " | ".join(cells)))
    table = header + "\n".join(rows) + "\n"
    os.makedirs(os.path.join(HERE, "results", "small"), exist_ok=True)
    base = os.path.join(HERE, "results", "small", "small-data" + args.tag)
    with open(base + ".md", "w") as f:
        reused = any(r.get("reused") for by in results.values() for rs in by.values() for r in rs)
        f.write("small data, methods %s (`bench/small_data.py`), seeds %s, %s%s, %s, load average %s -> %s\n\n"
                % (args.methods, args.seeds, started, " (job runs reused from an earlier sitting)" if reused else "",
                   machine(), load_start, load_average()))
        f.write(table)
    with open(base + ".json", "w") as f:
        json.dump({"started": started, "seeds": seeds, "hidden": HIDDEN, "results": results, "machine": machine()}, f,
                  indent=1)
    print(table)


if __name__ == "__main__":
    main()
