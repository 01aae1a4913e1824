"""Writes a synthetic bag-of-words data set in LIBSVM format: wide and sparse, as text data is.

Each of the 20 classes has a vocabulary of 4,000 words, overlapping its neighbours' by half; a
document holds 20 words of its class's vocabulary and 60 from a Zipf-distributed common vocabulary
of the whole 200,000 words, each with its count. Nothing here is tuned to a model; the seed fixes it.
    /usr/bin/python3 bench/data/text_like.py [--docs 25000] [--features 200000] [--out bench/data/text-like]
Writes train.libsvm and test.libsvm (4:1). Plain Python: no numpy needed.
"""
import argparse
import bisect
import itertools
import os
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=25000)
    ap.add_argument("--features", type=int, default=200000)
    ap.add_argument("--classes", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "text-like"))
    a = ap.parse_args()
    r = random.Random(a.seed)
    p = a.features
    # Zipf weights 1/rank over a random order of all words: common words are shared by every class.
    order = list(range(p))
    r.shuffle(order)
    cumulative = list(itertools.accumulate(1.0 / (k + 1) for k in range(p)))
    total = cumulative[-1]
    os.makedirs(a.out, exist_ok=True)
    train = open(os.path.join(a.out, "train.libsvm"), "w")
    test = open(os.path.join(a.out, "test.libsvm"), "w")
    for j in range(a.docs):
        label = r.randrange(a.classes)
        counts = {}
        start = label * 2000
        for _ in range(20):
            w = (start + r.randrange(4000)) % p
            counts[w] = counts.get(w, 0) + 1
        for _ in range(60):
            w = order[bisect.bisect_left(cumulative, r.random() * total)]
            counts[w] = counts.get(w, 0) + 1
        counts.setdefault(p - 1, 0)  # every line names the last feature, so each file says p
        line = str(label) + "".join(" %d:%d" % (w + 1, c) for w, c in sorted(counts.items()))
        (test if j % 5 == 4 else train).write(line + "\n")
    train.close()
    test.close()


if __name__ == "__main__":
    main()
