package org.idl.linalg;

import dev.ludovic.netlib.blas.BLAS;

import java.util.Arrays;
import java.util.Random;

/**
 * A dense double matrix stored column-major, so that each column (one data point, in this project's
 * layout) is contiguous. Products go through netlib's {@link BLAS}: native OpenBLAS where installed,
 * the Java vector fallback otherwise; the same path Spark ML multiplies through.
 *
 * <p>Matrices are mutable: steps update their working blocks in place to avoid allocating per
 * iteration. Anything kept beyond one call (a model's parameters) is a private copy.
 */
public final class Matrix implements Inputs {
    private static final long serialVersionUID = 1L;

    private final int rows;
    private final int cols;
    private final double[] data;

    private Matrix(int rows, int cols, double[] data) {
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    static BLAS blas() {
        return BLAS.getInstance();
    }

    public static Matrix zeros(int rows, int cols) {
        Checks.nonNegative("rows", rows);
        Checks.nonNegative("cols", cols);
        if ((long) rows * cols > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a " + rows + " x " + cols + " matrix has " + (long) rows * cols
                    + " entries, more than a Java array holds (2^31 - 1): use more partitions (smaller blocks of data),"
                    + " or fewer features or hidden units");
        }
        return new Matrix(rows, cols, new double[rows * cols]);
    }

    /** Wraps (does not copy) column-major data. */
    public static Matrix wrap(int rows, int cols, double[] columnMajor) {
        if (columnMajor.length != (long) rows * cols) {
            throw new IllegalArgumentException("data of length " + columnMajor.length
                    + " does not hold a " + rows + " x " + cols + " matrix");
        }
        return new Matrix(rows, cols, columnMajor);
    }

    /** Copies a row-major array of rows; all rows must have the same length. */
    public static Matrix of(double[][] rowMajor) {
        int r = rowMajor.length;
        int c = r == 0 ? 0 : rowMajor[0].length;
        Matrix m = zeros(r, c);
        for (int i = 0; i < r; i++) {
            if (rowMajor[i].length != c) {
                throw new IllegalArgumentException("row " + i + " has " + rowMajor[i].length
                        + " entries, row 0 has " + c);
            }
            for (int j = 0; j < c; j++) {
                m.data[i + j * r] = rowMajor[i][j];
            }
        }
        return m;
    }

    public static Matrix identity(int n) {
        Matrix m = zeros(n, n);
        for (int i = 0; i < n; i++) {
            m.data[i + i * n] = 1.0;
        }
        return m;
    }

