package org.idl.spark.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * MNIST's IDX files: images (magic 2051 = 0x803, uint8 n x rows x cols) and labels (magic 2049 =
 * 0x801, uint8 n). The driver checks the headers; the executors read slices of the images
 * themselves (so neither the driver nor task messages carry the data), and a file that ends early
 * becomes an error marker like a bad line. Records of the images file are file 0, of the labels file 1.
 */
final class IdxReader {
    /** IDX images are read by the executors in slices of about this many bytes. */
    private static final long SLICE_BYTES = 4L << 20;

    /** Larger images than this (pixels) mean a corrupt IDX header. */
    private static final long MAX_PIXELS = 1L << 24;

    private IdxReader() {
    }

    static JavaRDD<ParsedRecord> read(SparkSession spark, DataSource source) throws IOException {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String imagesFile = source.path();
        // No labels file (data to predict, source.labelsOptional()): images only.
        String labelsFile = source.labelsPath() == null || source.labelsPath().isEmpty() ? null : source.labelsPath();
        int n;
        int rows;
        int cols;
        try (DataInputStream in = open(hadoop, imagesFile)) {
            int magic = readInt(in, imagesFile);
            if (magic != 0x00000803) {
                throw new IllegalArgumentException(imagesFile + ": magic number " + magic
                        + " is not that of IDX images (2051 = 0x803)");
            }
            n = readInt(in, imagesFile);
            rows = readInt(in, imagesFile);
            cols = readInt(in, imagesFile);
        }
        if (n < 0 || rows <= 0 || cols <= 0 || (long) rows * cols > MAX_PIXELS) {
            throw new IllegalArgumentException(imagesFile + ": bad dimensions " + n + " x " + rows + " x " + cols);
        }
        if (labelsFile != null) {
            try (DataInputStream in = open(hadoop, labelsFile)) {
                int magic = readInt(in, labelsFile);
                if (magic != 0x00000801) {
                    throw new IllegalArgumentException(labelsFile + ": magic number " + magic
                            + " is not that of IDX labels (2049 = 0x801)");
                }
                int count = readInt(in, labelsFile);
                if (count != n) {
                    throw new IllegalArgumentException(labelsFile + ": " + count + " labels for " + n
                            + " images in " + imagesFile);
                }
            }
        }
        int size = rows * cols;
        checkLength(hadoop, imagesFile, 16, size, n, "image");
        if (labelsFile != null) {
            checkLength(hadoop, labelsFile, 8, 1, n, "label");
        }
        int slices = (int) Math.min(Math.max(1, n),
                Math.max(spark.sparkContext().defaultParallelism(), ((long) n * size + SLICE_BYTES - 1) / SLICE_BYTES));
        List<Integer> sliceIds = new ArrayList<>();
        for (int s = 0; s < slices; s++) {
            sliceIds.add(s);
        }
        SerializableConfiguration conf = new SerializableConfiguration(hadoop);
        int total = n;
        return JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(sliceIds, slices)
                .flatMap(s -> slice(conf, imagesFile, labelsFile, total, size,
                        (int) ((long) total * s / slices), (int) ((long) total * (s + 1) / slices)).iterator());
    }

    /** Images {@code from} (inclusive) to {@code to} with their labels, or an error where a file ends. */
    private static List<ParsedRecord> slice(SerializableConfiguration conf, String imagesFile, String labelsFile,
                                            int n, int size, int from, int to) throws IOException {
        List<ParsedRecord> out = new ArrayList<>(to - from);
        try (DataInputStream images = open(conf.value(), imagesFile);
             DataInputStream labels = labelsFile == null ? null : open(conf.value(), labelsFile)) {
            byte[] pixels = new byte[size];
            int i = from;
            try {
                images.skipNBytes(16 + (long) from * size);
            } catch (EOFException e) {
                return List.of(ParsedRecord.error(0, from + 1, imagesFile + ": ends before image " + (from + 1)
                        + " of " + n));
            }
            try {
                if (labels != null) {
                    labels.skipNBytes(8 + (long) from);
                }
            } catch (EOFException e) {
                return List.of(ParsedRecord.error(1, from + 1, labelsFile + ": ends before label " + (from + 1)
                        + " of " + n));
            }
            for (; i < to; i++) {
                try {
                    images.readFully(pixels);
                } catch (EOFException e) {
                    out.add(ParsedRecord.error(0, i + 1, imagesFile + ": ends in image " + (i + 1) + " of " + n));
                    break;
                }
                int label = -1;
                try {
                    if (labels != null) {
                        label = labels.readUnsignedByte();
                    }
                } catch (EOFException e) {
                    out.add(ParsedRecord.error(1, i + 1, labelsFile + ": ends before label " + (i + 1) + " of " + n));
                    break;
                }
                double[] x = new double[size];
                for (int k = 0; k < size; k++) {
                    x[k] = pixels[k] & 0xff;
                }
                out.add(new ParsedRecord(Vectors.dense(x), labels == null ? null : Integer.toString(label), null, 0,
                        i + 1));
            }
        }
        return out;
    }

    /**
     * Whether a file can hold the records its header announces: a plain file must be long enough; a
     * gzip file cannot inflate by more than DEFLATE's maximum ratio (about 1032). So a corrupt header
     * fails here rather than launching a job for billions of records.
     */
    private static void checkLength(Configuration hadoop, String file, int header, int recordBytes, int n, String what)
            throws IOException {
        Path path = new Path(file);
        long length = path.getFileSystem(hadoop).getFileStatus(path).getLen();
        long needed = header + (long) n * recordBytes;
        if (file.endsWith(".gz")) {
            if (needed > 1032 * length + 1024) {
                throw new IllegalArgumentException(file + ": " + length + " bytes of gzip cannot hold " + n + " "
                        + what + "s of " + recordBytes + " bytes");
            }
        } else if (length < needed) {
            throw new IllegalArgumentException(file + ": ends in " + what + " " + ((length - header) / recordBytes + 1)
                    + " of " + n + " (" + length + " bytes, " + needed + " needed)");
        }
    }

    private static int readInt(DataInputStream in, String file) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new IllegalArgumentException(file + ": ends in the IDX header");
        }
    }

    /** A file through its Hadoop FileSystem, gunzipped when its name ends with .gz. */
    private static DataInputStream open(Configuration hadoop, String file) throws IOException {
        Path path = new Path(file);
        FSDataInputStream raw;
        try {
            raw = path.getFileSystem(hadoop).open(path);
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException("data " + file + " does not exist");
        }
        try {
            InputStream in = file.endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
            return new DataInputStream(new BufferedInputStream(in, 1 << 16));
        } catch (IOException e) {
            raw.close();
            throw new IllegalArgumentException(file + ": not a gzip file (" + e.getMessage() + ")");
        }
    }
}
