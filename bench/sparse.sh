#!/usr/bin/env bash
# Wide sparse data: a synthetic bag-of-words set of 25,000 documents, 200,000 features, about 72
# stored per document, 20 classes (bench/data/text_like.py), trained by the real job with the
# gradient solver on sparse blocks (n = 100, batch 128, 5 epochs, data.standardize = scale), against
# scikit-learn's MLPClassifier (100 ReLU units, Adam, batch 128) and LogisticRegression on the same
# files and scaling, in one sitting. Writes bench/results/sparse/.
#   bench/sparse.sh        # about 8 minutes on 2 cores; the job needs about 6 GB of driver memory
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT=bench/results/sparse
RUNS=runs/sparse
mkdir -p "$OUT" "$RUNS"
[[ -s bench/data/text-like/test.libsvm ]] || /usr/bin/python3 bench/data/text_like.py
IDL_DRIVER_MEMORY=10g submit/idl train --conf conf/local.conf --data bench/data/text-like/train.libsvm \
  --set data.testPath=bench/data/text-like/test.libsvm --format libsvm --set data.standardize=scale \
  --set model.solver=gradient --set model.hiddenSize=100 --set model.gradientIter=5 --set model.batchSize=128 \
  --set job.testEvery=1 --set spark.driver.maxResultSize=3g --out "$RUNS/ours" --overwrite
cp "$RUNS/ours/metrics.json" "$OUT/ours.json"
/usr/bin/python3 bench/peers/sparse_peers.py --data bench/data/text-like --epochs 5 --out "$OUT/sklearn.json"
/usr/bin/python3 - "$OUT" <<'PY'
import json, os, statistics, sys
out = sys.argv[1]
ours = json.load(open(os.path.join(out, "ours.json")))
sk = json.load(open(os.path.join(out, "sklearn.json")))
o = statistics.median(ours["roundSeconds"])
m = statistics.median(r["epoch_seconds"] for r in sk["mlp"])
lines = ["Synthetic bag of words: %d training and %d test documents, %d features, %.1f stored per document, 20 classes."
         % (sk["train"], sk["test"], sk["features"], sk["stored_per_point"]), "",
         "| method | s per epoch (median) | epochs | test accuracy |", "|---|---|---|---|",
         "| ours: implicit, n = 100, gradient solver on sparse blocks | %.1f | %d | %.2f%% |"
         % (o, len(ours["roundSeconds"]), 100 * ours["testMetrics"]["accuracy"]),
         "| scikit-learn MLPClassifier, 100 ReLU units | %.1f | %d | %.2f%% |"
         % (m, len(sk["mlp"]), 100 * sk["mlp"][-1]["test_accuracy"]),
         "| scikit-learn LogisticRegression (lbfgs) | %.1f in total | - | %.2f%% |"
         % (sk["logistic_regression"]["seconds"], 100 * sk["logistic_regression"]["test_accuracy"]), "",
         "ours / MLPClassifier per epoch: %.2f" % (o / m)]
open(os.path.join(out, "table.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
