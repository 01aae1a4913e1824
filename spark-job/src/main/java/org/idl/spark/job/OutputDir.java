package org.idl.spark.job;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;

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

    static OutputDir prepare(String out, boolean overwrite) throws IOException {
        Path target = new Path(out);
        if (target.getFileSystem(new Configuration()).exists(target) && !overwrite) {
            throw new IllegalArgumentException("output " + target + " exists; pass --overwrite to replace it");
        }
        return new OutputDir(target, overwrite);
    }

    Path target() {
        return target;
    }

    void commit(Configuration hadoop, Writer writer) throws IOException {
        FileSystem fs = target.getFileSystem(hadoop);
        Path parent = target.getParent() == null ? new Path(".") : target.getParent();
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
