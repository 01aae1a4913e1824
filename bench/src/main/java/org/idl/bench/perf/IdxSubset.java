package org.idl.bench.perf;

import org.idl.bench.Args;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Writes the first m images and labels of an IDX training pair into {@code <out>/} under the same
 * file names (the job's IDX reader has no limit option):
 * {@code IdxSubset --dir bench/data/mnist --count 15000 --out bench/data/mnist/subsets/15000}.
 */
public final class IdxSubset {
    private IdxSubset() {
    }

    public static void main(String[] args) throws Exception {
        Args o = new Args(args, Set.of("dir", "count", "out"));
        Path dir = Path.of(o.required("dir"));
        int count = Integer.parseInt(o.required("count"));
        Path out = Path.of(o.required("out"));
        Files.createDirectories(out);
        BenchData.writeIdxSubset(dir.resolve("train-images-idx3-ubyte"), dir.resolve("train-labels-idx1-ubyte"), count,
                out.resolve("train-images-idx3-ubyte"), out.resolve("train-labels-idx1-ubyte"));
        System.out.println("wrote the first " + count + " training images of " + dir + " to " + out);
    }
}
