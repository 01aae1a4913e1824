#!/usr/bin/python3
"""Our trainer's solvers against the peers on one data set: test accuracy, training time, time to
reach the peers' best accuracy, as a markdown table, a JSON file and a PNG figure.

Runs `submit/idl train` (Spark local mode, all cores) once per solver, reads each run's
metrics.json, and puts the curves next to the peers' results in bench/results/peers/ (written by
bench/peers/*.py and the Spark MLlib peer). Every method uses the same split and standardisation.

  /usr/bin/python3 bench/compare.py mnist                 # runs every solver, then compares
  /usr/bin/python3 bench/compare.py mnist --reuse         # compares the runs already there
  /usr/bin/python3 bench/compare.py digits --solvers gradient,hybrid --set model.gradientIter=30

Training time of our runs: the job's set-up passes (setUpSeconds) and its rounds, less the seconds
it spent measuring the test set after every round, which the peers do not count either, and without
the final measurement of the model on every training point after the last round. JVM start and data loading are left out on both sides and reported apart (the job's
dataSeconds: building and caching the blocks from the rows; before 2026-12-01 that fell inside
trainingSeconds, 1 to 12 s on MNIST depending on the machine).
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "peers"))
from datasets import load_average, machine  # noqa: E402

CONFS = {
    "digits": ["--conf", "conf/local.conf", "--set", "data.path=bench/data/digits/train.csv",
               "--set", "data.testPath=bench/data/digits/test.csv",
               # the gradient settings of the PyTorch peer's digits preset
               "--set", "model.batchSize=64", "--set", "model.gradientIter=60"],
    # 10 BCD rounds (bcd, and hybrid before its gradient rounds): a BCD round is four passes.
    "mnist": ["--conf", "conf/mnist.conf", "--set", "model.maxIter=10"],
    "fashion": ["--conf", "conf/fashion-mnist.conf", "--set", "model.maxIter=10"],
}
HIDDEN = {"digits": 64, "mnist": 100, "fashion": 100}
# Solvers with a conf file of their own, used instead of the data set's above.
OWN_CONFS = {("mnist", "bcd-minibatch"): "conf/mnist-bcd.conf", ("fashion", "bcd-minibatch"): "conf/fashion-mnist-bcd.conf"}
# Each solver as a job configuration: --set overrides on top of the data set's conf file.
SOLVERS = {
    "bcd": ["model.solver=bcd", "model.schedule=recipe"],
    "bcd-paper": ["model.solver=bcd", "model.schedule=paper"],
    "bcd-minibatch": ["model.solver=bcd", "model.schedule=minibatch"],
    "gradient": ["model.solver=gradient"],
    "hybrid": ["model.solver=hybrid"],
}
# Result files of the peers (bench/peers/*.py, bench/perf/run mlp), by data set.
PEERS = {"torch_implicit": ["%s-torch_implicit.json"],
         "torch_implicit cosine": ["%s-torch_implicit-cosine.json"], "sklearn_mlp": ["%s-sklearn_mlp.json"],
         "spark_mlp": ["%s-spark-mlp.json", "%s-mnist-spark-mlp.json"]}


def summary_of(curve):
    """Best test accuracy, when it was first reached, and the totals, for any method's curve."""
    best = max(r["test_accuracy"] for r in curve)
    first = next(r for r in curve if r["test_accuracy"] == best)
    last = curve[-1]
    return {"best_test_accuracy": best, "seconds_to_best": first["train_seconds"],
            "epochs": last.get("epoch", last.get("iterations")),
            "total_train_seconds": max(r["train_seconds"] for r in curve),
            "final_test_accuracy": last["test_accuracy"]}


def submit_train(args, sets, out):
    """Runs `submit/idl train ARGS --set S... --out OUT` without the HTML report; returns its wall seconds."""
    cmd = [os.path.join(ROOT, "submit", "idl"), "train"] + args
    for s in sets:
        cmd += ["--set", s]
    # The test set after every round: the curves need it (the job measures it every 5 by default).
    cmd += ["--set", "job.report=false", "--set", "job.testEvery=1", "--out", out, "--overwrite"]
    env = dict(os.environ)
    # One BLAS thread per task: Spark already runs one task per core.
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    print("$", " ".join(cmd), flush=True)
    start = time.time()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)
    return time.time() - start


def run_job(dataset, solver, out, extra_sets):
    own = OWN_CONFS.get((dataset, solver))
    args = ["--conf", own] if own else CONFS[dataset]
    return submit_train(args, SOLVERS[solver] + ["model.hiddenSize=%d" % HIDDEN[dataset]] + extra_sets, out)


def curve_of(metrics):
    """Per round: training seconds so far (test-set measurement excluded) and the true model's accuracy.

    The set-up before round 1 counts; the final measurement after the last round does not (it measures
    the model on every training point, and a run stopped at an earlier round would not have had it
    before that round). Jobs from before 2026-12-01 evening did not record setUpSeconds: for them the
    set-up is all of the time outside the rounds, the final measurement included, less every round's
    test measurement (as compare.py counted before; at least 0).
    """
    rounds = metrics["roundSeconds"]
    validation = metrics["roundTimeSplit"]["validationSeconds"]
    curve = []
    if "setUpSeconds" in metrics:
        elapsed = metrics["setUpSeconds"]
    else:
        elapsed = max(0.0, metrics["trainingSeconds"] - sum(rounds) - sum(validation))
    for i, seconds in enumerate(rounds):
        elapsed += seconds - validation[i]
        curve.append({"epoch": i + 1, "train_seconds": elapsed,
                      "test_accuracy": metrics["testAccuracyHistory"][i],
                      "test_loss": metrics["testLossHistory"][i],
                      "train_accuracy": metrics["trainAccuracyHistory"][i],
                      "train_loss": metrics["trainLossHistory"][i]})
    return curve


