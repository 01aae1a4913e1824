package org.idl.model;

import org.idl.linalg.Matrix;

import java.io.Serializable;

/**
 * A fixed zero pattern on the parameters, the "hard-coded structure constraint" of penalty (6):
 * training keeps every entry of A, B, C, D outside the pattern at zero. The (A,B)-step and the
 * readout step are solved over the matrices with this pattern (exactly: the projection onto a
 * coordinate subspace comes before the penalties' proximal maps and the L1-ball projection).
 *
 * <p>When A's pattern is strictly upper or strictly lower triangular, every A with the pattern is
 * well-posed (section 2.2), so the (A,B)-step drops the ball {@code ||A||_inf <= kappa}, as (6) does:
 * a feedforward network keeps its weights unconstrained.
 *
 * <p>Each block is a 0/1 matrix (nonzero: the entry may be trained) or null (the whole block is free).
 * B and D include the bias column when the model has one.
 */
public final class SparsityPattern implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Matrix a;
    private final Matrix b;
    private final Matrix c;
    private final Matrix d;
    private final boolean aWellPosed;

    private SparsityPattern(Matrix a, Matrix b, Matrix c, Matrix d) {
        if (a != null && a.rows() != a.cols()) {
            throw new IllegalArgumentException("the pattern of A must be square, got " + a.shape());
        }
        this.a = indicator(a, "A");
        this.b = indicator(b, "B");
        this.c = indicator(c, "C");
        this.d = indicator(d, "D");
        WellPosedness.Structure structure = this.a == null ? null : WellPosedness.structure(this.a);
        this.aWellPosed = structure == WellPosedness.Structure.STRICTLY_UPPER
                || structure == WellPosedness.Structure.STRICTLY_LOWER;
    }

    /** A pattern from 0/1 masks (any nonzero entry counts as free); a null block is unconstrained. */
    public static SparsityPattern of(Matrix a, Matrix b, Matrix c, Matrix d) {
        return new SparsityPattern(a, b, c, d);
    }

    /**
     * The pattern of {@link ImplicitModel#feedforward}'s layout: the state stacks the hidden layers
     * last-first, {@code x = (x_L; ...; x_1)}; layer l's units read layer l-1's (A strictly block
     * upper triangular), the first layer's read the inputs (B), the output reads the last layer (C),
     * D is zero; with {@code bias}, B's and D's last column (the bias) is free for every unit.
     *
     * @param layers the sizes of the hidden layers, first to last
     */
    public static SparsityPattern feedforward(int inputs, int[] layers, int outputs, boolean bias) {
        if (layers.length == 0) {
            throw new IllegalArgumentException("a feedforward pattern needs at least one hidden layer");
        }
        int n = 0;
        int[] offset = new int[layers.length];
        for (int l = layers.length - 1; l >= 0; l--) {
            if (layers[l] <= 0) {
                throw new IllegalArgumentException("hidden layer " + l + " has " + layers[l] + " units");
            }
            offset[l] = n;
            n += layers[l];
        }
        int pb = inputs + (bias ? 1 : 0);
        Matrix a = Matrix.zeros(n, n);
        Matrix b = Matrix.zeros(n, pb);
        for (int l = 0; l < layers.length; l++) {
            for (int i = offset[l]; i < offset[l] + layers[l]; i++) {
                if (l == 0) {
                    for (int j = 0; j < inputs; j++) {
                        b.set(i, j, 1);
                    }
                } else {
                    for (int j = offset[l - 1]; j < offset[l - 1] + layers[l - 1]; j++) {
                        a.set(i, j, 1);
                    }
                }
                if (bias) {
                    b.set(i, inputs, 1);
                }
            }
        }
        int last = layers.length - 1;
        Matrix c = Matrix.zeros(outputs, n);
        for (int i = 0; i < outputs; i++) {
            for (int j = offset[last]; j < offset[last] + layers[last]; j++) {
                c.set(i, j, 1);
            }
        }
        Matrix d = Matrix.zeros(outputs, pb);
        if (bias) {
            for (int i = 0; i < outputs; i++) {
                d.set(i, inputs, 1);
            }
        }
        return new SparsityPattern(a, b, c, d);
    }

    /** True when every A with this pattern is strictly triangular, hence well-posed: no kappa ball needed. */
    public boolean makesAWellPosed() {
        return aWellPosed;
    }

    /** True when the pattern constrains C or D. */
    public boolean constrainsReadout() {
        return c != null || d != null;
    }

    public void maskA(Matrix m) {
        mask(a, m, "A");
    }

    public void maskB(Matrix m) {
        mask(b, m, "B");
    }

    public void maskC(Matrix m) {
        mask(c, m, "C");
    }

    public void maskD(Matrix m) {
        mask(d, m, "D");
    }

    /** Zeroes the entries of {@code W = [A B]}, the (A,B)-step's variable, outside the pattern, in place. */
    public void maskAB(Matrix w) {
        maskSides(a, "A", b, "B", w, w.rows());
    }

    /** Zeroes the entries of {@code Theta = [C D]} (C's n columns, then D's) outside the pattern, in place. */
    public void maskCD(Matrix theta, int n) {
        maskSides(c, "C", d, "D", theta, n);
    }

    /** Masks columns [0, n) of w by {@code left}'s pattern and the rest by {@code right}'s. */
    private static void maskSides(Matrix left, String leftName, Matrix right, String rightName, Matrix w, int n) {
        if (left != null) {
            Matrix l = w.columns(0, n);
            mask(left, l, leftName);
            w.setBlock(0, 0, l);
        }
        if (right != null) {
            Matrix r = w.columns(n, w.cols());
            mask(right, r, rightName);
            w.setBlock(0, n, r);
        }
    }

    /** Whether entry (i, j) of {@code [C D]} (C's n columns, then D's) may be non-zero. */
    public boolean readoutFree(int i, int j, int n) {
        Matrix block = j < n ? c : d;
        return block == null || block.get(i, j < n ? j : j - n) != 0;
    }

    /**
     * Checks the pattern's shapes against a model of n hidden units, B with pb columns and q outputs
     * (a negative pb or q: not known yet, not checked).
     */
    public void checkShapes(int n, int pb, int q) {
        checkShape(a, "A", n, n);
        checkShape(b, "B", n, pb);
        checkShape(c, "C", q, n);
        checkShape(d, "D", q, pb);
    }

    /** Throws when the model has a non-zero entry outside the pattern, naming the matrix and the entry. */
    public void requireRespectedBy(ImplicitModel model) {
        checkShapes(model.hidden(), model.b().cols(), model.outputs());
        requireRespected(a, model.a(), "A");
        requireRespected(b, model.b(), "B");
        requireRespected(c, model.c(), "C");
        requireRespected(d, model.d(), "D");
    }

    private static Matrix indicator(Matrix m, String name) {
        if (m == null) {
            return null;
        }
        Matrix r = Matrix.zeros(m.rows(), m.cols());
        double[] src = m.data();
        double[] dst = r.data();
        for (int k = 0; k < src.length; k++) {
            if (Double.isNaN(src[k])) {
                throw new IllegalArgumentException("the pattern of " + name + " has a NaN entry");
            }
            dst[k] = src[k] != 0 ? 1.0 : 0.0;
        }
        return r;
    }

    private static void mask(Matrix pattern, Matrix m, String name) {
        if (pattern == null) {
            return;
        }
        checkShape(pattern, name, m.rows(), m.cols());
        double[] pd = pattern.data();
        double[] md = m.data();
        for (int k = 0; k < md.length; k++) {
            if (pd[k] == 0) {
                md[k] = 0.0;
            }
        }
    }

    /** A negative rows or cols is not known yet and not checked. */
    private static void checkShape(Matrix pattern, String name, int rows, int cols) {
        if (pattern != null && (rows >= 0 && pattern.rows() != rows || cols >= 0 && pattern.cols() != cols)) {
            throw new IllegalArgumentException("the pattern of " + name + " is " + pattern.shape() + " but " + name
                    + " is " + (rows >= 0 ? rows : "?") + " x " + (cols >= 0 ? cols : "?"));
        }
    }

    private static void requireRespected(Matrix pattern, Matrix m, String name) {
        if (pattern == null) {
            return;
        }
        for (int j = 0; j < m.cols(); j++) {
            for (int i = 0; i < m.rows(); i++) {
                if (pattern.get(i, j) == 0 && m.get(i, j) != 0) {
                    throw new IllegalArgumentException(name + "[" + i + "][" + j + "] = " + m.get(i, j)
                            + " lies outside the sparsity pattern");
                }
            }
        }
    }
}
