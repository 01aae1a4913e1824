package org.idl.bench;

import org.idl.linalg.Matrix;
import org.idl.linalg.SymmetricSolver;
import org.idl.model.Activation;

/**
 * BCD as section 7.1 describes it for the two-layer tanh network, on the Fenchel relaxation
 * <pre>
 *   min  1/2 ||Y - W3 X2||_F^2 + lambda2 f(X2, W2 X1) + lambda1 f(X1, W1 U)
 * </pre>
 * with the tanh divergence (8), the paper's lambda2 = eps, lambda1 = eps^2. No proxy state P: the
 * states are the layers' outputs X1, X2. A round updates, in the paper's order, W3 (ridge
 * regression, closed form), X2 (Newton), W2 (gradient descent), X1 (Newton), W1 (gradient descent).
 * Details the paper leaves open follow its published code (reference [18]): a state update starts
 * from the feedforward value ({@code X2 = tanh(W2 X1)}, {@code X1 = tanh(W1 U)}) and takes damped
 * Newton steps (step 0.3, states kept inside (-1, 1)) per data point until the largest gradient norm
 * of a sweep is below 1e-5, at most 99 sweeps; a weight update takes gradient steps of
 * {@code 1/||V||_F^2} on {@code f(X, W V)} until the per-sample divergence changes by less than 1e-5;
 * the ridge of the W3 regression is 1e-6 on the summed loss.
 *
 * <p>Predictions, and every RMSE reported, come from the network {@code W3 tanh(W2 tanh(W1 u))} with the
 * learned weights, never from the states.
 */
final class LayerwiseBcd {

    record Settings(int rounds, double lambda2, double lambda1, double ridge, double newtonStep, double newtonTolerance,
                    int newtonSweeps, double gradientTolerance, int maxGradientIterations) {
        /** The paper's settings for eps: lambda2 = eps on layer 2, lambda1 = eps^2 on layer 1, 5 rounds. */
        static Settings paper(double eps) {
            return new Settings(5, eps, eps * eps, 1e-6, 0.3, 1e-5, 99, 1e-5, 200_000);
        }

        Settings withLambdas(double l2, double l1) {
            return new Settings(rounds, l2, l1, ridge, newtonStep, newtonTolerance, newtonSweeps, gradientTolerance,
                    maxGradientIterations);
        }

        Settings withRounds(int r) {
            return new Settings(r, lambda2, lambda1, ridge, newtonStep, newtonTolerance, newtonSweeps, gradientTolerance,
                    maxGradientIterations);
        }
    }

    /** The learned network, the RMSE after each round (index 0: the start), and the inner iteration counts. */
    record Result(TwoLayerNet net, double[] trainRmse, double[] testRmse, int[] x2Sweeps, int[] w2Iterations,
                  int[] x1Sweeps, int[] w1Iterations) {
    }

    private static final double EDGE = 1e-9;

    private LayerwiseBcd() {
    }

    static Result train(TwoLayerNet start, Matrix u, Matrix y, Matrix uTest, Matrix yTest, Settings s) {
        if (start.bias()) {
            throw new IllegalArgumentException("the BCD formulation of section 7.1 has no biases");
        }
        Matrix w1 = start.w1().copy();
        Matrix w2 = start.w2().copy();
        Matrix w3 = start.w3().copy();
        Matrix x1 = TwoLayerNet.tanhLayer(w1, u);
        Matrix x2 = TwoLayerNet.tanhLayer(w2, x1);
        double[] train = new double[s.rounds() + 1];
        double[] test = new double[s.rounds() + 1];
        int[] x2Sweeps = new int[s.rounds()];
        int[] w2Its = new int[s.rounds()];
        int[] x1Sweeps = new int[s.rounds()];
        int[] w1Its = new int[s.rounds()];
        TwoLayerNet net = TwoLayerNet.withoutBias(w1, w2, w3);
        train[0] = TwoLayerNet.rmse(net.predict(u), y);
        test[0] = TwoLayerNet.rmse(net.predict(uTest), yTest);
        for (int r = 0; r < s.rounds(); r++) {
            w3 = ridge(y, x2, s.ridge());
            x2 = TwoLayerNet.tanhLayer(w2, x1);
            x2Sweeps[r] = newtonLastLayer(x2, x1, y, w2, w3, s);
            GradientResult g2 = fitWeights(w2, x1, x2, s);
            w2 = g2.w;
            w2Its[r] = g2.iterations;
            x1 = TwoLayerNet.tanhLayer(w1, u);
            x1Sweeps[r] = newtonFirstLayer(x1, x2, u, w1, w2, s);
            GradientResult g1 = fitWeights(w1, u, x1, s);
            w1 = g1.w;
            w1Its[r] = g1.iterations;
            net = TwoLayerNet.withoutBias(w1, w2, w3);
            train[r + 1] = TwoLayerNet.rmse(net.predict(u), y);
            test[r + 1] = TwoLayerNet.rmse(net.predict(uTest), yTest);
        }
        return new Result(net, train, test, x2Sweeps, w2Its, x1Sweeps, w1Its);
    }

