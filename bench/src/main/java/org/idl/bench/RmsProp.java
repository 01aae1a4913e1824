package org.idl.bench;

import org.idl.linalg.Matrix;

import java.util.Random;

/**
 * The baseline of section 7.1: full-batch RMSProp backpropagation on the two-layer tanh network,
 * with the settings of the paper's MATLAB code (trainingOptions('rmsprop', 'InitialLearnRate', 0.01,
 * 'MiniBatchSize', m)) and that toolbox's defaults: squared-gradient decay 0.9, epsilon 1e-8, L2
 * regularisation 1e-4 on the weights (not the biases), Glorot-uniform weights and zero biases, the
 * half mean squared error {@code 1/(2m) ||Yhat - Y||_F^2}. The paper runs 150 iterations.
 */
final class RmsProp {

    record Settings(int iterations, double learningRate, double decay, double epsilon, double l2, boolean bias) {
        static Settings paper() {
            return new Settings(150, 0.01, 0.9, 1e-8, 1e-4, true);
        }
    }

    /** The trained network and the RMSE after each iteration (index 0: before training). */
    record Result(TwoLayerNet net, double[] trainRmse, double[] testRmse) {
    }

    /** The gradient of {@link #objective} in each parameter block. */
    record Gradient(Matrix w1, Matrix w2, Matrix w3, double[] b1, double[] b2, double[] b3) {
    }

    private RmsProp() {
    }

    /** MATLAB's default initialiser for fully connected layers: Uniform(+-sqrt(6 / (in + out))), biases 0. */
    static TwoLayerNet glorot(int inputs, int n1, int n2, int outputs, boolean bias, Random random) {
        Matrix w1 = glorot(n1, inputs, random);
        Matrix w2 = glorot(n2, n1, random);
        Matrix w3 = glorot(outputs, n2, random);
        return bias ? new TwoLayerNet(w1, w2, w3, new double[n1], new double[n2], new double[outputs])
                : TwoLayerNet.withoutBias(w1, w2, w3);
    }

    private static Matrix glorot(int out, int in, Random random) {
        double r = Math.sqrt(6.0 / (in + out));
        return TwoLayerNet.uniform(out, in, -r, r, random);
    }

    /** {@code 1/(2m) ||Yhat - Y||_F^2 + l2/2 (||W1||^2 + ||W2||^2 + ||W3||^2)}. */
    static double objective(TwoLayerNet net, Matrix u, Matrix y, double l2) {
        Matrix r = net.predict(u).minus(y);
        return 0.5 * r.frobeniusSquared() / y.cols()
                + 0.5 * l2 * (net.w1().frobeniusSquared() + net.w2().frobeniusSquared() + net.w3().frobeniusSquared());
    }

    /** Backpropagation through {@code Yhat = W3 tanh(W2 tanh(W1 U + b1) + b2) + b3}. */
    static Gradient gradient(TwoLayerNet net, Matrix u, Matrix y, double l2) {
        return backward(net, net.forward(u), u, y, l2);
    }

    /** The backward pass from a forward pass {@code f} of the same parameters. */
    private static Gradient backward(TwoLayerNet net, TwoLayerNet.Forward f, Matrix u, Matrix y, double l2) {
        Matrix dy = f.yhat().minus(y).scaleInPlace(1.0 / y.cols());
        Matrix gw3 = dy.timesTransposed(f.h2()).addInPlace(l2, net.w3());
        Matrix dz2 = net.w3().transposeTimes(dy);
        tanhBack(dz2, f.h2());
        Matrix gw2 = dz2.timesTransposed(f.h1()).addInPlace(l2, net.w2());
        Matrix dz1 = net.w2().transposeTimes(dz2);
        tanhBack(dz1, f.h1());
        Matrix gw1 = dz1.timesTransposed(u).addInPlace(l2, net.w1());
        return net.bias() ? new Gradient(gw1, gw2, gw3, rowSums(dz1), rowSums(dz2), rowSums(dy))
                : new Gradient(gw1, gw2, gw3, null, null, null);
    }

    static Result train(TwoLayerNet start, Matrix u, Matrix y, Matrix uTest, Matrix yTest, Settings s) {
        Matrix w1 = start.w1().copy();
        Matrix w2 = start.w2().copy();
        Matrix w3 = start.w3().copy();
        double[] b1 = start.bias() ? start.b1().clone() : null;
        double[] b2 = start.bias() ? start.b2().clone() : null;
        double[] b3 = start.bias() ? start.b3().clone() : null;
        double[][] params = start.bias() ? new double[][] {w1.data(), w2.data(), w3.data(), b1, b2, b3}
                : new double[][] {w1.data(), w2.data(), w3.data()};
        double[][] meanSquare = new double[params.length][];
        for (int k = 0; k < params.length; k++) {
            meanSquare[k] = new double[params[k].length];
        }
        double[] train = new double[s.iterations() + 1];
        double[] test = new double[s.iterations() + 1];
        TwoLayerNet net = new TwoLayerNet(w1, w2, w3, b1, b2, b3);
        for (int it = 0; ; it++) {
            // The parameter arrays are the net's own, updated in place below.
            TwoLayerNet.Forward f = net.forward(u);
            train[it] = TwoLayerNet.rmse(f.yhat(), y);
            test[it] = TwoLayerNet.rmse(net.predict(uTest), yTest);
            if (it == s.iterations()) {
                break;
            }
            Gradient g = backward(net, f, u, y, s.l2());
            double[][] grads = start.bias() ? new double[][] {g.w1().data(), g.w2().data(), g.w3().data(), g.b1(), g.b2(),
                    g.b3()} : new double[][] {g.w1().data(), g.w2().data(), g.w3().data()};
            for (int k = 0; k < params.length; k++) {
                double[] p = params[k];
                double[] gk = grads[k];
                double[] v = meanSquare[k];
                for (int i = 0; i < p.length; i++) {
                    v[i] = s.decay() * v[i] + (1 - s.decay()) * gk[i] * gk[i];
                    p[i] -= s.learningRate() * gk[i] / (Math.sqrt(v[i]) + s.epsilon());
                }
            }
        }
        return new Result(new TwoLayerNet(w1.copy(), w2.copy(), w3.copy(), b1 == null ? null : b1.clone(),
                b2 == null ? null : b2.clone(), b3 == null ? null : b3.clone()), train, test);
    }

    /** {@code dZ = dH .* (1 - H^2)} in place. */
    private static void tanhBack(Matrix dh, Matrix h) {
        double[] d = dh.data();
        double[] hd = h.data();
        for (int k = 0; k < d.length; k++) {
            d[k] *= 1 - hd[k] * hd[k];
        }
    }

    private static double[] rowSums(Matrix m) {
        double[] s = new double[m.rows()];
        for (int c = 0; c < m.cols(); c++) {
            for (int i = 0; i < m.rows(); i++) {
                s[i] += m.get(i, c);
            }
        }
        return s;
    }
}
