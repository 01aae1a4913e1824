package org.idl.spark.train;

import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.idl.linalg.Inputs;
import org.idl.linalg.Matrix;
import org.idl.linalg.SparseColumns;

import java.util.List;

/**
 * Spark ML feature vectors as the columns of a block's inputs U, with the bias row when the model
 * has one: sparse ({@link SparseColumns}) when the vectors are mostly zeros and sparse inputs are
 * allowed, dense otherwise. Sparse vectors are read by their stored entries, never expanded, so a
 * point with 200,000 features and 100 words costs 100 entries.
 */
public final class VectorInputs {
    /**
     * Below this share of nonzero entries the sparse products are faster than the dense BLAS ones
     * (they run at a few GFLOP/s against about 50) and take far less memory.
     */
    public static final double SPARSE_DENSITY = 0.05;

    private VectorInputs() {
    }

    /**
     * @param p           features each vector must have
     * @param allowSparse whether the caller takes sparse inputs (the gradient solver and predictions do)
     * @throws IllegalArgumentException naming the column, the size or the value when a vector is null, of
     *                                  the wrong size, or holds a NaN or an infinity
     */
    public static Inputs of(List<Vector> vectors, int p, boolean bias, boolean allowSparse, String column) {
        long entries = 0;
        for (Vector v : vectors) {
            check(v, p, column);
            entries += v instanceof SparseVector s ? s.indices().length : p;
        }
        int m = vectors.size();
        int rows = p + (bias ? 1 : 0);
        if (allowSparse && entries < SPARSE_DENSITY * p * (double) m) {
            SparseColumns.Builder builder = new SparseColumns.Builder(rows);
            int[] all = null;
            for (Vector v : vectors) {
                if (v instanceof SparseVector s) {
                    builder.add(s.indices(), s.values(), s.indices().length, bias);
                } else {
                    if (all == null) {
                        all = new int[p];
                        for (int i = 0; i < p; i++) {
                            all[i] = i;
                        }
                    }
                    builder.add(all, v.toArray(), p, bias);
                }
            }
            return builder.build();
        }
        Matrix u = Matrix.zeros(rows, m);
        double[] d = u.data();
        for (int c = 0; c < m; c++) {
            Vector v = vectors.get(c);
            int at = c * rows;
            if (v instanceof SparseVector s) {
                int[] idx = s.indices();
                double[] val = s.values();
                for (int k = 0; k < idx.length; k++) {
                    d[at + idx[k]] = val[k];
                }
            } else {
                System.arraycopy(((DenseVector) v).values(), 0, d, at, p);
            }
            if (bias) {
                d[at + p] = 1.0;
            }
        }
        return u;
    }

    /** The stored values of a vector (all of a dense one's), without expanding a sparse one. */
    static double[] storedValues(Vector v) {
        return v instanceof SparseVector s ? s.values() : v.toArray();
    }

    /** The number of stored entries: a sparse vector's, or the size of a dense one. */
    static int storedEntries(Vector v) {
        return v instanceof SparseVector s ? s.indices().length : v.size();
    }

    private static void check(Vector v, int p, String column) {
        if (v == null) {
            throw new IllegalArgumentException("null in column '" + column + "'");
        }
        if (v.size() != p) {
            throw new IllegalArgumentException("column '" + column + "' has a vector of size " + v.size()
                    + ", the model expects " + p);
        }
        double[] values = storedValues(v);
        for (double x : values) {
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException("column '" + column + "' has a vector with the value " + x);
            }
        }
    }
}
