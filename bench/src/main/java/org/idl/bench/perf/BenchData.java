package org.idl.bench.perf;

import org.idl.linalg.Matrix;
import org.idl.train.DataBlock;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The benchmark data sets in memory, read without Spark: MNIST / Fashion-MNIST IDX files
 * ({@code bench/data/fetch.sh}) and the digits split ({@code bench/data/digits/{train,test}.csv},
 * headerless, 64 features then the label). Features are row-major {@code double[point][feature]}.
 */
public final class BenchData {

    /** One set of points: features and integer labels 0..classes-1. */
    public record Set(double[][] features, int[] labels) {
        public int size() {
            return labels.length;
        }

        public int dimension() {
            return features.length == 0 ? 0 : features[0].length;
        }

        public int classes() {
            int max = -1;
            for (int l : labels) {
                max = Math.max(max, l);
            }
            return max + 1;
        }

        public Set first(int count) {
            int k = Math.min(count, size());
            double[][] f = new double[k][];
            System.arraycopy(features, 0, f, 0, k);
            int[] l = new int[k];
            System.arraycopy(labels, 0, l, 0, k);
            return new Set(f, l);
        }
    }

    public record Split(String name, Set train, Set test, String source) {
    }

    private BenchData() {
    }

    /**
     * Loads {@code mnist}, {@code fashion-mnist} (official 60k/10k split) or {@code digits} (the
     * bench split) from {@code root} = the project directory.
     */
    public static Split load(Path root, String name) throws IOException {
        return switch (name) {
            case "mnist", "fashion-mnist" -> {
                Path dir = root.resolve("bench/data").resolve(name);
                yield new Split(name, idx(dir.resolve("train-images-idx3-ubyte"), dir.resolve("train-labels-idx1-ubyte"),
                        Integer.MAX_VALUE),
                        idx(dir.resolve("t10k-images-idx3-ubyte"), dir.resolve("t10k-labels-idx1-ubyte"), Integer.MAX_VALUE),
                        dir + " (official split)");
            }
            case "digits" -> {
                Path dir = root.resolve("bench/data/digits");
                yield new Split(name, csvLabelLast(dir.resolve("train.csv")), csvLabelLast(dir.resolve("test.csv")),
                        dir + "/{train,test}.csv (bench/data/digits_split.py: stratified 75/25, seed 0)");
            }
            default -> throw new IllegalArgumentException("unknown data set '" + name
                    + "'; expected mnist, fashion-mnist or digits");
        };
    }

    /** The first {@code limit} images of an IDX pair, pixels as 0..255. */
    public static Set idx(Path images, Path labels, int limit) throws IOException {
        if (!Files.exists(images)) {
            throw new IllegalArgumentException(images + " does not exist; run bench/data/fetch.sh");
        }
        try (DataInputStream im = open(images); DataInputStream lb = open(labels)) {
            if (im.readInt() != 0x803 || lb.readInt() != 0x801) {
                throw new IllegalArgumentException(images + " / " + labels + ": not IDX images / labels");
            }
            int n = im.readInt();
            int rows = im.readInt();
            int cols = im.readInt();
            if (lb.readInt() != n) {
                throw new IllegalArgumentException(labels + ": label count differs from " + images);
            }
            int k = Math.min(n, limit);
            int size = rows * cols;
            double[][] f = new double[k][size];
            int[] l = new int[k];
            byte[] px = new byte[size];
            for (int i = 0; i < k; i++) {
                im.readFully(px);
                for (int j = 0; j < size; j++) {
                    f[i][j] = px[j] & 0xff;
                }
                l[i] = lb.readUnsignedByte();
            }
            return new Set(f, l);
        }
    }

    private static DataInputStream open(Path p) throws IOException {
        InputStream in = new java.io.BufferedInputStream(Files.newInputStream(p), 1 << 20);
        return new DataInputStream(p.toString().endsWith(".gz") ? new GZIPInputStream(in) : in);
    }

