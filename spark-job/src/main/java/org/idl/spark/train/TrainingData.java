package org.idl.spark.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.idl.linalg.Inputs;
import org.idl.linalg.Matrix;
import org.idl.train.DataBlock;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * A data set checked and cut into blocks for training: one pass over the rows validates them
 * (vector sizes, finite values, labels, weights) and reports exactly what is wrong on the driver; a
 * second turns each partition into one {@link DataBlock} of columns, with the bias row, the targets
 * (one-hot class indicators for classification) and the weights, scaled to mean 1.
 */
public final class TrainingData {
    private TrainingData() {
    }

    /** What the validation pass finds: sizes, label range and the first problem met. */
    public static final class Summary implements Serializable {
        long count;
        int minSize = Integer.MAX_VALUE;
        int maxSize = -1;
        double minLabel = Double.POSITIVE_INFINITY;
        double maxLabel = Double.NEGATIVE_INFINITY;
        long entries;
        double weightSum;
        String problem;

        Summary add(Vector features, Object label, Double weight, String featuresCol, String labelCol,
                    String weightCol, boolean classification) {
            count++;
            if (weight == null) {
                note("a null value in column '" + weightCol + "'");
            } else if (!(weight >= 0) || !Double.isFinite(weight)) {
                note("weight " + weight + " in column '" + weightCol + "' (weights must be finite and >= 0)");
            } else {
                weightSum += weight;
            }
            if (features == null) {
                note("a null value in column '" + featuresCol + "'");
                return this;
            }
            int size = features.size();
            minSize = Math.min(minSize, size);
            maxSize = Math.max(maxSize, size);
            entries += VectorInputs.storedEntries(features);
            if (problem == null) {
                double[] values = VectorInputs.storedValues(features);
                for (int k = 0; k < values.length; k++) {
                    if (!Double.isFinite(values[k])) {
                        int i = features instanceof SparseVector sv ? sv.indices()[k] : k;
                        note("feature " + i + " is " + values[k] + " in " + describe(features));
                        break;
                    }
                }
            }
            if (label == null) {
                note("a null value in column '" + labelCol + "'");
                return this;
            }
            double y = ((Number) label).doubleValue();
            if (!Double.isFinite(y)) {
                note("label " + y + " in column '" + labelCol + "'");
            } else if (classification && (y < 0 || y != Math.rint(y))) {
                note("label " + y + " in column '" + labelCol + "' is not a class index 0, 1, 2, ...");
            }
            if (Double.isFinite(y)) {
                minLabel = Math.min(minLabel, y);
                maxLabel = Math.max(maxLabel, y);
            }
            return this;
        }

        private void note(String what) {
            if (problem == null) {
                problem = what;
            }
        }

        Summary merge(Summary o) {
            count += o.count;
            minSize = Math.min(minSize, o.minSize);
            maxSize = Math.max(maxSize, o.maxSize);
            minLabel = Math.min(minLabel, o.minLabel);
            maxLabel = Math.max(maxLabel, o.maxLabel);
            entries += o.entries;
            weightSum += o.weightSum;
            if (problem == null) {
                problem = o.problem;
            }
            return this;
        }

        private static String describe(Vector v) {
            String s = v.toString();
            return s.length() > 120 ? s.substring(0, 117) + "..." : s;
        }
    }

    /** Classes a classifier takes: one output row each, dense, so the label's value sets the model's size. */
    public static final int MAX_CLASSES = 10_000;

    /**
     * Validated sizes of a data set.
     *
     * @param entries   stored feature values (a sparse vector's entries, a dense vector's size), summed
     * @param weightSum the weights' sum, or NaN when the points are not weighted
     */
    public record Shape(long count, int features, int outputs, long entries, double weightSum) {
        /** The share of stored entries among all features of all points. */
        public double density() {
            return entries / ((double) count * features);
        }

        /** What each weight is multiplied by so that their mean is 1, or NaN when the points are not weighted. */
        double weightScale() {
            return count / weightSum;
        }
    }

