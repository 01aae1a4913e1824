#!/usr/bin/env bash
# Robustness on MNIST (issue 16, paper section 5): the nominal gradient model (conf/mnist.conf) and the
# interval-trained one (conf/mnist-robust.conf), each trained by the real job, then `submit/idl certify`
# on the 10,000 test images at radii 0.01, 0.03, 0.05 and 0.1 of the pixel range (pixels scaled to
# [0, 1]; the job's radii are in grey levels, 255 times as much). Per radius: clean, certified (interval
# bounds through the fixed point) and attacked (20 steps of projected sign-gradient ascent) accuracy.
# Writes bench/results/robust/{<name>-train.json,<name>-certify.json,<name>-certify.html,table.md,robust.png}.
#   bench/robust.sh            # the four models, about 20 minutes on 2 cores
#   bench/robust.sh robust     # one of them
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT=bench/results/robust
RUNS=runs/robust
mkdir -p "$OUT" "$RUNS"
[[ -s bench/data/mnist/t10k-images-idx3-ubyte ]] || bash bench/data/fetch.sh
RADII="0.01,0.03,0.05,0.1"
GREY=$(/usr/bin/python3 -c "print(','.join(repr(round(float(r) * 255, 6)) for r in '$RADII'.split(',')))")
# name|configuration|extra settings: robust-0.1 is trained at radius 0.1 (25.5 grey levels) instead of 0.05.
# robust-bcd is BCD's robust counterpart at 0.05 (15 recipe rounds, the radius ramped over 5).
MODELS=("nominal|conf/mnist.conf|" "robust|conf/mnist-robust.conf|" "robust-0.1|conf/mnist-robust.conf|--set model.robustRadius=25.5"
        "robust-bcd|conf/mnist-robust.conf|--set model.solver=bcd --set model.maxIter=15 --set model.robustRamp=5")
for row in "${MODELS[@]}"; do
  IFS='|' read -r name conf extra <<<"$row"
  if [[ $# -gt 0 && "$name" != "$1" ]]; then continue; fi
  # shellcheck disable=SC2086
  submit/idl train --conf "$conf" $extra --out "$RUNS/$name" --overwrite
  cp "$RUNS/$name/metrics.json" "$OUT/$name-train.json"
  submit/idl certify --model "$RUNS/$name/model" --data bench/data/mnist/t10k-images-idx3-ubyte --format idx \
    --set data.labelsPath=bench/data/mnist/t10k-labels-idx1-ubyte --radius "$GREY" \
    --out "$OUT/$name-certify.json" --report "$OUT/$name-certify.html" --overwrite
done
/usr/bin/python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
lines = ["| model | radius ([0, 1] pixels) | clean | certified | attacked | training s |", "|---|---|---|---|---|---|"]
curves = {}
for name in ("nominal", "robust", "robust-0.1", "robust-bcd"):
    path = os.path.join(out, name + "-certify.json")
    if not os.path.exists(path):
        continue
    train = json.load(open(os.path.join(out, name + "-train.json")))
    rows = json.load(open(path))["radii"]
    curves[name] = rows
    for r in rows:
        lines.append("| %s | %.2f | %.2f%% | %.2f%% | %.2f%% | %.0f |" % (name, r["radius"] / 255, 100 * r["cleanAccuracy"],
                     100 * r["certifiedAccuracy"], 100 * r["attackedAccuracy"], train["trainingSeconds"]))
open(os.path.join(out, "table.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(6, 4))
for name, rows, color in [(n, curves[n], c) for n, c in (("nominal", "tab:gray"), ("robust", "tab:blue"),
                                                          ("robust-0.1", "tab:orange"), ("robust-bcd", "tab:green"))
                          if n in curves]:
    radii = [r["radius"] / 255 for r in rows]
    ax.plot(radii, [100 * r["certifiedAccuracy"] for r in rows], "-o", color=color, label=name + ", certified")
    ax.plot(radii, [100 * r["attackedAccuracy"] for r in rows], "--s", color=color, label=name + ", attacked")
ax.set_xlabel("radius (pixels in [0, 1])")
ax.set_ylabel("test accuracy (%)")
ax.set_title("MNIST, n = 100: certified and attacked accuracy")
ax.grid(alpha=0.3)
ax.legend()
fig.tight_layout()
fig.savefig(os.path.join(out, "robust.png"), dpi=110)
print("wrote", os.path.join(out, "robust.png"))
PY