    /** {@code W3 = Y X2^T (X2 X2^T + ridge I)^-1}. */
    static Matrix ridge(Matrix y, Matrix x2, double ridge) {
        Matrix g = x2.gram();
        for (int i = 0; i < g.rows(); i++) {
            g.set(i, i, g.get(i, i) + ridge);
        }
        return new SymmetricSolver(g).solveRight(y.timesTransposed(x2));
    }

    /**
     * X2-update: per column, {@code min_x 1/2||y - W3 x||^2 + lambda2 (h(x) - x . W2 x1)}; gradient
     * {@code W3^T (W3 x - y) + lambda2 (atanh x - W2 x1)}, Hessian {@code W3^T W3 + lambda2 diag(1/(1-x^2))}.
     */
    private static int newtonLastLayer(Matrix x2, Matrix x1, Matrix y, Matrix w2, Matrix w3, Settings s) {
        int k = x2.rows();
        Matrix z = w2.times(x1);
        Matrix w3tw3 = w3.transposeTimes(w3);
        Matrix w3ty = w3.transposeTimes(y);
        int sweeps = 0;
        double maxGrad = Double.POSITIVE_INFINITY;
        double[] grad = new double[k];
        double[] hess = new double[k * k];
        while (maxGrad > s.newtonTolerance() && sweeps < s.newtonSweeps()) {
            maxGrad = 0;
            for (int c = 0; c < x2.cols(); c++) {
                for (int i = 0; i < k; i++) {
                    double g = -w3ty.get(i, c);
                    for (int j = 0; j < k; j++) {
                        g += w3tw3.get(i, j) * x2.get(j, c);
                        hess[i + j * k] = w3tw3.get(i, j);
                    }
                    double xi = x2.get(i, c);
                    grad[i] = g + s.lambda2() * (atanh(xi) - z.get(i, c));
                    hess[i + i * k] += s.lambda2() / (1 - xi * xi);
                }
                maxGrad = Math.max(maxGrad, norm(grad));
                dampedStep(x2, c, hess, grad, s.newtonStep());
            }
            sweeps++;
        }
        return sweeps;
    }

    /**
     * X1-update: per column, {@code min_x lambda2 (h*(W2 x) - x2 . W2 x) + lambda1 (h(x) - x . W1 u)};
     * gradient {@code lambda2 W2^T (tanh(W2 x) - x2) + lambda1 (atanh x - W1 u)}, Hessian
     * {@code lambda2 W2^T diag(1 - tanh^2(W2 x)) W2 + lambda1 diag(1/(1-x^2))}.
     */
    private static int newtonFirstLayer(Matrix x1, Matrix x2, Matrix u, Matrix w1, Matrix w2, Settings s) {
        int k = x1.rows();
        int k2 = x2.rows();
        Matrix z1 = w1.times(u);
        int sweeps = 0;
        double maxGrad = Double.POSITIVE_INFINITY;
        double[] grad = new double[k];
        double[] hess = new double[k * k];
        double[] t = new double[k2];
        while (maxGrad > s.newtonTolerance() && sweeps < s.newtonSweeps()) {
            maxGrad = 0;
            for (int c = 0; c < x1.cols(); c++) {
                for (int a = 0; a < k2; a++) {
                    double za = 0;
                    for (int j = 0; j < k; j++) {
                        za += w2.get(a, j) * x1.get(j, c);
                    }
                    t[a] = Math.tanh(za);
                }
                for (int i = 0; i < k; i++) {
                    double g = 0;
                    for (int a = 0; a < k2; a++) {
                        g += w2.get(a, i) * (t[a] - x2.get(a, c));
                    }
                    double xi = x1.get(i, c);
                    grad[i] = s.lambda2() * g + s.lambda1() * (atanh(xi) - z1.get(i, c));
                    for (int j = 0; j <= i; j++) {
                        double h = 0;
                        for (int a = 0; a < k2; a++) {
                            h += w2.get(a, i) * (1 - t[a] * t[a]) * w2.get(a, j);
                        }
                        hess[i + j * k] = s.lambda2() * h;
                        hess[j + i * k] = s.lambda2() * h;
                    }
                    hess[i + i * k] += s.lambda1() / (1 - xi * xi);
                }
                maxGrad = Math.max(maxGrad, norm(grad));
                dampedStep(x1, c, hess, grad, s.newtonStep());
            }
            sweeps++;
        }
        return sweeps;
    }

