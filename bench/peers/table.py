#!/usr/bin/python3
"""Prints the markdown table of the peer results: /usr/bin/python3 bench/peers/table.py [files...]
(default: bench/results/peers/*.json)."""
import glob
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
# The Spark MLlib peer's files have their own layout (bench/perf/tables.py prints them).
files = sys.argv[1:] or sorted(f for f in glob.glob(os.path.join(here, "..", "results", "peers", "*.json"))
                               if not f.endswith("-spark-mlp.json"))
print("| data (n) | method | best test acc % | epoch of best | train s to best | epochs run "
      "| train s total | s/epoch (median) | final test acc % | final train acc % | load avg 1-min "
      "start / mean / end |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for f in files:
    d = json.load(open(f))
    s, info, c = d["summary"], d["data"], d["curve"]
    ds = info["dataset"] + (f"-{info['train_points'] // 1000}k" if info.get("train_limit") else "")
    per = sorted(r["epoch_seconds"] for r in c)[len(c) // 2]
    method = d["method"] + (" cosine" if d["config"].get("schedule") == "cosine" else "")
    print(f"| {ds} ({d['config']['hidden']}) | {method} | {100 * s['best_test_accuracy']:.2f} "
          f"| {s['best_epoch']} | {s['seconds_to_best']:.1f} | {s['epochs']} "
          f"| {s['total_train_seconds']:.1f} | {per:.2f} | {100 * s['final_test_accuracy']:.2f} "
          f"| {100 * s['final_train_accuracy']:.2f} "
          f"| {d['load_average_start'][0]:.1f} / "
          f"{sum(r['load_average'][0] for r in c) / len(c):.1f} / {d['load_average_end'][0]:.1f} |")
