package org.idl.train.gradient;

import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.ImplicitModel;
import org.idl.model.WellPosedness;
import org.idl.train.Loss;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interval bound's gradient against central finite differences of the bound computed here from
 * its definition, and the bound against the cross-entropy of inputs drawn from the box.
 */
class IntervalGradientTest {
    private static final int N = 6;
    private static final int P = 5;
    private static final int Q = 3;
    private static final int M = 9;

    @ParameterizedTest
    @ValueSource(strings = {"relu", "tanh", "leaky_relu"})
    void matchesFiniteDifferencesOfTheBound(String activation) {
        Activation phi = Activation.parse(activation);
        Random random = new Random(11);
        // Scaled, not projected: the projection makes exact zeros, where |A| has no derivative.
        Matrix a = Matrix.gaussian(N, N, 0.5, random);
        a.scaleInPlace(0.8 / a.infNorm());
        Matrix b = Matrix.gaussian(N, P + 1, 0.7, random);
        Matrix c = Matrix.gaussian(Q, N, 0.5, random);
        Matrix d = Matrix.gaussian(Q, P + 1, 0.5, random);
        Matrix u = Matrix.gaussian(P, M, 1.0, random).withOnesRow();
        Matrix y = labels(random);
        double[] sigma = {0.05, 0.1, 0.0, 0.2, 0.03, 0.0}; // the last is the bias row

        IntervalGradient.Result r = IntervalGradient.compute(a, b, c, d, phi, u, y, sigma, 1e-13);
        assertEquals(bound(a, b, c, d, phi, u, y, sigma), r.loss(), 1e-9);
        Matrix[] params = {a, b, c, d};
        Matrix[] grads = {r.da(), r.db(), r.dc(), r.dd()};
        String[] names = {"A", "B", "C", "D"};
        double h = 1e-6;
        for (int t = 0; t < 4; t++) {
            double[] w = params[t].data();
            double worst = 0;
            double scale = grads[t].maxAbs();
            for (int k = 0; k < w.length; k++) {
                double saved = w[k];
                w[k] = saved + h;
                double plus = bound(a, b, c, d, phi, u, y, sigma);
                w[k] = saved - h;
                double minus = bound(a, b, c, d, phi, u, y, sigma);
                w[k] = saved;
                worst = Math.max(worst, Math.abs((plus - minus) / (2 * h) - grads[t].data()[k]));
            }
            assertTrue(scale > 1e-3, names[t] + " gradient vanishes: " + scale);
            assertTrue(worst <= 1e-6 * Math.max(1, scale), "d" + names[t] + ": max error " + worst + " against " + scale);
        }
    }

