package org.idl.robust;

import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.ImplicitModel;
import org.idl.model.WellPosedness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The interval bounds hold every state and output of inputs in the box, and certified predictions resist attack. */
class IntervalBoundsTest {
    private static final int N = 20;
    private static final int P = 5;
    private static final int Q = 3;

    private static ImplicitModel model(String activation, Random random) {
        Matrix a = Matrix.gaussian(N, N, 0.3, random);
        WellPosedness.projectInfNormBall(a, 0.9);
        return new ImplicitModel(a, Matrix.gaussian(N, P + 1, 0.5, random), Matrix.gaussian(Q, N, 1.0, random),
                Matrix.gaussian(Q, P + 1, 0.3, random), Activation.parse(activation), true);
    }

    @ParameterizedTest
    @ValueSource(strings = {"relu", "tanh", "leaky_relu:0.1"})
    void theBoxesHoldEveryInputInTheInterval(String activation) {
        Random random = new Random(11);
        ImplicitModel m = model(activation, random);
        Matrix u = Matrix.gaussian(P, 30, 1.0, random);
        double[] sigma = {0.05, 0.1, 0.0, 0.2, 0.05};
        IntervalBounds.Result bounds = IntervalBounds.of(m, u, sigma);
        IntervalBounds.Result cheap = IntervalBounds.perronFrobenius(m, u, sigma);
        for (int trial = 0; trial < 200; trial++) {
            Matrix moved = u.copy();
            for (int col = 0; col < u.cols(); col++) {
                for (int i = 0; i < P; i++) {
                    // corners half the time: where the extremes are
                    double t = trial % 2 == 0 ? (random.nextBoolean() ? 1 : -1) : 2 * random.nextDouble() - 1;
                    moved.set(i, col, u.get(i, col) + t * sigma[i]);
                }
            }
            Matrix x = m.states(moved);
            Matrix y = m.predict(moved);
            assertInside(bounds.states(), x, "states, interval");
            assertInside(bounds.outputs(), y, "outputs, interval");
            assertInside(cheap.states(), x, "states, Perron-Frobenius");
            assertInside(cheap.outputs(), y, "outputs, Perron-Frobenius");
        }
        // The interval box is never looser than the Perron-Frobenius one, and here tighter.
        assertTrue(bounds.states().maxWidth() <= cheap.states().maxWidth() + 1e-12);
        System.out.printf("%s: widest state bound %.4f (interval, %d iterations) vs %.4f (Perron-Frobenius)%n",
                activation, bounds.states().maxWidth(), bounds.iterations(), cheap.states().maxWidth());
    }

    @ParameterizedTest
    @ValueSource(strings = {"relu", "tanh"})
    void anAttackNeverChangesACertifiedPrediction(String activation) {
        Random random = new Random(5);
        ImplicitModel m = model(activation, random);
        Matrix u = Matrix.gaussian(P, 60, 1.0, random);
        int certifiedSomewhere = 0;
        for (double radius : new double[]{0.01, 0.05, 0.2}) {
            double[] sigma = new double[P];
            java.util.Arrays.fill(sigma, radius);
            boolean[] sure = IntervalBounds.certified(m, u, sigma, IntervalBounds.of(m, u, sigma));
            Matrix y = m.predict(u);
            for (int col = 0; col < u.cols(); col++) {
                if (!sure[col]) {
                    continue;
                }
                certifiedSomewhere++;
                int k = y.argmaxInColumn(col);
                // Projected sign-gradient ascent on the best other class's margin, gradient by central differences.
                Matrix x = u.columns(col, col + 1);
                for (int step = 0; step < 30; step++) {
                    Matrix g = Matrix.zeros(P, 1);
                    for (int i = 0; i < P; i++) {
                        Matrix up = x.copy();
                        Matrix down = x.copy();
                        up.set(i, 0, x.get(i, 0) + 1e-6);
                        down.set(i, 0, x.get(i, 0) - 1e-6);
                        g.set(i, 0, margin(m.predict(down), k) - margin(m.predict(up), k));
                    }
                    for (int i = 0; i < P; i++) {
                        double v = x.get(i, 0) + radius / 4 * Math.signum(g.get(i, 0));
                        x.set(i, 0, Math.max(u.get(i, col) - radius, Math.min(u.get(i, col) + radius, v)));
                    }
                    assertEquals(k, m.predict(x).argmaxInColumn(0), "a certified point flipped at radius " + radius);
                }
            }
        }
        assertTrue(certifiedSomewhere > 20, "too few certified points to test: " + certifiedSomewhere);
    }

    private static double margin(Matrix y, int k) {
        double best = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < y.rows(); j++) {
            if (j != k) {
                best = Math.max(best, y.get(j, 0));
            }
        }
        return y.get(k, 0) - best;
    }


    private static void assertInside(IntervalBounds.Box box, Matrix v, String what) {
        for (int k = 0; k < v.data().length; k++) {
            double tol = 1e-8 * (1 + Math.abs(v.data()[k]));
            assertTrue(v.data()[k] >= box.lower().data()[k] - tol && v.data()[k] <= box.upper().data()[k] + tol,
                    what + ": entry " + k + " = " + v.data()[k] + " outside [" + box.lower().data()[k] + ", "
                            + box.upper().data()[k] + "]");
        }
    }
}
