package org.idl.linalg;

import java.util.Arrays;

/**
 * A sparse matrix stored by columns (compressed sparse column): column {@code c} holds the entries
 * {@code values[k]} at rows {@code indices[k]} for k in {@code [starts[c], starts[c + 1])}, rows
 * increasing. The inputs of text-like data: 200,000 features, a few hundred present in each point.
 * The products walk the stored entries only, each touching one contiguous column of the dense
 * factor, so their cost is (entries) x (the dense factor's rows).
 */
public final class SparseColumns implements Inputs {
    private static final long serialVersionUID = 1L;

    private final int rows;
    private final int[] starts;
    private final int[] indices;
    private final double[] values;

    public SparseColumns(int rows, int[] starts, int[] indices, double[] values) {
        if (starts.length == 0 || starts[0] != 0 || starts[starts.length - 1] != indices.length
                || indices.length != values.length) {
            throw new IllegalArgumentException("inconsistent sparse columns: " + (starts.length - 1) + " columns, "
                    + indices.length + " indices, " + values.length + " values");
        }
        for (int c = 0; c + 1 < starts.length; c++) {
            for (int k = starts[c]; k < starts[c + 1]; k++) {
                int i = indices[k];
                if (i < 0 || i >= rows || (k > starts[c] && i <= indices[k - 1])) {
                    throw new IllegalArgumentException("column " + c + " of a sparse matrix with " + rows
                            + " rows has row index " + i + " out of range or out of order");
                }
            }
        }
        this.rows = rows;
        this.starts = starts;
        this.indices = indices;
        this.values = values;
    }

    /** Builds columns one at a time. */
    public static final class Builder {
        private final int rows;
        private int[] starts = new int[17];
        private int[] indices = new int[256];
        private double[] values = new double[256];
        private int cols;
        private int size;

        public Builder(int rows) {
            this.rows = rows;
        }

        /** Appends a column: the entries at {@code idx[0..count)} (increasing), then optionally a last row of 1 (the bias). */
        public Builder add(int[] idx, double[] val, int count, boolean onesRow) {
            int need = size + count + 1;
            if (need > indices.length) {
                int grown = Math.max(need, indices.length * 2);
                indices = Arrays.copyOf(indices, grown);
                values = Arrays.copyOf(values, grown);
            }
            for (int k = 0; k < count; k++) {
                if (val[k] != 0) {
                    indices[size] = idx[k];
                    values[size++] = val[k];
                }
            }
            if (onesRow) {
                indices[size] = rows - 1;
                values[size++] = 1.0;
            }
            if (cols + 2 > starts.length) {
                starts = Arrays.copyOf(starts, starts.length * 2);
            }
            starts[++cols] = size;
            return this;
        }

        public SparseColumns build() {
            return new SparseColumns(rows, Arrays.copyOf(starts, cols + 1), Arrays.copyOf(indices, size),
                    Arrays.copyOf(values, size));
        }
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return starts.length - 1;
    }

    /** Stored entries. */
    public int entries() {
        return indices.length;
    }

    @Override
    public void addLeftProduct(Matrix w, Matrix out) {
        if (w.cols() != rows || out.rows() != w.rows() || out.cols() != cols()) {
            throw new IllegalArgumentException("W U with W " + w.shape() + ", U " + rows + "x" + cols() + " (sparse) into "
                    + out.shape());
        }
        int r = w.rows();
        double[] wd = w.data();
        double[] od = out.data();
        for (int c = 0; c < cols(); c++) {
            int o = c * r;
            for (int k = starts[c]; k < starts[c + 1]; k++) {
                double v = values[k];
                int at = indices[k] * r;
                for (int i = 0; i < r; i++) {
                    od[o + i] += v * wd[at + i];
                }
            }
        }
    }

    @Override
    public void addGradientProduct(Matrix g, Matrix out) {
        if (g.cols() != cols() || out.rows() != g.rows() || out.cols() != rows) {
            throw new IllegalArgumentException("G U^T with G " + g.shape() + ", U " + rows + "x" + cols() + " (sparse) into "
                    + out.shape());
        }
        int r = g.rows();
        double[] gd = g.data();
        double[] od = out.data();
        for (int c = 0; c < cols(); c++) {
            int from = c * r;
            for (int k = starts[c]; k < starts[c + 1]; k++) {
                double v = values[k];
                int at = indices[k] * r;
                for (int i = 0; i < r; i++) {
                    od[at + i] += v * gd[from + i];
                }
            }
        }
    }

    @Override
    public SparseColumns columnsAt(int[] order, int from, int to) {
        int[] s = new int[to - from + 1];
        int total = 0;
        for (int c = from; c < to; c++) {
            total += starts[order[c] + 1] - starts[order[c]];
            s[c - from + 1] = total;
        }
        int[] idx = new int[total];
        double[] val = new double[total];
        for (int c = from; c < to; c++) {
            int src = starts[order[c]];
            int len = starts[order[c] + 1] - src;
            System.arraycopy(indices, src, idx, s[c - from], len);
            System.arraycopy(values, src, val, s[c - from], len);
        }
        return new SparseColumns(rows, s, idx, val);
    }

    @Override
    public boolean isFinite() {
        for (double v : values) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** The dense copy: for tests and small blocks. */
    public Matrix toDense() {
        Matrix out = Matrix.zeros(rows, cols());
        double[] d = out.data();
        for (int c = 0; c < cols(); c++) {
            for (int k = starts[c]; k < starts[c + 1]; k++) {
                d[c * rows + indices[k]] = values[k];
            }
        }
        return out;
    }

    @Override
    public Matrix dense(String forWhat) {
        throw new IllegalArgumentException(forWhat + " needs dense inputs, and these are sparse (" + rows
                + " features, " + entries() + " stored entries in " + cols() + " points); only the gradient solver"
                + " trains on sparse inputs");
    }
}
