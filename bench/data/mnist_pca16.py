#!/usr/bin/python3
"""The narrow-data case of the benchmarks: MNIST projected onto the first 16 principal components
of its training images (fitted on the 60,000 training images, applied to both sets), written as
headerless CSV, 16 features then the label, to bench/data/mnist-pca16/{train,test}.csv. Needs
bench/data/mnist (bench/data/fetch.sh). Deterministic: the same files on every machine, up to the
last digit of the floating point.

    /usr/bin/python3 bench/data/mnist_pca16.py
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
import datasets  # noqa: E402

COMPONENTS = 16
OUT = os.path.join(datasets.DATA, "mnist-pca16")


def write():
    Xtr, ytr, Xte, yte = datasets.load_raw("mnist")
    mean = Xtr.mean(axis=0)
    # The right singular vectors of the centred training images; signs fixed so that each
    # component's largest loading is positive (SVD signs are arbitrary).
    _, _, vt = np.linalg.svd(Xtr - mean, full_matrices=False)
    v = vt[:COMPONENTS].T
    v *= np.sign(v[np.abs(v).argmax(axis=0), np.arange(COMPONENTS)])
    os.makedirs(OUT, exist_ok=True)
    for name, X, y in (("train", Xtr, ytr), ("test", Xte, yte)):
        Z = (X - mean) @ v
        np.savetxt(os.path.join(OUT, name + ".csv"), np.column_stack([Z, y]), delimiter=",",
                   fmt=["%.6f"] * COMPONENTS + ["%d"])
    print(f"wrote {OUT}/train.csv ({len(ytr)} rows) and test.csv ({len(yte)} rows), {COMPONENTS} features")


if __name__ == "__main__":
    write()
