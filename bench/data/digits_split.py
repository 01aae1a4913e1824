#!/usr/bin/python3
"""Writes the benchmark split of scikit-learn's digits: a stratified 75/25 split, seed 0.

    /usr/bin/python3 bench/data/digits_split.py

reads data/digits/digits.csv.gz (headerless CSV: 64 integer features, then the integer label)
and writes bench/data/digits/train.csv and bench/data/digits/test.csv in the same layout
(headerless, features then label, the original text of every line kept unchanged), so the
Java job (data.path / data.testPath, format csv-label-last) and every peer read the SAME
points. The split is sklearn.model_selection.train_test_split(test_size=0.25, stratify=label,
random_state=0): 1347 training and 450 test points; lines keep their order in the split's
permutation. Deterministic: running it twice gives identical files.
"""
import gzip
import os
import sys

import numpy as np
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SOURCE = os.path.join(ROOT, "data", "digits", "digits.csv.gz")
OUT = os.path.join(HERE, "digits")


def write_split(source=SOURCE, out=OUT, seed=0, test_size=0.25):
    with gzip.open(source, "rt") as f:
        lines = [line.rstrip("\n") for line in f if line.strip()]
    labels = np.array([int(line.rsplit(",", 1)[1]) for line in lines])
    idx_train, idx_test = train_test_split(
        np.arange(len(lines)), test_size=test_size, stratify=labels, random_state=seed)
    os.makedirs(out, exist_ok=True)
    for name, idx in (("train.csv", idx_train), ("test.csv", idx_test)):
        tmp = os.path.join(out, name + ".tmp")
        with open(tmp, "w") as f:
            for i in idx:
                f.write(lines[i] + "\n")
        os.replace(tmp, os.path.join(out, name))
    return len(idx_train), len(idx_test)


if __name__ == "__main__":
    n_train, n_test = write_split()
    print(f"digits_split: {n_train} train, {n_test} test -> {OUT}", file=sys.stderr)
