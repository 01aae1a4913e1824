"""Data loading, preprocessing, the command line and the results writer shared by the peer benchmarks.

Data sets (paths relative to the project root):
  digits   bench/data/digits/{train,test}.csv  (written by bench/data/digits_split.py from
           data/digits/digits.csv.gz; generated here on first use if missing)
  mnist    bench/data/mnist/*-ubyte            (bench/data/fetch.sh), official 60k/10k split
  fashion  bench/data/fashion-mnist/*-ubyte    (bench/data/fetch.sh), official 60k/10k split

Preprocessing, identical for every method and equal to the Java job's (Spark StandardScaler,
withMean = withStd = true, fitted on the training set): per feature, subtract the training
mean and divide by the training standard deviation with ddof = 1; a feature whose training
std is 0 becomes 0. Pixels enter as raw values (0..255, digits 0..16).

`train_limit` keeps the first N training points (statistics are fitted on those N only).
`validate_last` (for tuning without looking at the test set) replaces the test set by the
LAST N points of the official training set; the training points must not overlap them.
"""
import argparse
import gzip
import json
import os
import platform
import socket
import struct
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "bench", "data")
DATASETS = ("digits", "mnist", "fashion", "mnist-pca16")
IDX_DIRS = {"mnist": "mnist", "fashion": "fashion-mnist"}


def read_idx(path):
    """An IDX file (uncompressed, or .gz) as a numpy array of its stored type."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(shape)):
        raise ValueError(f"{path}: {arr.size} values, header says {shape}")
    return arr.reshape(shape)


def _read_csv_label_last(path):
    arr = np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=2)
    return arr[:, :-1], arr[:, -1].astype(np.int64)


def load_raw(name):
    """(X_train, y_train, X_test, y_test): float64 raw features, int64 labels 0..q-1."""
    if name == "digits":
        d = os.path.join(DATA, "digits")
        if not (os.path.exists(os.path.join(d, "train.csv"))
                and os.path.exists(os.path.join(d, "test.csv"))):
            sys.path.insert(0, DATA)
            import digits_split  # noqa: E402
            digits_split.write_split()
            print("datasets: wrote the digits split with bench/data/digits_split.py",
                  file=sys.stderr)
        Xtr, ytr = _read_csv_label_last(os.path.join(d, "train.csv"))
        Xte, yte = _read_csv_label_last(os.path.join(d, "test.csv"))
        return Xtr, ytr, Xte, yte
    if name == "mnist-pca16":
        d = os.path.join(DATA, "mnist-pca16")
        if not os.path.exists(os.path.join(d, "test.csv")):
            sys.path.insert(0, DATA)
            import mnist_pca16  # noqa: E402
            mnist_pca16.write()
        Xtr, ytr = _read_csv_label_last(os.path.join(d, "train.csv"))
        Xte, yte = _read_csv_label_last(os.path.join(d, "test.csv"))
        return Xtr, ytr, Xte, yte
    if name in IDX_DIRS:
        d = os.path.join(DATA, IDX_DIRS[name])
        if not os.path.exists(os.path.join(d, "t10k-labels-idx1-ubyte")):
            raise SystemExit(f"datasets: {d} is missing; run bench/data/fetch.sh first")

        def images(f):
            a = read_idx(os.path.join(d, f))
            return a.reshape(a.shape[0], -1).astype(np.float64)

        def labels(f):
            return read_idx(os.path.join(d, f)).astype(np.int64)

        return (images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte"),
                images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte"))
    raise SystemExit(f"datasets: unknown data set {name!r}; one of {', '.join(DATASETS)}")


def argument_parser(doc, hidden_help):
    """A peer's command line, begun: the description (the first paragraph of the peer's doc),
    --dataset and --hidden. The peer adds its own options, and add_data_options where it wants
    the options of load()."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", choices=DATASETS, default="digits")
    ap.add_argument("--hidden", type=int, help=hidden_help)
    return ap


def add_data_options(ap):
    """--train-limit and --validate-last: the training subset and validation split of load()."""
    ap.add_argument("--train-limit", type=int, help="use the first N training points")
    ap.add_argument("--validate-last", type=int,
                    help="tuning: measure on the last N training points instead of the test set")


def load_args(args):
    """load() of the parsed --dataset, --train-limit and --validate-last; says what it loaded."""
    Xtr, ytr, Xte, yte, info = load(args.dataset, args.train_limit, args.validate_last)
    print(f"data: {info}", file=sys.stderr)
    return Xtr, ytr, Xte, yte, info


def standardize(X_train, *others):
    """Spark StandardScaler(withMean=True, withStd=True) fitted on X_train (ddof = 1;
    zero-variance features map to 0). Returns the transformed arrays and (mean, std)."""
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0, ddof=1) if X_train.shape[0] > 1 else np.zeros(X_train.shape[1])
    scale = np.where(std > 0, 1.0 / np.where(std > 0, std, 1.0), 0.0)
    out = [(X - mean) * scale for X in (X_train,) + others]
    return out, (mean, std)