def time_to(curve, accuracy):
    for r in curve:
        if r["test_accuracy"] >= accuracy:
            return r["train_seconds"]
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset", choices=sorted(CONFS))
    ap.add_argument("--solvers", default="bcd,bcd-paper,bcd-minibatch,gradient,hybrid")
    ap.add_argument("--reuse", action="store_true", help="use the runs already in bench/results/runs/")
    ap.add_argument("--set", action="append", default=[], help="extra job setting key=value, for every solver")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "compare"))
    args = ap.parse_args()

    methods = {}
    load_start = load_average()
    for solver in args.solvers.split(","):
        if solver not in SOLVERS:
            ap.error("unknown solver %r; expected one of %s" % (solver, ", ".join(SOLVERS)))
        out = os.path.join(HERE, "results", "runs", "%s-%s" % (args.dataset, solver))
        wall = None
        if not (args.reuse and os.path.exists(os.path.join(out, "metrics.json"))):
            wall = run_job(args.dataset, solver, out, args.set)
        with open(os.path.join(out, "metrics.json")) as f:
            metrics = json.load(f)
        curve = curve_of(metrics)
        methods["idl " + solver] = {"curve": curve, "summary": summary_of(curve), "job_wall_seconds": wall,
                                    "data_seconds": metrics.get("dataSeconds"),
                                    "configuration": metrics.get("configuration")}
    for peer, names in PEERS.items():
        paths = [os.path.join(HERE, "results", "peers", name % args.dataset) for name in names]
        path = next((p for p in paths if os.path.exists(p)), None)
        if path:
            with open(path) as f:
                doc = json.load(f)
            methods[peer] = {"curve": doc["curve"], "summary": summary_of(doc["curve"]), "config": doc.get("config"),
                             "load_average": [doc.get("load_average_start"), doc.get("load_average_end")]}
        else:
            print("(no %s results at %s)" % (peer, paths[0]))

    # The bar: the PyTorch run (constant or cosine step size) with the best test accuracy.
    torches = [name for name in methods if name.startswith("torch_implicit")]
    torch_name = max(torches, key=lambda n: methods[n]["summary"]["best_test_accuracy"]) if torches else None
    torch = methods.get(torch_name)
    bar = torch["summary"]["best_test_accuracy"] if torch else None
    bar_seconds = torch["summary"]["seconds_to_best"] if torch else None
    lines = ["| method | best test acc %% | train s to best | rounds/epochs | train s total | %s | vs torch |"
             % ("s to %s's best (%.2f%%)" % (torch_name, 100 * bar) if bar else "s to torch's best (no torch results)"),
             "|---|---|---|---|---|---|---|"]
    for name, m in methods.items():
        s = m["summary"]
        reach = time_to(m["curve"], bar) if bar else None
        ratio = "%.2fx" % (reach / bar_seconds) if reach and bar_seconds else "never" if bar else ""
        lines.append("| %s | %.2f | %.1f | %d | %.1f | %s | %s |" % (
            name, 100 * s["best_test_accuracy"], s["seconds_to_best"], s["epochs"], s["total_train_seconds"],
            "%.1f" % reach if reach else "not reached" if bar else "n/a", ratio))
    table = "\n".join(lines)
    print()
    print(table)

    os.makedirs(args.out, exist_ok=True)
    doc = {"dataset": args.dataset, "machine": machine(), "load_average_start": load_start,
           "load_average_end": load_average(), "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
           "torch_reference": torch_name, "torch_best": bar, "torch_seconds_to_best": bar_seconds, "methods": methods, "table": table}
    with open(os.path.join(args.out, args.dataset + ".json"), "w") as f:
        json.dump(doc, f, indent=1)
    with open(os.path.join(args.out, args.dataset + ".md"), "w") as f:
        f.write("%s, %s, load average %s -> %s\n\n%s\n" % (args.dataset, doc["finished"], load_start,
                                                          doc["load_average_end"], table))
    plot(methods, args.dataset, os.path.join(args.out, args.dataset + ".png"))


def plot(methods, dataset, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, m in methods.items():
        xs = [r["train_seconds"] for r in m["curve"]]
        ys = [100 * r["test_accuracy"] for r in m["curve"]]
        ax.plot(xs, ys, marker="o", markersize=3, label=name)
    ax.set_xlabel("training seconds")
    ax.set_ylabel("test accuracy %")
    ax.set_title("%s: test accuracy of the true model against training time" % dataset)
    best = max(max(r["test_accuracy"] for r in m["curve"]) for m in methods.values())
    ax.set_ylim(max(0, 100 * best - 6), 100 * best + 0.5)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print("wrote", path)


if __name__ == "__main__":
    main()
