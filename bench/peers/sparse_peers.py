"""scikit-learn on the wide sparse text-like set (bench/data/text_like.py), for bench/sparse.sh.

Two peers on the same train/test files and the same scaling as the job's data.standardize = scale
(each feature divided by its standard deviation, no centring, so the rows stay sparse):
  - LogisticRegression (lbfgs, 100 iterations at most): the linear baseline of text classification;
  - MLPClassifier (100 ReLU units, Adam at 1e-3, batch 128): one epoch per partial_fit, timed.
    /usr/bin/python3 bench/peers/sparse_peers.py --data bench/data/text-like --epochs 5 --out F.json
"""
import argparse
import json
import time

import numpy as np
from sklearn.datasets import load_svmlight_file
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="bench/data/text-like")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    xtr, ytr = load_svmlight_file(a.data + "/train.libsvm")
    xte, yte = load_svmlight_file(a.data + "/test.libsvm", n_features=xtr.shape[1])
    scaler = StandardScaler(with_mean=False).fit(xtr)
    xtr, xte = scaler.transform(xtr), scaler.transform(xte)
    out = {"train": xtr.shape[0], "test": xte.shape[0], "features": xtr.shape[1],
           "stored_per_point": xtr.nnz / xtr.shape[0]}
    t = time.perf_counter()
    lr = LogisticRegression(max_iter=100).fit(xtr, ytr)
    out["logistic_regression"] = {"seconds": time.perf_counter() - t, "test_accuracy": float(lr.score(xte, yte))}
    mlp = MLPClassifier(hidden_layer_sizes=(100,), batch_size=128, learning_rate_init=1e-3, random_state=0)
    classes = np.unique(ytr)
    curve = []
    for epoch in range(a.epochs):
        t = time.perf_counter()
        mlp.partial_fit(xtr, ytr, classes=classes)
        seconds = time.perf_counter() - t
        curve.append({"epoch": epoch + 1, "epoch_seconds": seconds, "test_accuracy": float(mlp.score(xte, yte))})
        print("mlp epoch", epoch + 1, "%.2f s" % seconds, "test %.4f" % curve[-1]["test_accuracy"], flush=True)
    out["mlp"] = curve
    json.dump(out, open(a.out, "w"), indent=1)
    print(json.dumps(out["logistic_regression"]))


if __name__ == "__main__":
    main()