    @org.junit.jupiter.api.Test
    void theBoundMovesAZeroA() {
        // Training starts from A = 0: the bound's gradient must not vanish there, or robustWeight = 1 never leaves it.
        Random random = new Random(3);
        Matrix b = Matrix.gaussian(N, P + 1, 0.7, random);
        Matrix c = Matrix.gaussian(Q, N, 0.5, random);
        Matrix d = Matrix.gaussian(Q, P + 1, 0.5, random);
        Matrix u = Matrix.gaussian(P, M, 1.0, random).withOnesRow();
        double[] sigma = {0.1, 0.1, 0.1, 0.1, 0.1, 0.0};
        IntervalGradient.Result r = IntervalGradient.compute(Matrix.zeros(N, N), b, c, d, Activation.RELU, u, labels(random),
                sigma, 1e-12);
        assertTrue(r.da().maxAbs() > 1e-6, "dA at A = 0: " + r.da().maxAbs());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, 0.05, 0.3})
    void boundsTheCrossEntropyOfEveryInputInTheBox(double radius) {
        Random random = new Random(5);
        Matrix a = Matrix.gaussian(N, N, 0.5, random);
        WellPosedness.projectInfNormBall(a, 0.9);
        Matrix b = Matrix.gaussian(N, P + 1, 0.7, random);
        Matrix c = Matrix.gaussian(Q, N, 0.8, random);
        Matrix d = Matrix.gaussian(Q, P + 1, 0.5, random);
        Matrix u = Matrix.gaussian(P, M, 1.0, random);
        Matrix y = labels(random);
        double[] sigma = new double[P + 1];
        java.util.Arrays.fill(sigma, 0, P, radius);
        ImplicitModel model = new ImplicitModel(a, b, c, d, Activation.RELU, true);
        IntervalGradient.Result r = IntervalGradient.compute(a, b, c, d, Activation.RELU, u.withOnesRow(), y, sigma,
                1e-12);
        // At radius 0 the bound is the cross-entropy itself.
        double clean = Loss.SOFTMAX_CROSS_ENTROPY.value(y, model.predict(u));
        assertTrue(r.loss() >= clean - 1e-9, r.loss() + " < " + clean);
        if (radius == 0) {
            assertEquals(clean, r.loss(), 1e-9);
        }
        double[] bounds = new double[M];
        Matrix ua = u.withOnesRow();
        for (int col = 0; col < M; col++) {
            bounds[col] = IntervalGradient.compute(a, b, c, d, Activation.RELU, ua.columns(col, col + 1),
                    y.columns(col, col + 1), sigma, 1e-12).loss();
        }
        for (int draw = 0; draw < 200; draw++) {
            Matrix moved = u.copy();
            double[] md = moved.data();
            for (int k = 0; k < md.length; k++) {
                double corner = random.nextBoolean() ? 1 : -1;
                md[k] += radius * (draw % 2 == 0 ? corner : 2 * random.nextDouble() - 1);
            }
            double[] losses = Loss.SOFTMAX_CROSS_ENTROPY.columnValues(y, model.predict(moved), null);
            for (int col = 0; col < M; col++) {
                assertTrue(losses[col] <= bounds[col] + 1e-9,
                        "draw " + draw + ", point " + col + ": " + losses[col] + " > bound " + bounds[col]);
            }
        }
    }

    private static Matrix labels(Random random) {
        Matrix y = Matrix.zeros(Q, M);
        for (int j = 0; j < M; j++) {
            y.set(random.nextInt(Q), j, 1.0);
        }
        return y;
    }

    /** The bound from its definition: the interval map iterated from 0 to convergence, then the worst-case logits. */
    private static double bound(Matrix a, Matrix b, Matrix c, Matrix d, Activation phi, Matrix u, Matrix y,
                                double[] sigma) {
        Matrix hi = Matrix.zeros(N, M);
        Matrix lo = Matrix.zeros(N, M);
        Matrix bu = b.times(u);
        for (int it = 0; it < 5000; it++) {
            Matrix nh = Matrix.zeros(N, M);
            Matrix nl = Matrix.zeros(N, M);
            for (int col = 0; col < M; col++) {
                for (int i = 0; i < N; i++) {
                    double up = bu.get(i, col);
                    double down = bu.get(i, col);
                    for (int j = 0; j < N; j++) {
                        double aij = a.get(i, j);
                        up += aij > 0 ? aij * hi.get(j, col) : aij * lo.get(j, col);
                        down += aij > 0 ? aij * lo.get(j, col) : aij * hi.get(j, col);
                    }
                    double r = 0;
                    for (int k = 0; k < sigma.length; k++) {
                        r += Math.abs(b.get(i, k)) * sigma[k];
                    }
                    nh.set(i, col, phi.apply(up + r));
                    nl.set(i, col, phi.apply(down - r));
                }
            }
            hi = nh;
            lo = nl;
        }
        double total = 0;
        for (int col = 0; col < M; col++) {
            int t = 0;
            for (int j = 1; j < Q; j++) {
                if (y.get(j, col) > y.get(t, col)) {
                    t = j;
                }
            }
            double[] z = new double[Q];
            for (int j = 0; j < Q; j++) {
                if (j == t) {
                    continue;
                }
                for (int i = 0; i < N; i++) {
                    double w = c.get(j, i) - c.get(t, i);
                    z[j] += w > 0 ? w * hi.get(i, col) : w * lo.get(i, col);
                }
                for (int k = 0; k < u.rows(); k++) {
                    double e = d.get(j, k) - d.get(t, k);
                    z[j] += e * u.get(k, col) + Math.abs(e) * sigma[k];
                }
            }
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (double v : z) {
                sum += Math.exp(v - max);
            }
            total += max + Math.log(sum);
        }
        return total;
    }
}
