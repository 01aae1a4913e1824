#!/usr/bin/env python3
"""Prints the markdown tables of docs/benchmarks.md from the result files (stdlib only):

    python3 bench/perf/tables.py

Reads bench/results/perf/*.json and bench/results/peers/*-spark-mlp.json; a missing file is skipped.
"""
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PERF = os.path.join(ROOT, "bench", "results", "perf")
PEERS = os.path.join(ROOT, "bench", "results", "peers")


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def fmt(v, digits=2):
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def profile():
    d = load(os.path.join(PERF, "partition-profile-mnist.json"))
    if not d:
        return
    e, s = d["environment"], d["setting"]
    print(f"### Inside the partitions: {s['data']} m = {s['m']} in {s['blocks']} blocks, n = {s['hidden']}, "
          f"{s['rounds']} rounds ({d['summaryMedianOverRounds']}, median)\n")
    print(f"{e['date'][:16]}Z, load average {e['loadAverage']}, {e['cores']} cores, BLAS {e['blas'].split('.')[-1]}, "
          f"OPENBLAS_NUM_THREADS={e['OPENBLAS_NUM_THREADS']}; every block in one thread, one after the other.\n")
    total_cpu = next(r for r in d["summary"] if r["segment"] == "round")["threadCpuSeconds"]
    print("| segment (per round, all blocks) | CPU s | share of round CPU | wall s | GFLOP | GFLOP/s per CPU-s |")
    print("|---|---|---|---|---|---|")
    for r in d["summary"]:
        if r["segment"] in ("merge block statistics",):
            continue
        share = "" if r["segment"] == "round" else f"{100 * r['threadCpuSeconds'] / total_cpu:.0f}%"
        print(f"| {r['segment']} | {fmt(r['threadCpuSeconds'])} | {share} | {fmt(r['wallSeconds'])} | "
              f"{fmt(r['gflop'], 1)} | {fmt(r['gflopsPerCpuSecond'], 1)} |")
    print()
    print("| dgemm in the same JVM (1 BLAS thread) | GFLOP/s per CPU-s | per wall-s |")
    print("|---|---|---|")
    for r in d["dgemm"]:
        print(f"| {r['shape']} ({r['m']} x {r['n']} x {r['k']}) | {fmt(r['gflopsThreadCpu'], 1)} | "
              f"{fmt(r['gflopsWall'], 1)} |")
    print()
    a = d["driverSolvesAlone"]
    x = d["xStepOnceOnBlock0 (paper schedule only)"]
    print(f"Driver solves timed alone: (A,B) FISTA {a['abSolveSeconds [wall, threadCpu]'][1]} CPU-s for "
          f"{a['abSolveGflop']} GFLOP; one readout solve "
          f"{list(v for k, v in a.items() if k.startswith('readoutSolveSeconds'))[0][1]} CPU-s. "
          f"X-step (paper schedule only), one block of {x['columns']}: {x['threadCpuSeconds']} CPU-s, "
          f"{x['gflop']} GFLOP, {x['gflopsPerCpuSecond']} GFLOP/s.\n")


def jobs(name, title):
    d = load(os.path.join(PERF, name))
    if not d:
        return
    e = d["environment"]
    print(f"### {title}\n")
    print(f"Tabulated {e['date'][:16]}Z; each run's load average is in its log line (bench/perf/run). "
          f"Spark overhead = passSeconds - partitionComputeSeconds / min(partitions, task slots).\n")
    print("| run | m | partitions | round s | without test-set pass | in passes | partition compute per slot | "
          "Spark overhead | test-set pass | driver | test acc. |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in d["runs"]:
        print(f"| {r['label']} | {r['trainPoints']} | {r['partitions']} | {fmt(r['roundSeconds'])} | "
              f"{fmt(r['roundSecondsWithoutTestSet'])} | {fmt(r['passSeconds'])} | {fmt(r['partitionComputePerSlot'])} | "
              f"{fmt(r['sparkOverheadSeconds'])} | {fmt(r['validationSeconds (test set, every round)'])} | "
              f"{fmt(r['driverSeconds'])} | {fmt(100 * r['testAccuracy'])} |")
    print()


def bytes_():
    d = load(os.path.join(PERF, "driver-bytes-mnist.json"))
    if not d:
        return
    e = d["environment"]
    print("### Bytes aggregated to the driver\n")
    print(f"{e['date'][:16]}Z, load average {e['loadAverage']}.\n")
    for run in d["runs"]:
        print(f"m = {run['m']}, {run['partitions']} partitions, n = {run['hidden']}, p + 1 = {run['inputsWithBias']}, "
              f"q = {run['outputs']}; envelope of a task returning one long: {run['baselineResultBytesPerTask']} B\n")
        print("| pass | numbers per partition (formula) | 8 x numbers, B | serialised (Kryo), B | measured per result task, B "
              "| result tasks | to the driver per pass, B | shuffle written, B |")
        print("|---|---|---|---|---|---|---|---|")
        for p in run["passes"]:
            if p["pass"].startswith("baseline"):
                continue
            print(f"| {p['pass']} | {p['numbersPerPartition (formula)']} | {p['formulaBytes (8 per number)']} | "
                  f"{p['kryoSerializedStatisticsBytes']} | {p['measuredResultBytesPerTask']} | {p['resultTasks']} | "
                  f"{p['measuredResultBytesToDriver']} | {p['shuffleBytesWritten']} |")
        print()


def mlp():
    rows = []
    for ds in ("digits", "mnist", "fashion-mnist"):
        d = load(os.path.join(PEERS, f"{ds}-spark-mlp.json"))
        if d:
            rows.append(d)
    if not rows:
        return
    print("### Spark MLlib MultilayerPerceptronClassifier\n")
    print("| data | layers | best test acc. % | train s to best (iterations) | curve: max_iter -> iterations, train s, "
          "test acc. % | load avg start / end |")
    print("|---|---|---|---|---|---|")
    for d in rows:
        s = d["summary"]
        curve = "; ".join(f"{c['max_iter']} -> {c['iterations']}, {c['train_seconds']:.1f} s, "
                          f"{100 * c['test_accuracy']:.2f}" for c in d["curve"])
        print(f"| {d['data']['dataset']} ({d['data']['train_points']}/{d['data']['test_points']}) | "
              f"{d['config']['layers']} | {100 * s['best_test_accuracy']:.2f} | {s['seconds_to_best']:.1f} s "
              f"({s['iterations_at_best']}) | {curve} | {d['load_average_start']} / {d['load_average_end']} |")
    print()


if __name__ == "__main__":
    profile()
    jobs("job-split-mnist.json", "The real job, MNIST 60k, 5 BCD rounds (metrics.json)")
    jobs("scaling-mnist.json", "Scaling in m and in executors")
    bytes_()
    mlp()