    private record GradientResult(Matrix w, int iterations) {
    }

    /**
     * Weight update: gradient descent on {@code sum_j F(X_j, W V_j)} (gradient {@code (tanh(WV) - X) V^T})
     * with step {@code 1/||V||_F^2}, until the per-sample divergence changes by at most the tolerance.
     */
    private static GradientResult fitWeights(Matrix w0, Matrix v, Matrix x, Settings s) {
        Matrix w = w0.copy();
        double step = 1.0 / v.frobeniusSquared();
        Matrix xv = x.timesTransposed(v);
        double f = 0;
        double previous = 1;
        int it = 0;
        while (Math.abs(f - previous) > s.gradientTolerance() && it < s.maxGradientIterations()) {
            previous = f;
            Matrix z = TwoLayerNet.tanhLayer(w, v);
            Matrix grad = z.timesTransposed(v).addInPlace(-1.0, xv);
            w.addInPlace(-step, grad);
            f = divergence(x, w.times(v)) / v.cols();
            it++;
        }
        return new GradientResult(w, it);
    }

    /** {@code sum F(X, Z)} for the tanh divergence (8). */
    static double divergence(Matrix x, Matrix z) {
        double total = 0;
        double[] xd = x.data();
        double[] zd = z.data();
        for (int k = 0; k < xd.length; k++) {
            total += Activation.TANH.h(xd[k]) + Activation.TANH.hStar(zd[k]) - xd[k] * zd[k];
        }
        return total;
    }

    /** {@code x_c <- clip(x_c - step H^-1 g)} to {@code [-1 + 1e-9, 1 - 1e-9]}. */
    private static void dampedStep(Matrix x, int c, double[] hess, double[] grad, double step) {
        int k = grad.length;
        double[] d = solveSpd(hess, grad, k);
        for (int i = 0; i < k; i++) {
            double v = x.get(i, c) - step * d[i];
            x.set(i, c, Math.max(-1 + EDGE, Math.min(1 - EDGE, v)));
        }
    }

    /** Solves {@code H d = g} for a small symmetric positive-definite H (column-major, k x k) by Cholesky. */
    static double[] solveSpd(double[] h, double[] g, int k) {
        double[] l = new double[k * k];
        for (int j = 0; j < k; j++) {
            double s = h[j + j * k];
            for (int p = 0; p < j; p++) {
                s -= l[j + p * k] * l[j + p * k];
            }
            if (!(s > 0)) {
                throw new IllegalStateException("Newton system not positive definite (pivot " + s + ")");
            }
            double ljj = Math.sqrt(s);
            l[j + j * k] = ljj;
            for (int i = j + 1; i < k; i++) {
                double t = h[i + j * k];
                for (int p = 0; p < j; p++) {
                    t -= l[i + p * k] * l[j + p * k];
                }
                l[i + j * k] = t / ljj;
            }
        }
        double[] y = new double[k];
        for (int i = 0; i < k; i++) {
            double t = g[i];
            for (int p = 0; p < i; p++) {
                t -= l[i + p * k] * y[p];
            }
            y[i] = t / l[i + i * k];
        }
        double[] d = new double[k];
        for (int i = k - 1; i >= 0; i--) {
            double t = y[i];
            for (int p = i + 1; p < k; p++) {
                t -= l[p + i * k] * d[p];
            }
            d[i] = t / l[i + i * k];
        }
        return d;
    }

    private static double atanh(double x) {
        return 0.5 * Math.log((1 + x) / (1 - x));
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }
}
