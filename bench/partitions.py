#!/usr/bin/python3
"""The gradient solver at K = 2, 8, 32 and 64 partitions, through the real job in Spark local mode:
test accuracy per epoch for each K, and what an epoch would cost on K executors.

  /usr/bin/python3 bench/partitions.py mnist                # runs the job at every K, then tabulates
  /usr/bin/python3 bench/partitions.py fashion --reuse      # tabulates the runs already there
  /usr/bin/python3 bench/partitions.py mnist --partitions 2,32 --set model.syncSteps=10
  /usr/bin/python3 bench/partitions.py mnist --averaging driver --tag -driver   # one Spark job per average

With `--averaging ring` (the default) each run is `local[K]`, K task threads, so that the barrier
stage in which the partitions average among themselves has a slot per partition; this machine's
cores take turns at them. Each task times its own compute in CPU seconds, so a pass on K executors
would take its slowest task, not the sum. The modelled wall time of an epoch on K executors is

    slowest task's compute (summed over the epoch's passes) + the driver's work
      + passes x c_job + averages in the ring x c_ring(K)

c_job is the cost of one Spark job beyond its tasks' compute: measured here at the smallest K (median
over epochs of (pass seconds - tasks' compute / cores) / passes), or 0.1 s and 0.3 s, what a job
costs on real clusters. c_ring(K) = steps x alpha + 2 (K - 1) / K x bytes / beta is an all-reduce
of the parameters and Adam moments among the tasks, 8 bytes a value (4 with
`--set spark.idl.allReduceWire=float32`, whose alpha and beta come from allreduce-float32.json; 2 with
`bfloat16`, allreduce-bfloat16.json), in
2 log2 K steps of recursive halving and doubling when K is a power of two, 2 (K - 1) around a ring
otherwise: with this machine's loopback alpha and beta
(`bench/perf/run allreduce`, bench/results/perf/allreduce.json) for "local", and with a 10 GbE
network's (alpha = 100 us, beta = 1.1 GB/s) for the 0.1 s and 0.3 s columns. (The ring's time
measured inside the runs is not used: with K task threads on 2 cores it is mostly waiting for a core.)
Driver bytes per epoch: with `driver` averaging every pass brings each partition's parameters and Adam
moments back; with `ring` one copy an epoch, partition 0's (runs before 2026-12-01 noon brought K).
"""
import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "peers"))
from compare import submit_train  # noqa: E402
from datasets import load_average, machine  # noqa: E402

CONFS = {"mnist": "conf/mnist.conf", "fashion": "conf/fashion-mnist.conf"}
JOB_COSTS = [0.1, 0.3]
NETWORK = {"alpha": 100e-6, "beta": 1.1e9}  # 10 GbE, for the cluster columns
ALLREDUCE = os.path.join(ROOT, "bench", "results", "perf", "allreduce.json")
TARGET = {"mnist": 0.975, "fashion": 0.885}


def epochs_of(metrics, cores):
    """Per epoch: accuracy, passes, slowest task, driver seconds, and the local job overhead."""
    split = metrics["roundTimeSplit"]
    syncs = split.get("syncs") or [0] * len(split["passes"])  # runs made before ring averaging have none
    rows = []
    for i, acc in enumerate(metrics["testAccuracyHistory"]):
        passes = split["passes"][i]
        overhead = max(0.0, split["passSeconds"][i] - split["partitionComputeSeconds"][i] / cores) / max(1, passes)
        rows.append({"epoch": i + 1, "test_accuracy": acc, "passes": passes, "syncs": syncs[i],
                     "slowest_task_seconds": split["slowestTaskSeconds"][i],
                     "task_seconds_total": split["partitionComputeSeconds"][i],
                     "driver_seconds": split["driverSeconds"][i], "local_job_overhead": overhead})
    return rows


def parameters(model):
    p = model["inputs"] + 1
    return model["hidden"] * (model["hidden"] + p) + model["outputs"] * (model["hidden"] + p)


