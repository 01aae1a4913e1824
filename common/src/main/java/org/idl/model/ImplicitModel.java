package org.idl.model;

import org.idl.linalg.Checks;
import org.idl.linalg.Inputs;
import org.idl.linalg.Matrix;

import java.io.Serializable;
import java.util.List;

/**
 * An implicit model (paper (1)): {@code y = C x + D u} with the state x solving
 * {@code x = phi(A x + B u)}. With {@code bias}, u carries an appended constant 1, so B and D have
 * one column more than there are input features and their last column is the bias.
 *
 * <p>Immutable: the matrices are private copies, and accessors return copies.
 */
public final class ImplicitModel implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Relative tolerance of the certified Picard stop used for predictions. */
    public static final double DEFAULT_TOLERANCE = 1e-10;

    private final Matrix a;
    private final Matrix b;
    private final Matrix c;
    private final Matrix d;
    private final Activation activation;
    private final boolean bias;
    /** A = left right^T when the model is low rank (section 6.3), else null. */
    private final Matrix left;
    private final Matrix right;

    public ImplicitModel(Matrix a, Matrix b, Matrix c, Matrix d, Activation activation, boolean bias) {
        this(a, b, c, d, activation, bias, null, null);
    }

    /**
     * A model whose A is {@code L R^T} of rank k (paper section 6.3; L and R are n x k): the same rule
     * as the dense A, with each fixed-point iteration {@code L (R^T x)} costing 2nk, not n^2, per point.
     */
    public static ImplicitModel lowRank(Matrix l, Matrix r, Matrix b, Matrix c, Matrix d, Activation activation,
                                        boolean bias) {
        Checks.sameShape("L", l, "R", r);
        return new ImplicitModel(l.timesTransposed(r), b, c, d, activation, bias, l, r);
    }

    private ImplicitModel(Matrix a, Matrix b, Matrix c, Matrix d, Activation activation, boolean bias, Matrix left,
                          Matrix right) {
        if (activation == null) {
            throw new IllegalArgumentException("activation must not be null");
        }
        Checks.square("A", a);
        Checks.sameRows("A", a, "B", b);
        Checks.sameRows("C", c, "D", d);
        if (c.cols() != a.rows()) {
            throw new IllegalArgumentException("C has " + c.cols() + " columns but A is " + a.shape());
        }
        if (d.cols() != b.cols()) {
            throw new IllegalArgumentException("D has " + d.cols() + " columns but B has " + b.cols());
        }
        if (bias && b.cols() < 1) {
            throw new IllegalArgumentException("a model with a bias needs at least one column in B");
        }
        a.requireFinite("A");
        b.requireFinite("B");
        c.requireFinite("C");
        d.requireFinite("D");
        this.a = a.copy();
        this.b = b.copy();
        this.c = c.copy();
        this.d = d.copy();
        this.activation = activation;
        this.bias = bias;
        if (left != null) {
            left.requireFinite("L");
            right.requireFinite("R");
        }
        this.left = left == null ? null : left.copy();
        this.right = right == null ? null : right.copy();
    }

    /** k when A is held as factors L R^T of rank k, 0 when it is dense. */
    public int rank() {
        return left == null ? 0 : left.cols();
    }

    /** L of A = L R^T (n x k); only for a low-rank model. */
    public Matrix left() {
        requireLowRank();
        return left.copy();
    }

    /** R of A = L R^T (n x k); only for a low-rank model. */
    public Matrix right() {
        requireLowRank();
        return right.copy();
    }

    private void requireLowRank() {
        if (left == null) {
            throw new IllegalStateException("the model's A is dense, not held as low-rank factors");
        }
    }

    public Matrix a() {
        return a.copy();
    }

    public Matrix b() {
        return b.copy();
    }

    public Matrix c() {
        return c.copy();
    }

    public Matrix d() {
        return d.copy();
    }

    public Activation activation() {
        return activation;
    }

    public boolean bias() {
        return bias;
    }

    /** n, the number of hidden units. */
    public int hidden() {
        return a.rows();
    }

    /** p, the number of input features (without the bias constant). */
    public int inputs() {
        return b.cols() - (bias ? 1 : 0);
    }

    /** q, the number of outputs. */
    public int outputs() {
        return c.rows();
    }

    /** Checks U (p x m, raw features) and appends the constant row when the model has a bias. */
    public Matrix augment(Matrix u) {
        if (u.rows() != inputs()) {
            throw new IllegalArgumentException("inputs have " + u.rows() + " features, the model expects " + inputs());
        }
        u.requireFinite("U");
        return bias ? u.withOnesRow() : u;
    }

    public FixedPointSolver solver(double relativeTolerance) {
        if (left != null) {
            WellPosedness.Certificate certificate = WellPosedness.certify(a);
            if (certificate.valid()) {
                return new PicardSolver(left, right, activation, certificate, relativeTolerance);
            }
        }
        return FixedPointSolver.forMatrix(a, activation, relativeTolerance);
    }

    /** The true states X* for raw inputs U (p x m). */
    public Matrix states(Matrix u) {
        Matrix ua = augment(u);
        return solver(DEFAULT_TOLERANCE).solve(b.times(ua), null).states();
    }

    /** Predictions {@code C X* + D U} for raw inputs U (p x m), from the true fixed point. */
    public Matrix predict(Matrix u) {
        return predictAugmented(augment(u));
    }

    /**
     * Predictions for inputs that already hold the bias row when the model has one, dense or sparse,
     * from the true fixed point; the caller has checked that they are finite.
     */
    public Matrix predictAugmented(Inputs augmentedU) {
        if (augmentedU.rows() != b.cols()) {
            throw new IllegalArgumentException("augmented inputs have " + augmentedU.rows() + " rows, the model's B has "
                    + b.cols() + " columns");
        }
        Matrix x = solver(DEFAULT_TOLERANCE).solve(augmentedU.leftProduct(b), null).states();
        return readout(x, augmentedU);
    }

    /** {@code C X + D U} for states X and augmented inputs U. */
    public Matrix readout(Matrix x, Inputs augmentedU) {
        Matrix y = Matrix.zeros(outputs(), x.cols());
        Matrix.gemm(1.0, c, false, x, false, 0.0, y);
        augmentedU.addLeftProduct(d, y);
        return y;
    }

    /** A low-rank copy with other factors and parameters, the same activation and bias convention. */
    public ImplicitModel withFactors(Matrix newLeft, Matrix newRight, Matrix newB, Matrix newC, Matrix newD) {
        return lowRank(newLeft, newRight, newB, newC, newD, activation, bias);
    }

    /** A copy with other parameters (a dense A) and the same activation and bias convention. */
    public ImplicitModel with(Matrix newA, Matrix newB, Matrix newC, Matrix newD) {
        return new ImplicitModel(newA, newB, newC, newD, activation, bias);
    }

    /**
     * A feedforward network {@code y = W_L phi(... phi(W_0 u + b_0) ...) + b_L} as an implicit model
     * (section 2.2). The state stacks the layers last-first, {@code x = (x_L; ...; x_1)}, so each layer
     * depends only on the one below it and A is block strictly upper triangular.
     *
     * @param weights the L hidden layers' weights, then the output layer's
     * @param biases  one bias vector per matrix in {@code weights}
     */
    public static ImplicitModel feedforward(List<Matrix> weights, List<double[]> biases, Activation phi) {
        if (weights.size() < 2 || biases.size() != weights.size()) {
            throw new IllegalArgumentException("need at least one hidden and one output layer, and a bias per layer; got "
                    + weights.size() + " weight matrices and " + biases.size() + " biases");
        }
        int layers = weights.size() - 1;
        int p = weights.get(0).cols();
        int[] offset = new int[layers];
        int n = 0;
        for (int l = layers - 1; l >= 0; l--) {
            offset[l] = n;
            n += weights.get(l).rows();
        }
        Matrix a = Matrix.zeros(n, n);
        Matrix b = Matrix.zeros(n, p + 1);
        for (int l = 0; l < layers; l++) {
            Matrix w = weights.get(l);
            double[] bl = biases.get(l);
            if (bl.length != w.rows()) {
                throw new IllegalArgumentException("layer " + l + " has " + w.rows() + " units but a bias of length " + bl.length);
            }
            if (l == 0) {
                b.setBlock(offset[0], 0, w);
            } else {
                if (w.cols() != weights.get(l - 1).rows()) {
                    throw new IllegalArgumentException("layer " + l + " takes " + w.cols() + " inputs but layer "
                            + (l - 1) + " has " + weights.get(l - 1).rows() + " units");
                }
                a.setBlock(offset[l], offset[l - 1], w);
            }
            for (int i = 0; i < bl.length; i++) {
                b.set(offset[l] + i, p, bl[i]);
            }
        }
        Matrix out = weights.get(layers);
        double[] outBias = biases.get(layers);
        if (out.cols() != weights.get(layers - 1).rows() || outBias.length != out.rows()) {
            throw new IllegalArgumentException("output layer is " + out.shape() + " with a bias of length "
                    + outBias.length + ", after a layer of " + weights.get(layers - 1).rows() + " units");
        }
        Matrix c = Matrix.zeros(out.rows(), n);
        c.setBlock(0, offset[layers - 1], out);
        Matrix d = Matrix.zeros(out.rows(), p + 1);
        for (int i = 0; i < outBias.length; i++) {
            d.set(i, p, outBias[i]);
        }
        return new ImplicitModel(a, b, c, d, phi, true);
    }

    /**
     * The cascade "second after first" (section 2.3): second's input is first's output. With state
     * {@code (x2; x1)}, {@code A = [A2, B2 C1; 0, A1]}: block upper triangular with well-posed diagonal
     * blocks, hence well-posed (Theorem 1). Both models must share the activation.
     */
    public static ImplicitModel cascade(ImplicitModel first, ImplicitModel second) {
        if (!first.activation.equals(second.activation)) {
            throw new IllegalArgumentException("cannot cascade " + first.activation + " into " + second.activation);
        }
        if (second.inputs() != first.outputs()) {
            throw new IllegalArgumentException("second model takes " + second.inputs() + " inputs, first gives "
                    + first.outputs() + " outputs");
        }
        boolean bias = first.bias || second.bias;
        int p = first.inputs();
        int cols = p + (bias ? 1 : 0);
        Matrix b1 = padColumns(first.b, cols);
        Matrix d1 = padColumns(first.d, cols);
        int q1 = first.outputs();
        Matrix b2y = second.b.columns(0, q1);
        Matrix d2y = second.d.columns(0, q1);
        int n1 = first.hidden();
        int n2 = second.hidden();
        Matrix a = Matrix.zeros(n1 + n2, n1 + n2);
        a.setBlock(0, 0, second.a);
        a.setBlock(0, n2, b2y.times(first.c));
        a.setBlock(n2, n2, first.a);
        Matrix top = b2y.times(d1);
        Matrix d = d2y.times(d1);
        if (second.bias) {
            for (int i = 0; i < n2; i++) {
                top.set(i, cols - 1, top.get(i, cols - 1) + second.b.get(i, q1));
            }
            for (int i = 0; i < second.outputs(); i++) {
                d.set(i, cols - 1, d.get(i, cols - 1) + second.d.get(i, q1));
            }
        }
        Matrix b = Matrix.vstack(top, b1);
        Matrix c = Matrix.hstack(second.c, d2y.times(first.c));
        return new ImplicitModel(a, b, c, d, first.activation, bias);
    }

    private static Matrix padColumns(Matrix m, int cols) {
        if (m.cols() == cols) {
            return m;
        }
        Matrix padded = Matrix.zeros(m.rows(), cols);
        padded.setBlock(0, 0, m);
        return padded;
    }
}
