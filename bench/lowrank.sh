#!/usr/bin/env bash
# Low-rank A (paper section 6.3) against dense A on MNIST: the gradient solver (2 simulated partitions,
# a global batch of 128, cosine steps from 1.5e-3) at n = 100, 300 and 1000, dense and rank 10; per run
# the test accuracy of the true model and the time to predict the 10,000 test images (one thread, the
# best of 5). Writes bench/results/lowrank/<n>-<rank>.json and bench/results/lowrank/table.md.
#   bench/lowrank.sh          # about 25 minutes on 2 cores
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT=bench/results/lowrank
mkdir -p "$OUT"
# n|rank|epochs: n = 1000 trains for 5 epochs only (a dense epoch takes minutes there).
ROWS=("100|0|10" "100|10|10" "300|0|10" "300|10|10" "1000|0|5" "1000|10|5")
for row in "${ROWS[@]}"; do
  IFS='|' read -r n k epochs <<<"$row"
  if [[ $# -gt 0 && "$n" != "$1" ]]; then continue; fi
  bench/perf/run sweep --data mnist --partitions 2 --hidden "$n" --rank "$k" --epochs "$epochs" --lr 1.5e-3 \
    --out "$OUT/$n-$k.json"
done
/usr/bin/python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
runs = {}
for f in os.listdir(out):
    if f.endswith(".json"):
        d = json.load(open(os.path.join(out, f)))
        runs[(d["hidden"], d["rank"])] = d
lines = ["| n | A | epochs | test accuracy | prediction s (10k points) | speed-up | Picard iterations | training s |",
         "|---|---|---|---|---|---|---|---|"]
for (n, k) in sorted(runs):
    d = runs[(n, k)]
    p = d["prediction"]
    dense = runs.get((n, 0))
    speed = dense["prediction"]["seconds"] / p["seconds"] if dense else float("nan")
    train = sum(r["roundSeconds"] for r in d["rounds"])
    lines.append("| %d | %s | %d | %.2f%% | %.3f | %.1fx | %d | %.0f |" % (n, "dense" if k == 0 else "rank %d" % k,
                 len(d["rounds"]), 100 * p["testAccuracy"], p["seconds"], speed, p["picardIterations"], train))
open(os.path.join(out, "table.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