def ring_seconds(k, numbers, width, network):
    """One all-reduce of `numbers` values of `width` bytes on the wire among k tasks: 2 log2 k steps when
    k is a power of two (recursive halving and doubling), else 2 (k - 1) (a ring); the same bytes either way."""
    steps = 2 * (k.bit_length() - 1) if k & (k - 1) == 0 else 2 * (k - 1)
    return steps * network["alpha"] + 2 * (k - 1) / k * width * numbers / network["beta"]


WIRE_BYTES = {"bfloat16": 2, "float32": 4, "float64": 8}


def wire_of(sets):
    """The all-reduce's wire: the last spark.idl.allReduceWire among the settings, else float64."""
    wire = "float64"
    for s in sets:
        key, _, value = s.partition("=")
        if key.strip() == "spark.idl.allReduceWire":
            wire = value.strip()
    return wire


def modelled(rows, job_cost, ring_cost):
    """Cumulative modelled seconds on K executors after each epoch."""
    total, out = 0.0, []
    for r in rows:
        total += r["slowest_task_seconds"] + r["driver_seconds"] + r["passes"] * job_cost + r["syncs"] * ring_cost
        out.append(total)
    return out


def time_to(rows, times, accuracy):
    for r, t in zip(rows, times):
        if r["test_accuracy"] >= accuracy:
            return t
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset", choices=sorted(CONFS))
    ap.add_argument("--partitions", default="2,8,32,64")
    ap.add_argument("--set", action="append", default=[], help="extra key=value for every run")
    ap.add_argument("--tag", default="", help="suffix of the run directories and result files")
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--averaging", choices=["ring", "driver"], default="ring")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "partitions"))
    args = ap.parse_args()
    ks = [int(k) for k in args.partitions.split(",")]
    cores = os.cpu_count()
    wire = wire_of(args.set)
    width = WIRE_BYTES[wire]
    # bench/perf/run allreduce [--wire W] writes allreduce.json for doubles, allreduce-W.json otherwise.
    with open(ALLREDUCE if wire == "float64" else ALLREDUCE.replace(".json", "-%s.json" % wire)) as f:
        loopback = json.load(f)
    loopback = {"alpha": loopback["alphaSeconds"], "beta": loopback["betaBytesPerSecond"]}
    load_start = load_average()
    runs = {}
    reused = []  # when each reused run finished (its metrics.json's time), for the header
    for k in ks:
        out = os.path.join(ROOT, "bench", "results", "runs", "partitions-%s%s-k%d" % (args.dataset, args.tag, k))
        if args.reuse and os.path.exists(os.path.join(out, "metrics.json")):
            reused.append(os.path.getmtime(os.path.join(out, "metrics.json")))
        else:
            # Through Spark jobs, as on a cluster: the model of an epoch on K executors needs the tasks'
            # own times and the ring's averages, which local mode's in-driver training does not have.
            sets = ["data.partitions=%d" % k, "model.averaging=%s" % args.averaging, "spark.idl.inProcess=false"]
            if args.averaging == "ring":
                sets.append("spark.master=local[%d]" % k)
            submit_train(["--conf", CONFS[args.dataset]], sets + args.set, out)
        with open(os.path.join(out, "metrics.json")) as f:
            metrics = json.load(f)
        rows = epochs_of(metrics, cores)
        numbers = 3 * parameters(metrics["model"]) + 2
        runs[k] = {"epochs": rows, "local_job_cost": statistics.median(r["local_job_overhead"] for r in rows),
                   "wire_bytes_per_value": width,
                   "ring_seconds": {"local": ring_seconds(k, numbers, width, loopback),
                                    "network": ring_seconds(k, numbers, width, NETWORK)},
                   # Ring: the epoch's last average among the tasks too, and only partition 0 returns it.
                   "driver_bytes_per_epoch": [8 * (numbers + 8) * (1 if args.averaging == "ring" else r["passes"] * k)
                                              for r in rows]}
    # A job's own cost, measured where the tasks do not wait for cores: the smallest K.
    job_cost = runs[min(ks)]["local_job_cost"]
    for k, r in runs.items():
        r["modelled_seconds"] = {"local": modelled(r["epochs"], job_cost, r["ring_seconds"]["local"]),
                                 **{str(c): modelled(r["epochs"], c, r["ring_seconds"]["network"]) for c in JOB_COSTS}}

    target = TARGET[args.dataset]
    lines = ["| K | final test acc | best | jobs/epoch | averages among the tasks/epoch | slowest task s/epoch "
             "| driver MB/epoch | all-reduce ms (local, 10 GbE) "
             "| modelled s/epoch (local, 0.1, 0.3 s/job) | modelled s to %.1f%% (local, 0.1, 0.3) |"
             % (100 * target), "|" + "---|" * 10]
    for k, r in runs.items():
        e = r["epochs"]
        last = e[-1]
        per_epoch = [r["modelled_seconds"][c][-1] / len(e) for c in ["local"] + [str(c) for c in JOB_COSTS]]
        reach = [time_to(e, r["modelled_seconds"][c], target) for c in ["local"] + [str(c) for c in JOB_COSTS]]
        lines.append("| %d | %.2f%% | %.2f%% | %d | %d | %.2f | %.0f | %.1f, %.1f | %s | %s |" % (
            k, 100 * last["test_accuracy"], 100 * max(x["test_accuracy"] for x in e), last["passes"], last["syncs"],
            statistics.median(x["slowest_task_seconds"] for x in e), r["driver_bytes_per_epoch"][-1] / 1e6,
            1e3 * r["ring_seconds"]["local"], 1e3 * r["ring_seconds"]["network"],
            ", ".join("%.2f" % s for s in per_epoch),
            ", ".join("never" if s is None else "%.1f" % s for s in reach)))
    table = "\n".join(lines)
    print(table)
    os.makedirs(args.out, exist_ok=True)
    name = args.dataset + args.tag
    doc = {"dataset": args.dataset, "averaging": args.averaging, "sets": args.set, "job_cost_local": job_cost,
           "ring_network": {"local": loopback, "10GbE": NETWORK}, "machine": machine(), "load_average_start": load_start,
           "load_average_end": load_average(), "finished": time.strftime("%Y-%m-%d %H:%M"), "runs": runs,
           "table": table}
    if reused:
        # The load averages above are the tabulation's; the runs themselves finished at these times.
        doc["reused_runs_finished"] = [time.strftime("%Y-%m-%d %H:%M", time.localtime(t)) for t in sorted(reused)]
    with open(os.path.join(args.out, name + ".json"), "w") as f:
        json.dump(doc, f, indent=1)
    with open(os.path.join(args.out, name + ".md"), "w") as f:
        sitting = "%s, load average %s -> %s" % (doc["finished"], load_start, doc["load_average_end"])
        if reused:
            sitting = "runs finished %s to %s, tabulated %s" % (
                time.strftime("%Y-%m-%d %H:%M", time.localtime(min(reused))),
                time.strftime("%H:%M", time.localtime(max(reused))), doc["finished"])
        f.write("%s, averaging %s, %s; extra settings: %s; local job cost %.3f s (K = %d)\n\n%s\n" % (
            args.dataset, args.averaging, sitting,
            " ".join(args.set) or "none", job_cost, min(ks), table))
    plot(runs, args.dataset, os.path.join(args.out, name + ".png"))


def plot(runs, dataset, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for k, r in runs.items():
        e = r["epochs"]
        left.plot([x["epoch"] for x in e], [100 * x["test_accuracy"] for x in e], marker="o", markersize=3,
                  label="K = %d" % k)
        right.plot(r["modelled_seconds"]["0.1"], [100 * x["test_accuracy"] for x in e], marker="o", markersize=3,
                   label="K = %d" % k)
    best = max(max(x["test_accuracy"] for x in r["epochs"]) for r in runs.values())
    for ax in (left, right):
        ax.set_ylim(100 * best - 4, 100 * best + 0.5)
        ax.set_ylabel("test accuracy % (true model)")
        ax.grid(alpha=0.3)
        ax.legend()
    left.set_xlabel("epoch")
    left.set_title("%s: accuracy per epoch, K partitions" % dataset)
    right.set_xlabel("modelled seconds on K executors (0.1 s per Spark job, 10 GbE ring)")
    right.set_title("%s: accuracy against modelled wall time" % dataset)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print("wrote", path)


if __name__ == "__main__":
    main()
