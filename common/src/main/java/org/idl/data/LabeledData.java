package org.idl.data;

import org.idl.linalg.Checks;
import org.idl.linalg.Matrix;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * Features (p x m, a column per data point) with integer class labels, in memory: the digits set
 * and the splits and scaling the trainers' reference runs use.
 */
public record LabeledData(Matrix features, int[] labels) {

    public LabeledData {
        if (features.cols() != labels.length) {
            throw new IllegalArgumentException(features.cols() + " data points but " + labels.length + " labels");
        }
    }

    public int size() {
        return labels.length;
    }

    public int classes() {
        return Arrays.stream(labels).max().orElse(-1) + 1;
    }

    /**
     * Reads headerless CSV lines "f1,...,fp,label" (gzip when the name ends in .gz). Malformed lines
     * fail with the file, the line number and what is wrong.
     */
    public static LabeledData readCsv(Path path) throws IOException {
        try (InputStream raw = Files.newInputStream(path)) {
            return readCsv(raw, path.toString());
        }
    }

    /** As {@link #readCsv(Path)}, from a stream (gzip when {@code name} ends in .gz) named {@code name} in errors. */
    public static LabeledData readCsv(InputStream raw, String name) throws IOException {
        try (InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<double[]> rows = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            String line;
            int lineNo = 0;
            int width = -1;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = line.split(",");
                if (width < 0) {
                    width = fields.length;
                    if (width < 2) {
                        throw new IllegalArgumentException(name + ":" + lineNo + ": needs features and a label, got '" + line + "'");
                    }
                } else if (fields.length != width) {
                    throw new IllegalArgumentException(name + ":" + lineNo + ": " + fields.length
                            + " fields, expected " + width);
                }
                double[] row = new double[width - 1];
                for (int j = 0; j < width - 1; j++) {
                    row[j] = parse(name, lineNo, j, fields[j]);
                }
                double label = parse(name, lineNo, width - 1, fields[width - 1]);
                if (label != Math.rint(label) || label < 0) {
                    throw new IllegalArgumentException(name + ":" + lineNo + ": label " + fields[width - 1]
                            + " is not a non-negative integer");
                }
                rows.add(row);
                labels.add((int) label);
            }
            if (rows.isEmpty()) {
                throw new IllegalArgumentException(name + ": no data");
            }
            Matrix x = Matrix.zeros(width - 1, rows.size());
            for (int c = 0; c < rows.size(); c++) {
                System.arraycopy(rows.get(c), 0, x.data(), c * (width - 1), width - 1);
            }
            return new LabeledData(x, labels.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    /**
     * Headerless CSV of features only, {@code width} numbers a line (a stream, gzip when {@code name} ends
     * in .gz), as the columns of a matrix; null when the first line holds another count, so that the
     * caller can read it as {@link #readCsv} data, its last value a label.
     */
    public static Matrix readFeatureCsv(InputStream raw, String name, int width) throws IOException {
        try (InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<double[]> rows = new ArrayList<>();
            String line;
            int lineNo = 0;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = line.split(",");
                if (fields.length != width) {
                    if (rows.isEmpty()) {
                        return null;
                    }
                    throw new IllegalArgumentException(name + ":" + lineNo + ": " + fields.length + " fields, expected "
                            + width);
                }
                double[] row = new double[width];
                for (int j = 0; j < width; j++) {
                    row[j] = parse(name, lineNo, j, fields[j]);
                }
                rows.add(row);
            }
            if (rows.isEmpty()) {
                throw new IllegalArgumentException(name + ": no data");
            }
            Matrix x = Matrix.zeros(width, rows.size());
            for (int c = 0; c < rows.size(); c++) {
                System.arraycopy(rows.get(c), 0, x.data(), c * width, width);
            }
            return x;
        }
    }

    private static double parse(String path, int line, int field, String text) {
        double v;
        try {
            v = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(path + ":" + line + ": field " + (field + 1) + " '" + text
                    + "' is not a number");
        }
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(path + ":" + line + ": field " + (field + 1) + " is " + v);
        }
        return v;
    }

    /** One-hot targets (classes x m). */
    public Matrix oneHot(int classes) {
        Checks.positive("classes", classes);
        Matrix y = Matrix.zeros(classes, labels.length);
        for (int c = 0; c < labels.length; c++) {
            if (labels[c] >= classes) {
                throw new IllegalArgumentException("label " + labels[c] + " of point " + c + " is not below " + classes);
            }
            y.set(labels[c], c, 1.0);
        }
        return y;
    }

    public LabeledData subset(int[] indices) {
        Matrix x = Matrix.zeros(features.rows(), indices.length);
        int[] l = new int[indices.length];
        int p = features.rows();
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(features.data(), indices[k] * p, x.data(), k * p, p);
            l[k] = labels[indices[k]];
        }
        return new LabeledData(x, l);
    }

    /** A train/test pair. */
    public record Split(LabeledData train, LabeledData test) {
    }

    /**
     * A stratified split: within each class, a seeded shuffle puts round(testFraction * classSize)
     * points in the test set; both sets keep the original order of points.
     */
    public Split stratifiedSplit(double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("testFraction must be in (0, 1), got " + testFraction);
        }
        Random random = new Random(seed);
        boolean[] inTest = new boolean[labels.length];
        for (int k = 0; k < classes(); k++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == k) {
                    members.add(i);
                }
            }
            java.util.Collections.shuffle(members, random);
            int t = (int) Math.round(testFraction * members.size());
            for (int i = 0; i < t; i++) {
                inTest[members.get(i)] = true;
            }
        }
        int[] train = java.util.stream.IntStream.range(0, labels.length).filter(i -> !inTest[i]).toArray();
        int[] test = java.util.stream.IntStream.range(0, labels.length).filter(i -> inTest[i]).toArray();
        return new Split(subset(train), subset(test));
    }
}
