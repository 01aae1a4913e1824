package org.idl.spark.job;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.Collection;

/**
 * An output that appears whole or not at all: written under a hidden temporary name beside the
 * target, then renamed into place. An existing target is refused unless overwriting was asked for;
 * the check runs before Spark starts.
 */
final class OutputDir {
    interface Writer {
        void write(Path tmp, FileSystem fs) throws IOException;
    }

    private final Path target;
    private final boolean overwrite;

    private OutputDir(Path target, boolean overwrite) {
        this.target = target;
        this.overwrite = overwrite;
    }

    /**
     * Checks the output before Spark starts. {@code inputs} are the paths the command reads (empty
     * ones skipped): an output equal to one, holding one, or inside one is refused, since replacing
     * it would delete the input, and writing inside an input directory would add to its data.
     */
    static OutputDir prepare(String out, boolean overwrite, Collection<String> inputs) throws IOException {
        Configuration hadoop = new Configuration();
        Path target = new Path(out);
        FileSystem fs = target.getFileSystem(hadoop);
        Path qualified = fs.makeQualified(target);
        for (String input : inputs) {
            if (input == null || input.isEmpty()) {
                continue;
            }
            Path in = new Path(input);
            Path q = in.getFileSystem(hadoop).makeQualified(in);
            if (within(q, qualified) || within(qualified, q)) {
                throw new IllegalArgumentException("output " + target + " overlaps the input " + input
                        + "; write the output elsewhere");
            }
        }
        if (fs.exists(target) && !overwrite) {
            throw new IllegalArgumentException("output " + target + " exists; pass --overwrite to replace it");
        }
        requireWritable(fs, target);
        return new OutputDir(target, overwrite);
    }

    /**
     * Writes and deletes a probe file where the output will be written (beside the target), so that a
     * read-only or missing location fails now, not after training.
     */
    private static void requireWritable(FileSystem fs, Path target) {
        Path parent = target.getParent() == null ? new Path(".") : target.getParent();
        Path probe = new Path(parent, "." + target.getName() + ".probe-" + System.nanoTime());
        try {
            fs.mkdirs(parent);
            fs.create(probe, false).close();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot write the output " + target + ": " + e.getMessage(), e);
        } finally {
            try {
                fs.delete(probe, false);
            } catch (IOException ignored) {
                // nothing was written, or it is gone already
            }
        }
    }

    /**
     * Deletes what a job killed while writing this output left beside it (its hidden temporary
     * directory): a later run of the same output is the one that knows it is garbage.
     */
    private void removeLeftovers(FileSystem fs, Path parent) throws IOException {
        String prefix = "." + target.getName() + ".tmp-";
        if (!fs.exists(parent)) {
            return;
        }
        for (org.apache.hadoop.fs.FileStatus s : fs.listStatus(parent)) {
            if (s.getPath().getName().startsWith(prefix)) {
                fs.delete(s.getPath(), true);
            }
        }
    }

    /** Whether {@code path} is {@code dir} or below it. */
    private static boolean within(Path path, Path dir) {
        for (Path p = path; p != null; p = p.getParent()) {
            if (p.equals(dir)) {
                return true;
            }
        }
        return false;
    }

    Path target() {
        return target;
    }

    void commit(Configuration hadoop, Writer writer) throws IOException {
        FileSystem fs = target.getFileSystem(hadoop);
        Path parent = target.getParent() == null ? new Path(".") : target.getParent();
        removeLeftovers(fs, parent);
        Path tmp = new Path(parent, "." + target.getName() + ".tmp-" + System.currentTimeMillis());
        try {
            writer.write(tmp, fs);
            if (fs.exists(target)) {
                if (!overwrite) {
                    throw new IllegalArgumentException("output " + target + " appeared while the job ran; not replacing it");
                }
                fs.delete(target, true);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("could not rename " + tmp + " to " + target);
            }
        } finally {
            if (fs.exists(tmp)) {
                fs.delete(tmp, true);
            }
        }
    }
}
