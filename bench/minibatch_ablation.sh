#!/usr/bin/env bash
# The minibatch BCD schedule's ablation: each variant on MNIST (Fashion-MNIST where named), two
# simulated partitions in one JVM (bench/perf/run sweep --solver bcd: the job's trainer and passes
# over an in-memory store), the true model's test accuracy after every epoch.
# Writes bench/results/minibatch/<name>.json and the table bench/results/minibatch/ablation.md.
#   bench/minibatch_ablation.sh            # all rows, about 25 minutes on 2 cores
#   bench/minibatch_ablation.sh shipped    # the rows whose name contains "shipped"
# The rows were measured with the code of their day: all but the two "shipped" rows before each
# epoch's curvature came from a sample (2026-12-01), so a rerun gives their settings on today's code.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT=bench/results/minibatch
mkdir -p "$OUT"
ROWS=(
  "majoriser|mnist|10|--curvatureAB 1 --tauAB 0.3 --schedule constant"
  "curv0.25|mnist|10|--curvatureAB 0.25 --tauAB 0.3 --schedule constant"
  "curv0.1|mnist|10|--curvatureAB 0.1 --tauAB 0.3 --schedule constant"
  "curv0.05|mnist|15|--curvatureAB 0.05 --tauAB 0.3 --schedule constant"
  "curv0.05-tau0.2|mnist|15|--curvatureAB 0.05 --tauAB 0.2 --schedule constant"
  "curv0.02-tau0.2|mnist|15|--curvatureAB 0.02 --tauAB 0.2 --schedule constant"
  "tau0.2-cosine20|mnist|20|--curvatureAB 0.02 --tauAB 0.2 --schedule cosine --ridge 1e-2"
  "tau0.2-cosine20-batch3000|mnist|20|--curvatureAB 0.02 --tauAB 0.2 --schedule cosine --ridge 1e-2 --batch 3000"
  "tau0.07-cosine8|mnist|8|--curvatureAB 0.02 --tauAB 0.07 --schedule cosine --ridge 1e-2"
  "tau0.07-cosine8-readout1|mnist|8|--curvatureAB 0.02 --tauAB 0.07 --schedule cosine --ridge 1e-2 --tauReadout 1 --initialReadoutPasses 3"
  "tau0.07-cosine6-readout1|mnist|6|--curvatureAB 0.02 --tauAB 0.07 --schedule cosine --ridge 1e-2 --tauReadout 1 --initialReadoutPasses 3"
  "shipped|mnist|6|--curvatureAB 0.02 --tauAB 0.07 --schedule cosine --ridge 1e-2 --tauReadout 1 --initialReadoutPasses 3 --pIterations 10"
  "fashion-curv0.05-tau0.2|fashion-mnist|15|--curvatureAB 0.05 --tauAB 0.2 --schedule constant"
  "fashion-tau0.2-cosine20|fashion-mnist|20|--curvatureAB 0.02 --tauAB 0.2 --schedule cosine --ridge 1e-2"
  "fashion-tau0.07-cosine8|fashion-mnist|8|--curvatureAB 0.02 --tauAB 0.07 --schedule cosine --ridge 1e-2"
  "fashion-tau0.07-cosine10-readout1|fashion-mnist|10|--curvatureAB 0.02 --tauAB 0.07 --schedule cosine --ridge 1e-2 --tauReadout 1 --initialReadoutPasses 3"
  "fashion-tau0.07-cosine8-readout3|fashion-mnist|8|--curvatureAB 0.02 --tauAB 0.07 --schedule cosine --ridge 1e-2 --tauReadout 3 --initialReadoutPasses 3"
  "fashion-shipped|fashion-mnist|8|--curvatureAB 0.02 --tauAB 0.07 --schedule cosine --ridge 1e-2 --tauReadout 3 --initialReadoutPasses 3 --pIterations 10"
)
for row in "${ROWS[@]}"; do
  IFS='|' read -r name data epochs opts <<<"$row"
  if [[ $# -gt 0 && "$name" != *"$1"* ]]; then continue; fi
  # shellcheck disable=SC2086
  bench/perf/run sweep --solver bcd --data "$data" --partitions 2 --batch 1000 --tauReadout 0.3 --epochs "$epochs" \
    $opts --out "$OUT/$name.json"
done
/usr/bin/python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
rows = []
for f in sorted(os.listdir(out)):
    if not f.endswith(".json"):
        continue
    d = json.load(open(os.path.join(out, f)))
    acc = [r["testAccuracy"] * 100 for r in d["rounds"]]
    s = d.get("bcd", {})
    rows.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %.2f | %.2f (%d) | %.2f | %.1f |" % (
        f[:-5], d["data"], s.get("bcdBatchSize"), s.get("curvatureScaleAB"), s.get("proximalAB"),
        s.get("proximalReadout"), s.get("initialReadoutPasses", 30), s.get("pStepIterations", 20),
        s.get("stepSchedule"), s.get("ridge"), " ".join("%.2f" % a for a in acc), acc[-1], max(acc),
        1 + acc.index(max(acc)), d["rounds"][-1]["trainAccuracy"] * 100,
        sum(r["roundSeconds"] for r in d["rounds"]) / len(d["rounds"])))
head = ("| variant | data | batch | curvatureScaleAB | proximalAB | proximalReadout | initialReadoutPasses"
        " | pStepIterations | stepSchedule | ridge | test % after each epoch | final | best (epoch) | train % | s / epoch |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
open(os.path.join(out, "ablation.md"), "w").write(head + "\n".join(rows) + "\n")
print(head + "\n".join(rows))
PY
