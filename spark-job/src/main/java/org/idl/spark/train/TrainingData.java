package org.idl.spark.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.idl.linalg.Matrix;
import org.idl.train.DataBlock;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * A data set checked and cut into blocks for training: one pass over the rows validates them
 * (vector sizes, finite values, labels) and reports exactly what is wrong on the driver; a second
 * turns each partition into one {@link DataBlock} of columns, with the bias row and the targets
 * (one-hot class indicators for classification).
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
        String problem;

        Summary add(Vector features, Object label, String featuresCol, String labelCol, boolean classification) {
            count++;
            if (features == null) {
                note("a null value in column '" + featuresCol + "'");
                return this;
            }
            int size = features.size();
            minSize = Math.min(minSize, size);
            maxSize = Math.max(maxSize, size);
            if (problem == null) {
                double[] values = features.toArray();
                for (int i = 0; i < values.length; i++) {
                    if (!Double.isFinite(values[i])) {
                        note("feature " + i + " is " + values[i] + " in " + describe(features));
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

    /** Validated sizes of a data set. */
    public record Shape(long count, int features, int outputs) {
    }

    public static JavaRDD<Row> rows(Dataset<?> dataset, String featuresCol, String labelCol) {
        return dataset.select(functions.col(featuresCol), functions.col(labelCol).cast("double")).toJavaRDD();
    }

    /** Validates the rows; throws IllegalArgumentException naming the problem and the value. */
    public static Shape validate(JavaRDD<Row> rows, String featuresCol, String labelCol, boolean classification, int depth) {
        Summary s = rows.treeAggregate(new Summary(),
                (acc, row) -> acc.add(row.getAs(0), row.isNullAt(1) ? null : row.getDouble(1), featuresCol, labelCol,
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
        return new Shape(s.count, s.minSize, outputs);
    }

    /** One block per non-empty partition: inputs (with the bias row) and targets as columns. */
    public static JavaRDD<DataBlock> blocks(JavaRDD<Row> rows, Shape shape, boolean bias, boolean classification) {
        int p = shape.features();
        int q = shape.outputs();
        return rows.mapPartitionsWithIndex((Integer index, Iterator<Row> it) -> {
            List<double[]> features = new ArrayList<>();
            List<Double> labels = new ArrayList<>();
            while (it.hasNext()) {
                Row row = it.next();
                features.add(((Vector) row.getAs(0)).toArray());
                labels.add(row.getDouble(1));
            }
            if (features.isEmpty()) {
                return Collections.emptyIterator();
            }
            int m = features.size();
            Matrix u = Matrix.zeros(p + (bias ? 1 : 0), m);
            Matrix y = Matrix.zeros(q, m);
            for (int c = 0; c < m; c++) {
                System.arraycopy(features.get(c), 0, u.data(), c * u.rows(), p);
                if (bias) {
                    u.set(p, c, 1.0);
                }
                if (classification) {
                    y.set((int) (double) labels.get(c), c, 1.0);
                } else {
                    y.set(0, c, labels.get(c));
                }
            }
            return Collections.singletonList(DataBlock.of(u, y, index)).iterator();
        }, true);
    }
}
