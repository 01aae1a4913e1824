package org.idl.linalg;

import java.io.Serializable;

/**
 * The inputs U of a block of points, one column a point: dense ({@link Matrix}) or sparse
 * ({@link SparseColumns}). The gradient solver touches U only through these products, so a
 * data set with 200,000 sparse features never becomes a dense p x m block.
 */
public interface Inputs extends Serializable {
    int rows();

    int cols();

    /** {@code out += W U}, W with {@link #rows()} columns. */
    void addLeftProduct(Matrix w, Matrix out);

    /** {@code out += G U^T}, G with {@link #cols()} columns: a gradient with respect to W in {@code W U}. */
    void addGradientProduct(Matrix g, Matrix out);

    /** Copy of the columns {@code order[from..to)}, in that order. */
    Inputs columnsAt(int[] order, int from, int to);

    /** Whether every stored entry is finite. */
    boolean isFinite();

    /** {@code W U}. */
    default Matrix leftProduct(Matrix w) {
        Matrix out = Matrix.zeros(w.rows(), cols());
        addLeftProduct(w, out);
        return out;
    }

    /** {@code G U^T}. */
    default Matrix gradientProduct(Matrix g) {
        Matrix out = Matrix.zeros(g.rows(), rows());
        addGradientProduct(g, out);
        return out;
    }

    /** These inputs as a dense matrix, for the steps that need one (BCD's Gram matrices, interval bounds). */
    Matrix dense(String forWhat);
}
