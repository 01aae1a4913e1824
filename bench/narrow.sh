#!/usr/bin/env bash
# Per-epoch training time of the gradient solver against the PyTorch peer (the same implicit model,
# n = 100, a batch of 128, cosine steps from 1.5e-3, 5 epochs), in one sitting, on MNIST (784 inputs)
# and on the narrow case: MNIST projected onto its first 16 principal components
# (bench/data/mnist_pca16.py), where the fixed point, not the input product, is most of the work.
# Ours is the real job (`submit/idl train`, local[*], 2 partitions) and its metrics.json roundSeconds;
# the peer's is its own per-epoch training time. Writes bench/results/narrow/.
#   bench/narrow.sh        # about 5 minutes on 2 cores
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT=bench/results/narrow
RUNS=runs/narrow
mkdir -p "$OUT" "$RUNS"
[[ -s bench/data/mnist/t10k-images-idx3-ubyte ]] || bash bench/data/fetch.sh
[[ -s bench/data/mnist-pca16/test.csv ]] || /usr/bin/python3 bench/data/mnist_pca16.py
COMMON=(--set model.solver=gradient --set model.hiddenSize=100 --set model.batchSize=128 --set model.gradientIter=5
  --set model.stepSize=0.0015 --set model.stepSchedule=cosine --set job.testEvery=5)
submit/idl train --conf conf/mnist.conf "${COMMON[@]}" --out "$RUNS/mnist-ours" --overwrite
submit/idl train --conf conf/local.conf "${COMMON[@]}" --set data.format=csv-label-last \
  --set data.path=bench/data/mnist-pca16/train.csv --set data.testPath=bench/data/mnist-pca16/test.csv \
  --out "$RUNS/pca16-ours" --overwrite
for d in mnist mnist-pca16; do
  /usr/bin/python3 bench/peers/torch_implicit.py --dataset "$d" --hidden 100 --batch-size 128 --lr 1.5e-3 \
    --schedule cosine --epochs 5 --out "$OUT/$d-torch.json"
done
cp "$RUNS/mnist-ours/metrics.json" "$OUT/mnist-ours.json"
cp "$RUNS/pca16-ours/metrics.json" "$OUT/mnist-pca16-ours.json"
/usr/bin/python3 - "$OUT" <<'PY'
import json, os, statistics, sys
out = sys.argv[1]
lines = ["| data | ours: s per epoch (median) | PyTorch: s per epoch (median) | ours / PyTorch | ours: test accuracy | PyTorch: test accuracy |",
         "|---|---|---|---|---|---|"]
for d in ("mnist", "mnist-pca16"):
    ours = json.load(open(os.path.join(out, d + "-ours.json")))
    torch = json.load(open(os.path.join(out, d + "-torch.json")))
    o = statistics.median(ours["roundSeconds"])
    t = statistics.median(r["epoch_seconds"] for r in torch["curve"])
    lines.append("| %s | %.2f | %.2f | %.2f | %.2f%% | %.2f%% |" % (d, o, t, o / t,
                 100 * ours["testMetrics"]["accuracy"], 100 * torch["curve"][-1]["test_accuracy"]))
open(os.path.join(out, "table.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