    /** Features, label and weight (1 when {@code weightCol} is empty) of each row. */
    public static JavaRDD<Row> rows(Dataset<?> dataset, String featuresCol, String labelCol, String weightCol) {
        if (!weightCol.isEmpty() && !java.util.Arrays.asList(dataset.columns()).contains(weightCol)) {
            throw new IllegalArgumentException("no column '" + weightCol + "' (weightCol) in "
                    + java.util.Arrays.toString(dataset.columns()));
        }
        return dataset.select(functions.col(featuresCol), functions.col(labelCol).cast("double"),
                weightCol.isEmpty() ? functions.lit(1.0) : functions.col(weightCol).cast("double")).toJavaRDD();
    }

    /** Validates the rows; throws IllegalArgumentException naming the problem and the value. */
    public static Shape validate(JavaRDD<Row> rows, String featuresCol, String labelCol, String weightCol,
                                 boolean classification, int depth) {
        Summary s = rows.treeAggregate(new Summary(),
                (acc, row) -> acc.add(row.getAs(0), row.isNullAt(1) ? null : row.getDouble(1),
                        row.isNullAt(2) ? null : row.getDouble(2), featuresCol, labelCol, weightCol,
                        classification),
                Summary::merge, depth);
        if (s.count == 0) {
            throw new IllegalArgumentException("the training data set is empty");
        }
        if (s.problem != null) {
            throw new IllegalArgumentException("bad training data: " + s.problem);
        }
        if (s.minSize != s.maxSize) {
            throw new IllegalArgumentException("column '" + featuresCol + "' holds vectors of different sizes, from "
                    + s.minSize + " to " + s.maxSize);
        }
        if (s.minSize == 0) {
            throw new IllegalArgumentException("column '" + featuresCol + "' holds vectors of size 0");
        }
        if (classification && s.maxLabel + 1 > MAX_CLASSES) {
            throw new IllegalArgumentException("label " + s.maxLabel + " in column '" + labelCol + "' asks for "
                    + (long) (s.maxLabel + 1) + " classes; at most " + MAX_CLASSES + " are supported");
        }
        int outputs = classification ? (int) s.maxLabel + 1 : 1;
        if (classification && s.minLabel == s.maxLabel) {
            throw new IllegalArgumentException("classification needs at least 2 classes; every label in column '"
                    + labelCol + "' is " + s.maxLabel);
        }
        boolean weighted = !weightCol.isEmpty();
        if (weighted && !(s.weightSum > 0)) {
            throw new IllegalArgumentException("every weight in column '" + weightCol + "' is 0");
        }
        if (weighted && !Double.isFinite(s.weightSum)) {
            throw new IllegalArgumentException("the weights in column '" + weightCol + "' sum to " + s.weightSum
                    + ": scale them down (only their ratios matter)");
        }
        return new Shape(s.count, s.minSize, outputs, s.entries, weighted ? s.weightSum : Double.NaN);
    }

    /**
     * One block per non-empty partition: inputs (with the bias row), targets and weights (scaled to
     * mean 1 over the data set; none when the points are not weighted) as columns. The inputs are
     * sparse when {@code allowSparse} and the partition's vectors are mostly zeros ({@link VectorInputs}).
     */
    public static JavaRDD<DataBlock> blocks(JavaRDD<Row> rows, Shape shape, boolean bias, boolean classification,
                                            boolean allowSparse, String featuresCol) {
        int p = shape.features();
        int q = shape.outputs();
        double weightScale = shape.weightScale();
        return rows.mapPartitionsWithIndex((Integer index, Iterator<Row> it) -> {
            List<Vector> features = new ArrayList<>();
            List<Double> labels = new ArrayList<>();
            List<Double> weights = new ArrayList<>();
            while (it.hasNext()) {
                Row row = it.next();
                features.add(row.getAs(0));
                labels.add(row.getDouble(1));
                weights.add(row.getDouble(2));
            }
            if (features.isEmpty()) {
                return Collections.emptyIterator();
            }
            int m = features.size();
            Inputs u = VectorInputs.of(features, p, bias, allowSparse, featuresCol);
            Matrix y = Matrix.zeros(q, m);
            double[] w = Double.isNaN(weightScale) ? null : new double[m];
            for (int c = 0; c < m; c++) {
                if (w != null) {
                    w[c] = weights.get(c) * weightScale;
                }
                if (classification) {
                    y.set((int) (double) labels.get(c), c, 1.0);
                } else {
                    y.set(0, c, labels.get(c));
                }
            }
            return Collections.singletonList(DataBlock.of(u, y, w, index)).iterator();
        }, true);
    }
}
