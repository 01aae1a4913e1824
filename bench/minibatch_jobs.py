#!/usr/bin/python3
"""The minibatch BCD schedule's variants through the real job, against the gradient solver in the
same sitting: for each variant and seed, the true model's test accuracy and the training seconds
after every epoch, the first epoch at the target (97.0% on MNIST, 87.5% on Fashion-MNIST), the
seconds to it, and their ratio to the gradient solver's seconds to the same accuracy with the same
seed. This is issue 13's bar measured as the issue states it (through `submit/idl`, this machine),
with the variants around the shipped configuration beside it.

  /usr/bin/python3 bench/minibatch_jobs.py mnist            # all MNIST variants, seeds shipped, 1, 2
  /usr/bin/python3 bench/minibatch_jobs.py fashion --variants gradient,shipped --seeds shipped
  /usr/bin/python3 bench/minibatch_jobs.py mnist --reuse    # the table again from the runs there

Writes bench/results/minibatch/jobs-<data><tag>.{md,json}; the job runs go to
bench/results/runs/minibatch-jobs<tag>/ (so --reuse with the same --tag tables the same sitting; a
tag that starts with '-' is given as --tag=-sitting1). Each run is `submit/idl train` with the
variant's --set overrides (one BLAS thread per task, as bench/compare.py runs them); training
seconds as in bench/compare.py (the set-up passes counted, the test-set measurement not). Run it
alone: a build or a helper beside it inflates the seconds.
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from compare import curve_of, submit_train, time_to  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "peers"))
from datasets import load_average, machine  # noqa: E402

TARGET = {"mnist": 0.97, "fashion": 0.875}
GRADIENT_CONF = {"mnist": "conf/mnist.conf", "fashion": "conf/fashion-mnist.conf"}
BCD_CONF = {"mnist": "conf/mnist-bcd.conf", "fashion": "conf/fashion-mnist-bcd.conf"}
# name -> (conf kind, --set overrides). "gradient" is the reference every ratio divides by.
VARIANTS = {
    "mnist": {
        "gradient": ("gradient", []),
        "shipped": ("bcd", []),
        "batch500-fista10": ("bcd", ["model.bcdBatchSize=500", "model.abIterations=10"]),
        "batch700": ("bcd", ["model.bcdBatchSize=700"]),
        "fista10": ("bcd", ["model.abIterations=10"]),
        "pstep5": ("bcd", ["model.pStepIterations=5"]),
        "epochs4": ("bcd", ["model.maxIter=4"]),
        "epochs5": ("bcd", ["model.maxIter=5"]),
        "pstep5-epochs5": ("bcd", ["model.pStepIterations=5", "model.maxIter=5"]),
        "pstep5-epochs4": ("bcd", ["model.pStepIterations=5", "model.maxIter=4"]),
    },
    "fashion": {
        "gradient": ("gradient", []),
        "shipped": ("bcd", []),
        "batch1000-fista20": ("bcd", ["model.bcdBatchSize=1000", "model.abIterations=20"]),
        "pstep5": ("bcd", ["model.pStepIterations=5"]),
        "epochs6": ("bcd", ["model.maxIter=6"]),
        "pstep5-epochs6": ("bcd", ["model.pStepIterations=5", "model.maxIter=6"]),
    },
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset", choices=sorted(VARIANTS))
    ap.add_argument("--variants", help="comma-separated names (default: all of the data set's)")
    ap.add_argument("--seeds", default="shipped,1,2", help="'shipped' runs the conf's own seed")
    ap.add_argument("--reuse", action="store_true", help="read the runs already in bench/results/runs/minibatch-jobs<tag>/")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "minibatch"))
    ap.add_argument("--tag", default="", help="appended to the result files' names")
    args = ap.parse_args()
    variants = VARIANTS[args.dataset]
    names = args.variants.split(",") if args.variants else list(variants)
    for name in names:
        if name not in variants:
            ap.error("unknown variant %r for %s; expected one of %s" % (name, args.dataset, ", ".join(variants)))
    # The gradient solver first: every ratio divides by its times.
    names = ["gradient"] + [n for n in names if n != "gradient"]
    seeds = args.seeds.split(",")
    target = TARGET[args.dataset]

    load_start = load_average()
    runs = []
    # Seed by seed, each variant in turn after the gradient solver: the machine's pace drifts over a
    # sitting by up to a third, and runs side by side in time compare more fairly than blocks of runs.
    for seed in seeds:
        for name in names:
            kind, sets = variants[name]
            conf = GRADIENT_CONF[args.dataset] if kind == "gradient" else BCD_CONF[args.dataset]
            extra = [] if seed == "shipped" else ["model.seed=" + seed]
            out = os.path.join(HERE, "results", "runs", "minibatch-jobs" + args.tag,
                               "%s-%s-%s" % (args.dataset, name, seed))
            if not (args.reuse and os.path.exists(os.path.join(out, "metrics.json"))):
                submit_train(["--conf", conf], sets + extra, out)
            with open(os.path.join(out, "metrics.json")) as f:
                metrics = json.load(f)
            curve = curve_of(metrics)
            reached = next((r for r in curve if r["test_accuracy"] >= target), None)
            runs.append({"variant": name, "seed": seed, "sets": sets, "curve": curve,
                         "set_up_seconds": metrics.get("setUpSeconds"),
                         "epoch_at_target": reached["epoch"] if reached else None,
                         "seconds_to_target": time_to(curve, target),
                         "final_test_accuracy": curve[-1]["test_accuracy"]})

    runs.sort(key=lambda r: (names.index(r["variant"]), seeds.index(r["seed"])))
    reference = {r["seed"]: r["seconds_to_target"] for r in runs if r["variant"] == "gradient"}
    lines = ["| variant | seed | test %% after each epoch | seconds after each epoch | first epoch at %.1f%% | s to it | x gradient |"
             % (100 * target), "|---|---|---|---|---|---|---|"]
    for r in runs:
        accs = " ".join("%.2f" % (100 * c["test_accuracy"]) for c in r["curve"])
        secs = " ".join("%.1f" % c["train_seconds"] for c in r["curve"])
        ref = reference.get(r["seed"])
        ratio = "%.2f" % (r["seconds_to_target"] / ref) \
            if r["seconds_to_target"] is not None and ref is not None else ""
        if r["variant"] == "gradient" and len(r["curve"]) > 8:
            # The gradient solver's 20 epochs: the first eight and the last.
            accs = " ".join(accs.split()[:8]) + " ... " + accs.split()[-1]
            secs = " ".join(secs.split()[:8]) + " ... " + secs.split()[-1]
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            r["variant"], r["seed"], accs, secs, r["epoch_at_target"] or "never",
            "%.1f" % r["seconds_to_target"] if r["seconds_to_target"] is not None else "", ratio))
    # Over the seeds: the mean seconds to the target (blank when a seed never reaches it: the epochs say which).
    lines += ["", "| variant | epochs at the target, by seed | mean s to it | x gradient (of the means) |",
              "|---|---|---|---|"]
    grad_mean = None
    for name in names:
        mine = [r for r in runs if r["variant"] == name]
        epochs = " ".join(str(r["epoch_at_target"] or "never") for r in mine)
        times = [r["seconds_to_target"] for r in mine]
        mean = sum(times) / len(times) if all(t is not None for t in times) else None
        if name == "gradient":
            grad_mean = mean
        ratio = "%.2f" % (mean / grad_mean) if mean is not None and grad_mean is not None else ""
        lines.append("| %s | %s | %s | %s |" % (name, epochs, "%.1f" % mean if mean is not None else "", ratio))
    table = "\n".join(lines)
    print()
    print(table)

    os.makedirs(args.out, exist_ok=True)
    doc = {"dataset": args.dataset, "target": target, "machine": machine(), "load_average_start": load_start,
           "load_average_end": load_average(), "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "runs": runs,
           "table": table}
    base = os.path.join(args.out, "jobs-" + args.dataset + args.tag)
    with open(base + ".json", "w") as f:
        json.dump(doc, f, indent=1)
    with open(base + ".md", "w") as f:
        f.write("%s, %s%s, load average %s -> %s; `bench/minibatch_jobs.py %s`\n\n%s\n" % (
            args.dataset, doc["finished"],
            " (tabled from runs made before, --reuse: the load averages are the tabling's)" if args.reuse else "",
            load_start, doc["load_average_end"], " ".join(sys.argv[1:]), table))
    print("wrote", base + ".md")


if __name__ == "__main__":
    main()
