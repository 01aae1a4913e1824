package org.idl.bench;

import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.ImplicitModel;
import org.idl.model.SparsityPattern;

import java.util.Random;

/**
 * The two-layer tanh network of section 7.1, {@code y = W3 tanh(W2 tanh(W1 u + b1) + b2) + b3}, with
 * optional biases (null: none). As an implicit model (section 2.2) its state stacks the layers
 * last-first, {@code x = (x2; x1)}: A holds W2 in its upper right block, B holds W1 in the rows of
 * layer 1, C holds W3 in the columns of layer 2, D = 0 ({@link SparsityPattern#feedforward}).
 */
record TwoLayerNet(Matrix w1, Matrix w2, Matrix w3, double[] b1, double[] b2, double[] b3) {

    TwoLayerNet {
        if (w2.cols() != w1.rows() || w3.cols() != w2.rows()) {
            throw new IllegalArgumentException("layers do not chain: W1 " + w1.shape() + ", W2 " + w2.shape() + ", W3 "
                    + w3.shape());
        }
        boolean bias = b1 != null;
        if (bias != (b2 != null) || bias != (b3 != null)) {
            throw new IllegalArgumentException("either every layer has a bias or none has");
        }
    }

    static TwoLayerNet withoutBias(Matrix w1, Matrix w2, Matrix w3) {
        return new TwoLayerNet(w1, w2, w3, null, null, null);
    }

    boolean bias() {
        return b1 != null;
    }

    int inputs() {
        return w1.cols();
    }

    int[] layers() {
        return new int[] {w1.rows(), w2.rows()};
    }

    int outputs() {
        return w3.rows();
    }

    /** The activations of one forward pass: H1, H2 and the output. */
    record Forward(Matrix h1, Matrix h2, Matrix yhat) {
    }

    Forward forward(Matrix u) {
        Matrix h1 = affine(w1, b1, u);
        tanhInPlace(h1);
        Matrix h2 = affine(w2, b2, h1);
        tanhInPlace(h2);
        return new Forward(h1, h2, affine(w3, b3, h2));
    }

    Matrix predict(Matrix u) {
        return forward(u).yhat();
    }

    /** The network as an implicit model (no bias), state {@code x = (x2; x1)}. */
    ImplicitModel toImplicit() {
        if (bias()) {
            throw new IllegalStateException("only the bias-free network of the BCD formulation is mapped here");
        }
        int n1 = w1.rows();
        int n2 = w2.rows();
        int n = n1 + n2;
        Matrix a = Matrix.zeros(n, n);
        a.setBlock(0, n2, w2);
        Matrix b = Matrix.zeros(n, inputs());
        b.setBlock(n2, 0, w1);
        Matrix c = Matrix.zeros(outputs(), n);
        c.setBlock(0, 0, w3);
        return new ImplicitModel(a, b, c, Matrix.zeros(outputs(), inputs()), Activation.TANH, false);
    }

    /** The weights of an implicit model with {@link #pattern}'s layout. */
    static TwoLayerNet fromImplicit(ImplicitModel model, int n1, int n2) {
        Matrix a = model.a();
        Matrix b = model.b();
        Matrix c = model.c();
        return withoutBias(b.block(n2, n2 + n1, 0, model.inputs()), a.block(0, n2, n2, n2 + n1), c.columns(0, n2));
    }

    static SparsityPattern pattern(int inputs, int n1, int n2, int outputs) {
        return SparsityPattern.feedforward(inputs, new int[] {n1, n2}, outputs, false);
    }

    /** {@code sqrt(||Yhat - Y||_F^2 / m)}: the paper's RMSE (its code's error_model.m), summed over outputs. */
    static double rmse(Matrix yhat, Matrix y) {
        return Math.sqrt(yhat.minus(y).frobeniusSquared() / y.cols());
    }

    /** Entries zero with probability {@code zero}, otherwise Uniform[-0.5, 0.5]. */
    static Matrix sparseUniform(int rows, int cols, double zero, Random random) {
        Matrix m = Matrix.zeros(rows, cols);
        double[] d = m.data();
        for (int k = 0; k < d.length; k++) {
            // Draw both, so the pattern and the values come from the stream in a fixed order.
            boolean keep = random.nextDouble() >= zero;
            double v = random.nextDouble() - 0.5;
            d[k] = keep ? v : 0.0;
        }
        return m;
    }

    static Matrix uniform(int rows, int cols, double lo, double hi, Random random) {
        Matrix m = Matrix.zeros(rows, cols);
        double[] d = m.data();
        for (int k = 0; k < d.length; k++) {
            d[k] = lo + (hi - lo) * random.nextDouble();
        }
        return m;
    }

    static Matrix affine(Matrix w, double[] bias, Matrix in) {
        Matrix z = w.times(in);
        if (bias != null) {
            for (int c = 0; c < z.cols(); c++) {
                for (int i = 0; i < z.rows(); i++) {
                    z.set(i, c, z.get(i, c) + bias[i]);
                }
            }
        }
        return z;
    }

    /** {@code tanh(W in)}, a layer without bias. */
    static Matrix tanhLayer(Matrix w, Matrix in) {
        Matrix z = w.times(in);
        tanhInPlace(z);
        return z;
    }

    static void tanhInPlace(Matrix m) {
        double[] d = m.data();
        for (int k = 0; k < d.length; k++) {
            d[k] = Math.tanh(d[k]);
        }
    }
}
