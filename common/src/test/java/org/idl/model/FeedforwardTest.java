package org.idl.model;

import org.idl.linalg.Matrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.idl.linalg.TestMatrices.gaussianWithInfNorm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Feedforward networks (section 2.2) and cascades (section 2.3) as implicit models. */
class FeedforwardTest {

    private static final int[] SIZES = {6, 7, 5, 4, 3}; // input, three hidden layers, output

    @ParameterizedTest(name = "{0}")
    @CsvSource({"relu, 11", "tanh, 12"})
    void networkMatchesThePlainForwardPass(Activation phi, long seed) {
        Random random = new Random(seed);
        List<Matrix> weights = new ArrayList<>();
        List<double[]> biases = new ArrayList<>();
        for (int l = 0; l + 1 < SIZES.length; l++) {
            weights.add(Matrix.gaussian(SIZES[l + 1], SIZES[l], 1.0 / Math.sqrt(SIZES[l]), random));
            double[] b = new double[SIZES[l + 1]];
            for (int i = 0; i < b.length; i++) {
                b[i] = 0.5 * random.nextGaussian();
            }
            biases.add(b);
        }
        ImplicitModel model = ImplicitModel.feedforward(weights, biases, phi);

        assertEquals(7 + 5 + 4, model.hidden());
        assertEquals(6, model.inputs());
        assertEquals(3, model.outputs());
        assertTrue(model.bias());
        assertEquals(WellPosedness.Structure.STRICTLY_UPPER, WellPosedness.structure(model.a()));
        assertInstanceOf(SubstitutionSolver.class, model.solver(1e-10));

        int m = 50;
        Matrix u = Matrix.gaussian(6, m, 1.5, random);
        Matrix predicted = model.predict(u);
        assertEquals(3, predicted.rows());
        assertEquals(m, predicted.cols());
        double maxOut = 0;
        for (int c = 0; c < m; c++) {
            double[] expected = forward(weights, biases, phi, column(u, c));
            for (int i = 0; i < expected.length; i++) {
                double got = predicted.get(i, c);
                maxOut = Math.max(maxOut, Math.abs(expected[i]));
                assertEquals(expected[i], got, 1e-12 * Math.max(1, Math.abs(expected[i])),
                        phi + " output " + i + " of point " + c);
            }
        }
        assertTrue(maxOut > 0.1, "outputs should not be trivially zero, max " + maxOut);
    }

    /** y = W_L phi(... phi(W_0 u + b_0) ...) + b_L, one vector at a time, by plain loops. */
    private static double[] forward(List<Matrix> weights, List<double[]> biases, Activation phi, double[] u) {
        double[] h = u;
        for (int l = 0; l < weights.size(); l++) {
            Matrix w = weights.get(l);
            double[] next = new double[w.rows()];
            for (int i = 0; i < w.rows(); i++) {
                double s = biases.get(l)[i];
                for (int j = 0; j < w.cols(); j++) {
                    s += w.get(i, j) * h[j];
                }
                boolean output = l == weights.size() - 1;
                next[i] = output ? s : phi.apply(s);
            }
            h = next;
        }
        return h;
    }

    private static double[] column(Matrix m, int c) {
        double[] v = new double[m.rows()];
        for (int i = 0; i < v.length; i++) {
            v[i] = m.get(i, c);
        }
        return v;
    }

    @Test
    void cascadeEqualsApplyingTheModelsInTurn() {
        int checked = 0;
        for (Activation phi : new Activation[]{Activation.RELU, Activation.TANH}) {
            for (long seed = 0; seed < 6; seed++) {
                for (int combo = 0; combo < 4; combo++) {
                    boolean bias1 = (combo & 1) != 0;
                    boolean bias2 = (combo & 2) != 0;
                    Random random = new Random(1000 * seed + combo);
                    ImplicitModel first = randomModel(random, 4, 3, 2, bias1, phi);
                    ImplicitModel second = randomModel(random, 5, 2, 3, bias2, phi);
                    ImplicitModel cascade = ImplicitModel.cascade(first, second);
                    String what = phi + " seed " + seed + " bias " + bias1 + "/" + bias2;
                    assertEquals(9, cascade.hidden(), what);
                    assertEquals(3, cascade.inputs(), what);
                    assertEquals(3, cascade.outputs(), what);
                    assertEquals(bias1 || bias2, cascade.bias(), what);
                    // x = (x2; x1): the lower-left block (x1's dependence on x2) is zero.
                    Matrix a = cascade.a();
                    for (int i = 5; i < 9; i++) {
                        for (int j = 0; j < 5; j++) {
                            assertEquals(0.0, a.get(i, j), what);
                        }
                    }

                    Matrix u = Matrix.gaussian(3, 40, 1.0, random);
                    Matrix expected = tightPredict(second, tightPredict(first, u));
                    Matrix got = tightPredict(cascade, u);
                    double scale = Math.max(1, expected.maxAbs());
                    double diff = got.minus(expected).maxAbs();
                    assertTrue(diff <= 1e-10 * scale, what + ": cascade differs by " + diff + " (scale " + scale + ")");

                    // And through predict() with the default certified tolerance: a cascade of
                    // well-posed models is well-posed, so it must predict (block triangular |A|
                    // is reducible, which once made Picard's certified stop unreachable).
                    Matrix viaPredict;
                    try {
                        viaPredict = cascade.predict(u);
                    } catch (RuntimeException e) {
                        fail(what + ": predict failed: " + e.getMessage(), e);
                        return;
                    }
                    double d2 = viaPredict.minus(expected).maxAbs();
                    assertTrue(d2 <= 1e-8 * scale, what + ": predict differs by " + d2);
                    checked++;
                }
            }
        }
        assertEquals(48, checked);
    }

    /** A random model with ||A||_inf = 0.5 exactly. */
    private static ImplicitModel randomModel(Random random, int n, int p, int q, boolean bias, Activation phi) {
        Matrix a = gaussianWithInfNorm(n, 0.5, random);
        int pb = p + (bias ? 1 : 0);
        return new ImplicitModel(a, Matrix.gaussian(n, pb, 1.0, random), Matrix.gaussian(q, n, 1.0, random),
                Matrix.gaussian(q, pb, 1.0, random), phi, bias);
    }

    /** Predictions from a fixed point solved to a relative tolerance of 1e-12. */
    private static Matrix tightPredict(ImplicitModel model, Matrix u) {
        Matrix ua = model.augment(u);
        Matrix x = model.solver(1e-12).solve(model.b().times(ua), null).states();
        return model.readout(x, ua);
    }
}