    /**
     * Writes the first {@code count} images and labels of an IDX pair as a new, smaller IDX pair
     * (the job's IDX reader has no limit option, so subsets are files).
     */
    public static void writeIdxSubset(Path images, Path labels, int count, Path outImages, Path outLabels)
            throws IOException {
        try (DataInputStream im = open(images); DataInputStream lb = open(labels);
             DataOutputStream oi = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(outImages)));
             DataOutputStream ol = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(outLabels)))) {
            int magicI = im.readInt();
            int n = im.readInt();
            int rows = im.readInt();
            int cols = im.readInt();
            int magicL = lb.readInt();
            int nl = lb.readInt();
            if (magicI != 0x803 || magicL != 0x801 || nl != n || count > n || count <= 0) {
                throw new IllegalArgumentException("cannot take " + count + " of " + n + " images from " + images);
            }
            oi.writeInt(magicI);
            oi.writeInt(count);
            oi.writeInt(rows);
            oi.writeInt(cols);
            copy(im, oi, (long) count * rows * cols);
            ol.writeInt(magicL);
            ol.writeInt(count);
            copy(lb, ol, count);
        }
    }

    private static void copy(InputStream in, OutputStream out, long bytes) throws IOException {
        byte[] buf = new byte[1 << 16];
        long left = bytes;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                throw new IOException("file ends " + left + " bytes early");
            }
            out.write(buf, 0, r);
            left -= r;
        }
    }

    /** Headerless CSV (optionally gzipped): features, then an integer label. */
    public static Set csvLabelLast(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(file + " does not exist; run bench/data/digits_split.py");
        }
        List<double[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new java.io.InputStreamReader(open(file),
                java.nio.charset.StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.split(",");
                double[] f = new double[parts.length - 1];
                for (int j = 0; j < f.length; j++) {
                    f[j] = Double.parseDouble(parts[j].trim());
                }
                rows.add(f);
                labels.add((int) Double.parseDouble(parts[parts.length - 1].trim()));
            }
        }
        return new Set(rows.toArray(new double[0][]), labels.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * Standardisation as Spark's {@code StandardScaler(withMean, withStd)} fitted on {@code fit}: the
     * corrected (n - 1) standard deviation, and a feature with zero deviation maps to 0.
     */
    public static double[][] standardizer(Set fit) {
        int p = fit.dimension();
        int m = fit.size();
        double[] mean = new double[p];
        double[] sd = new double[p];
        for (double[] row : fit.features()) {
            for (int j = 0; j < p; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < p; j++) {
            mean[j] /= m;
        }
        for (double[] row : fit.features()) {
            for (int j = 0; j < p; j++) {
                double d = row[j] - mean[j];
                sd[j] += d * d;
            }
        }
        for (int j = 0; j < p; j++) {
            sd[j] = m > 1 ? Math.sqrt(sd[j] / (m - 1)) : 0;
        }
        return new double[][]{mean, sd};
    }

    /**
     * The trainer's layout: U (p+1 x m, column per point, bias row of ones last) standardised with
     * {@code scaler}, and one-hot targets Y (q x m).
     */
    public static Matrix[] augmented(Set s, double[][] scaler, int classes) {
        int p = s.dimension();
        int m = s.size();
        Matrix u = Matrix.zeros(p + 1, m);
        Matrix y = Matrix.zeros(classes, m);
        double[] ud = u.data();
        double[] mean = scaler[0];
        double[] sd = scaler[1];
        for (int c = 0; c < m; c++) {
            double[] row = s.features()[c];
            int o = c * (p + 1);
            for (int j = 0; j < p; j++) {
                ud[o + j] = sd[j] == 0 ? 0 : (row[j] - mean[j]) / sd[j];
            }
            ud[o + p] = 1.0;
            y.set(s.labels()[c], c, 1.0);
        }
        return new Matrix[]{u, y};
    }

    /** The columns of (U, Y) in {@code count} consecutive blocks of near-equal size, block b with index b. */
    public static List<DataBlock> blocks(Matrix u, Matrix y, int count) {
        int m = u.cols();
        List<DataBlock> list = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            int from = (int) ((long) m * b / count);
            int to = (int) ((long) m * (b + 1) / count);
            list.add(DataBlock.of(u.columns(from, to), y.columns(from, to), b));
        }
        return list;
    }
}