    public static Matrix gaussian(int rows, int cols, double std, Random random) {
        Matrix m = zeros(rows, cols);
        for (int k = 0; k < m.data.length; k++) {
            m.data[k] = std * random.nextGaussian();
        }
        return m;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** The backing column-major array (not a copy). */
    public double[] data() {
        return data;
    }

    public double get(int i, int j) {
        return data[i + j * rows];
    }

    public void set(int i, int j, double v) {
        data[i + j * rows] = v;
    }

    public Matrix copy() {
        return new Matrix(rows, cols, data.clone());
    }

    public Matrix transpose() {
        Matrix t = zeros(cols, rows);
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < rows; i++) {
                t.data[j + i * cols] = data[i + j * rows];
            }
        }
        return t;
    }

    public double[] row(int i) {
        double[] r = new double[cols];
        for (int j = 0; j < cols; j++) {
            r[j] = data[i + j * rows];
        }
        return r;
    }

    public void setRow(int i, double[] values) {
        for (int j = 0; j < cols; j++) {
            data[i + j * rows] = values[j];
        }
    }

    /** Copy of rows [r0, r1) and columns [c0, c1). */
    public Matrix block(int r0, int r1, int c0, int c1) {
        if (r0 < 0 || r1 > rows || r0 > r1 || c0 < 0 || c1 > cols || c0 > c1) {
            throw new IllegalArgumentException("block rows [" + r0 + ", " + r1 + ") cols [" + c0 + ", " + c1
                    + ") outside a " + shape() + " matrix");
        }
        Matrix b = zeros(r1 - r0, c1 - c0);
        for (int j = c0; j < c1; j++) {
            System.arraycopy(data, r0 + j * rows, b.data, (j - c0) * b.rows, b.rows);
        }
        return b;
    }

    /** Copy of columns [c0, c1): contiguous in this layout. */
    public Matrix columns(int c0, int c1) {
        return block(0, rows, c0, c1);
    }

    /** Copy of the columns {@code order[from..to)}, in that order. */
    @Override
    public Matrix columnsAt(int[] order, int from, int to) {
        Matrix out = zeros(rows, to - from);
        for (int c = from; c < to; c++) {
            System.arraycopy(data, order[c] * rows, out.data, (c - from) * rows, rows);
        }
        return out;
    }

    /** Writes {@code b} into this matrix with its top-left corner at (r0, c0). */
    public void setBlock(int r0, int c0, Matrix b) {
        if (r0 < 0 || c0 < 0 || r0 + b.rows > rows || c0 + b.cols > cols) {
            throw new IllegalArgumentException("a " + b.shape() + " block at (" + r0 + ", " + c0
                    + ") does not fit in a " + shape() + " matrix");
        }
        for (int j = 0; j < b.cols; j++) {
            System.arraycopy(b.data, j * b.rows, data, r0 + (c0 + j) * rows, b.rows);
        }
    }

    /** [top; bottom]. */
    public static Matrix vstack(Matrix top, Matrix bottom) {
        Checks.sameCols("top", top, "bottom", bottom);
        Matrix m = zeros(top.rows + bottom.rows, top.cols);
        m.setBlock(0, 0, top);
        m.setBlock(top.rows, 0, bottom);
        return m;
    }

    /**
     * The symmetric {@code [topLeft, topRight; topRight^T, bottomRight]}: the Gram matrix of a stack
     * {@code (X; U)} from its blocks {@code X X^T}, {@code X U^T} and {@code U U^T}.
     */
    public static Matrix symmetricBlocks(Matrix topLeft, Matrix topRight, Matrix bottomRight) {
        int n = topLeft.rows;
        Matrix m = zeros(n + bottomRight.rows, n + bottomRight.rows);
        m.setBlock(0, 0, topLeft);
        m.setBlock(0, n, topRight);
        m.setBlock(n, 0, topRight.transpose());
        m.setBlock(n, n, bottomRight);
        return m;
    }

    /** [left, right]. */
    public static Matrix hstack(Matrix left, Matrix right) {
        Checks.sameRows("left", left, "right", right);
        double[] d = Arrays.copyOf(left.data, left.data.length + right.data.length);
        System.arraycopy(right.data, 0, d, left.data.length, right.data.length);
        return new Matrix(left.rows, left.cols + right.cols, d);
    }

    /** This matrix with a row of ones appended: u -> (u; 1), the paper's bias convention. */
    public Matrix withOnesRow() {
        Matrix m = zeros(rows + 1, cols);
        for (int j = 0; j < cols; j++) {
            System.arraycopy(data, j * rows, m.data, j * m.rows, rows);
            m.data[rows + j * m.rows] = 1.0;
        }
        return m;
    }

    /** {@code c = alpha * op(a) * op(b) + beta * c}, BLAS level 3. */
    public static void gemm(double alpha, Matrix a, boolean transA, Matrix b, boolean transB, double beta, Matrix c) {
        int m = transA ? a.cols : a.rows;
        int k = transA ? a.rows : a.cols;
        int kb = transB ? b.cols : b.rows;
        int n = transB ? b.rows : b.cols;
        if (k != kb || c.rows != m || c.cols != n) {
            throw new IllegalArgumentException("cannot multiply " + a.shape() + (transA ? "^T" : "") + " by "
                    + b.shape() + (transB ? "^T" : "") + " into " + c.shape());
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            c.scaleInPlace(beta);
            return;
        }
        blas().dgemm(transA ? "T" : "N", transB ? "T" : "N", m, n, k, alpha,
                a.data, Math.max(1, a.rows), b.data, Math.max(1, b.rows), beta, c.data, Math.max(1, c.rows));
    }

    /**
     * {@code c = op(a) b} on the leading {@code cols} columns of b and c only (column-major, they are the
     * first {@code cols * rows} entries; the rest of c is left as it is): a product over a set of columns
     * packed to the left, without copying them into a matrix of their own.
     */
    public static void gemmLeadingColumns(Matrix a, boolean transA, Matrix b, int cols, Matrix c) {
        int m = transA ? a.cols : a.rows;
        int k = transA ? a.rows : a.cols;
        if (k != b.rows || c.rows != m || cols < 0 || cols > b.cols || cols > c.cols) {
            throw new IllegalArgumentException("cannot multiply " + a.shape() + (transA ? "^T" : "") + " by the first "
                    + cols + " columns of " + b.shape() + " into " + c.shape());
        }
        if (m == 0 || cols == 0) {
            return;
        }
        if (k == 0) {
            java.util.Arrays.fill(c.data, 0, m * cols, 0.0);
            return;
        }
        blas().dgemm(transA ? "T" : "N", "N", m, cols, k, 1.0, a.data, Math.max(1, a.rows), b.data,
                Math.max(1, b.rows), 0.0, c.data, Math.max(1, c.rows));
    }

    /**
     * {@code y[yOffset + c * yStride] += sum_r x[xOffset + r + c * ldx] * v[r]} for c < cols:
     * the product of the transpose of a (rows x cols) sub-block with v, added into a strided y.
     */
    public static void blasGemvTransposed(int rows, int cols, double[] x, int xOffset, int ldx,
                                          double[] v, double[] y, int yOffset, int yStride) {
        blas().dgemv("T", rows, cols, 1.0, x, xOffset, ldx, v, 0, 1, 1.0, y, yOffset, yStride);
    }

    /** this * b */
    public Matrix times(Matrix b) {
        Matrix c = zeros(rows, b.cols);
        gemm(1.0, this, false, b, false, 0.0, c);
        return c;
    }

    /** this * b^T */
    public Matrix timesTransposed(Matrix b) {
        Matrix c = zeros(rows, b.rows);
        gemm(1.0, this, false, b, true, 0.0, c);
        return c;
    }

    /** this^T * b */
    public Matrix transposeTimes(Matrix b) {
        Matrix c = zeros(cols, b.cols);
        gemm(1.0, this, true, b, false, 0.0, c);
        return c;
    }

    /** {@code out += W this}: as inputs U, a BLAS product. */
    @Override
    public void addLeftProduct(Matrix w, Matrix out) {
        gemm(1.0, w, false, this, false, 1.0, out);
    }

    /** {@code out += G this^T}: as inputs U, a BLAS product. */
    @Override
    public void addGradientProduct(Matrix g, Matrix out) {
        gemm(1.0, g, false, this, true, 1.0, out);
    }

    @Override
    public Matrix dense(String forWhat) {
        return this;
    }

    /** A copy with column j multiplied by {@code s[j]}. */
    public Matrix timesColumns(double[] s) {
        return copy().scaleColumnsInPlace(s);
    }

    /** Column j multiplied by {@code s[j]}, in place. */
    public Matrix scaleColumnsInPlace(double[] s) {
        if (s.length != cols) {
            throw new IllegalArgumentException(s.length + " column factors for a " + shape() + " matrix");
        }
        for (int j = 0; j < cols; j++) {
            double f = s[j];
            for (int i = j * rows, end = i + rows; i < end; i++) {
                data[i] *= f;
            }
        }
        return this;
    }

    /** this * this^T, symmetric, through dsyrk (half the flops of a general product). */
    public Matrix gram() {
        Matrix c = zeros(rows, rows);
        if (rows == 0 || cols == 0) {
            return c;
        }
        blas().dsyrk("U", "N", rows, cols, 1.0, data, rows, 0.0, c.data, rows);
        for (int j = 0; j < rows; j++) {
            for (int i = j + 1; i < rows; i++) {
                c.data[i + j * rows] = c.data[j + i * rows];
            }
        }
        return c;
    }

    public Matrix scaleInPlace(double s) {
        for (int k = 0; k < data.length; k++) {
            data[k] *= s;
        }
        return this;
    }

    /** this += s * other */
    public Matrix addInPlace(double s, Matrix other) {
        Checks.sameShape("this", this, "other", other);
        for (int k = 0; k < data.length; k++) {
            data[k] += s * other.data[k];
        }
        return this;
    }

    public Matrix plus(Matrix other) {
        return copy().addInPlace(1.0, other);
    }

    public Matrix minus(Matrix other) {
        return copy().addInPlace(-1.0, other);
    }

    /** Scales row i by s[i]: diag(s) * this, in place. */
    public Matrix scaleRowsInPlace(double[] s) {
        if (s.length != rows) {
            throw new IllegalArgumentException(s.length + " row scales for a matrix with " + rows + " rows");
        }
        for (int j = 0; j < cols; j++) {
            int o = j * rows;
            for (int i = 0; i < rows; i++) {
                data[o + i] *= s[i];
            }
        }
        return this;
    }

    /** Sum of squares of all entries. */
    public double frobeniusSquared() {
        double s = 0;
        for (double v : data) {
            s += v * v;
        }
        return s;
    }

    public double dot(Matrix other) {
        Checks.sameShape("this", this, "other", other);
        double s = 0;
        for (int k = 0; k < data.length; k++) {
            s += data[k] * other.data[k];
        }
        return s;
    }

    /** The row of column {@code col}'s largest entry (the first, on ties): a column's predicted class. */
    public int argmaxInColumn(int col) {
        int best = 0;
        int at = col * rows;
        for (int i = 1; i < rows; i++) {
            if (data[at + i] > data[at + best]) {
                best = i;
            }
        }
        return best;
    }

    /** Whether every entry of column {@code col} is exactly 0. */
    public boolean columnIsZero(int col) {
        for (int i = col * rows, end = i + rows; i < end; i++) {
            if (data[i] != 0) {
                return false;
            }
        }
        return true;
    }

    public double maxAbs() {
        double m = 0;
        for (double v : data) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** The induced infinity norm: the largest row L1 norm, {@code ||A||_inf}. */
    public double infNorm() {
        double[] sums = new double[rows];
        for (int j = 0; j < cols; j++) {
            int o = j * rows;
            for (int i = 0; i < rows; i++) {
                sums[i] += Math.abs(data[o + i]);
            }
        }
        double m = 0;
        for (double s : sums) {
            m = Math.max(m, s);
        }
        return m;
    }

    /**
     * Largest eigenvalue of this symmetric positive semi-definite matrix, from the Cholesky-free
     * power iteration; an estimate from below, so callers that need an upper bound add a margin.
     */
    public double largestEigenvaluePsd(int iterations) {
        Checks.square("matrix", this);
        int n = rows;
        if (n == 0) {
            return 0;
        }
        // A fixed pseudo-random start: the all-ones vector is orthogonal to the top eigenvector of
        // structured matrices (e.g. [[2, -1], [-1, 2]], or C C^T when C's columns sum to zero), and
        // the iteration would then return a smaller eigenvalue, or 0.
        double[] v = new double[n];
        Random random = new Random(0x5eed);
        double norm0 = 0;
        for (int i = 0; i < n; i++) {
            v[i] = random.nextGaussian();
            norm0 += v[i] * v[i];
        }
        norm0 = Math.sqrt(norm0);
        for (int i = 0; i < n; i++) {
            v[i] /= norm0;
        }
        double[] w = new double[n];
        double lambda = 0;
        for (int t = 0; t < iterations; t++) {
            blas().dgemv("N", n, n, 1.0, data, n, v, 1, 0.0, w, 1);
            double norm = blas().dnrm2(n, w, 1);
            if (norm == 0) {
                return 0;
            }
            double next = norm;
            for (int i = 0; i < n; i++) {
                v[i] = w[i] / norm;
            }
            if (Math.abs(next - lambda) <= 1e-12 * next) {
                return next;
            }
            lambda = next;
        }
        return lambda;
    }

    /** Squared spectral norm {@code ||M||_2^2}, the largest eigenvalue of M^T M (or M M^T if smaller). */
    public double spectralNormSquared(int iterations) {
        Matrix g = rows <= cols ? timesTransposed(this) : transposeTimes(this);
        return g.largestEigenvaluePsd(iterations);
    }

    /** Whether every entry is finite (no NaN, no infinity). */
    @Override
    public boolean isFinite() {
        double sum = 0;
        for (double v : data) {
            sum += v * 0.0; // 0 for finite entries, NaN for NaN and infinities
        }
        return sum == 0;
    }

    /** Throws naming {@code name} and the first offending entry if any entry is NaN or infinite. */
    public Matrix requireFinite(String name) {
        for (int k = 0; k < data.length; k++) {
            if (!Double.isFinite(data[k])) {
                throw new IllegalArgumentException(name + " has a non-finite entry " + data[k]
                        + " at (" + (k % Math.max(1, rows)) + ", " + (k / Math.max(1, rows)) + ")");
            }
        }
        return this;
    }

    public String shape() {
        return rows + " x " + cols;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Matrix m && m.rows == rows && m.cols == cols && Arrays.equals(m.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + cols) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Matrix(" + shape() + ")");
        if (rows * cols <= 64) {
            for (int i = 0; i < rows; i++) {
                sb.append(i == 0 ? "\n[" : "\n ").append(Arrays.toString(row(i)));
            }
            sb.append(']');
        }
        return sb.toString();
    }
}