def load(name, train_limit=None, validate_last=None):
    """Standardised data and a description of what was loaded."""
    Xtr, ytr, Xte, yte = load_raw(name)
    n_official = Xtr.shape[0]
    test_desc = f"official test set ({Xte.shape[0]})"
    if validate_last:
        if validate_last >= n_official:
            raise SystemExit(f"--validate-last {validate_last}: only {n_official} training points")
        Xte, yte = Xtr[-validate_last:], ytr[-validate_last:]
        Xtr, ytr = Xtr[:-validate_last], ytr[:-validate_last]
        test_desc = (f"VALIDATION: last {validate_last} points of the training set "
                     f"(test set not used)")
    if train_limit:
        if train_limit > Xtr.shape[0]:
            raise SystemExit(f"--train-limit {train_limit}: only {Xtr.shape[0]} training points"
                             + (" outside the validation part" if validate_last else ""))
        Xtr, ytr = Xtr[:train_limit], ytr[:train_limit]
    (Xtr, Xte), (mean, std) = standardize(Xtr, Xte)
    q = int(max(ytr.max(), yte.max())) + 1
    info = {
        "dataset": name, "train_points": int(Xtr.shape[0]), "test_points": int(Xte.shape[0]),
        "features": int(Xtr.shape[1]), "classes": q, "train_limit": train_limit,
        "validate_last": validate_last, "test_set": test_desc,
        "zero_variance_features": int((std == 0).sum()),
        "preprocessing": "standardised with the training mean and std (ddof=1); "
                         "zero-variance features set to 0",
    }
    return Xtr, ytr, Xte, yte, info


# ---------------------------------------------------------------- results

def load_average():
    return [round(x, 2) for x in os.getloadavg()]


def machine():
    return {"host": socket.gethostname(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform()}


def epoch_record(epoch, train_seconds, epoch_seconds, eval_seconds, test, train, **extra):
    """One point of a curve, the layout summarize() reads: the epoch, its times (training time
    summed so far), test and train (accuracy, loss), the peer's extra keys, and the load average."""
    rec = {"epoch": epoch, "train_seconds": round(train_seconds, 3), "epoch_seconds": round(epoch_seconds, 3),
           "eval_seconds": round(eval_seconds, 3), "test_accuracy": test[0], "test_loss": test[1],
           "train_accuracy": train[0], "train_loss": train[1]}
    rec.update(extra)
    rec["load_average"] = load_average()
    return rec


def summarize(curve):
    """Best test accuracy, the first epoch and training seconds it was reached, final values."""
    if not curve:
        return {}
    best = max(r["test_accuracy"] for r in curve)
    first = next(r for r in curve if r["test_accuracy"] == best)
    last = curve[-1]
    return {
        "best_test_accuracy": best, "best_epoch": first["epoch"],
        "seconds_to_best": first["train_seconds"],
        "final_test_accuracy": last["test_accuracy"], "final_test_loss": last["test_loss"],
        "final_train_accuracy": last["train_accuracy"], "final_train_loss": last["train_loss"],
        "epochs": last["epoch"], "total_train_seconds": last["train_seconds"],
        "seconds_per_epoch": last["train_seconds"] / last["epoch"],
        "total_eval_seconds": sum(r.get("eval_seconds", 0.0) for r in curve),
    }


def markdown_line(method, info, summary, load_start, load_end):
    return ("| {ds} | {m} | {acc:.2f} | {sec:.1f} s (epoch {be}) | {ep} | {spe:.2f} s | {fin:.2f} "
            "| {l0} / {l1} |").format(
        ds=info["dataset"] + (f" ({info['train_points']} train)" if info.get("train_limit") else "")
        + (f" [validation: last {info['validate_last']}]" if info.get("validate_last") else ""),
        m=method, acc=100 * summary["best_test_accuracy"], sec=summary["seconds_to_best"],
        be=summary["best_epoch"], ep=summary["epochs"], spe=summary["seconds_per_epoch"],
        fin=100 * summary["final_test_accuracy"],
        l0=" ".join(f"{x:.2f}" for x in load_start), l1=" ".join(f"{x:.2f}" for x in load_end))


def write_results(path, method, config, info, curve, load_start, extra=None):
    """The JSON layout shared by the peers: method, config, data, machine, per-epoch curve,
    summary, load averages at start and end. Prints the markdown summary line."""
    load_end = load_average()
    summary = summarize(curve)
    doc = {"method": method, "config": config, "data": info, "machine": machine(),
           "load_average_start": load_start, "load_average_end": load_end,
           "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
           "curve": curve, "summary": summary}
    if extra:
        doc.update(extra)
    if path:
        d = os.path.dirname(os.path.abspath(path))
        os.makedirs(d, exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        os.replace(tmp, path)
    print("| data | method | best test acc % | time to best | epochs | s/epoch | final acc % "
          "| load avg start / end |")
    print(markdown_line(method, info, summary, load_start, load_end))
    return doc


def train_eval_indices(m, k=10000):
    """The training points on which train loss/accuracy are measured after every epoch: all of
    them when m <= k, else the first k of a fixed permutation (numpy default_rng(0)), the same
    for every method and seed."""
    if m <= k:
        return np.arange(m)
    return np.sort(np.random.default_rng(0).permutation(m)[:k])
