package org.idl.train.gradient;

import org.idl.linalg.Matrix;
import org.idl.linalg.SparseColumns;
import org.idl.model.Activation;
import org.idl.model.ImplicitModel;
import org.idl.model.WellPosedness;
import org.idl.train.Loss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The implicit gradient against central finite differences of the loss at the true fixed point. */
class ImplicitGradientTest {

    @ParameterizedTest
    @CsvSource({"relu, cross_entropy", "relu, squared", "tanh, cross_entropy", "tanh, squared", "leaky_relu, squared"})
    void matchesFiniteDifferences(String activation, String lossName) {
        Activation phi = Activation.parse(activation);
        Loss loss = Loss.parse(lossName);
        Random random = new Random(7);
        int n = 6;
        int p = 5;
        int q = 3;
        int m = 9;
        Matrix a = Matrix.gaussian(n, n, 0.5, random);
        WellPosedness.projectInfNormBall(a, 0.8);
        Matrix b = Matrix.gaussian(n, p + 1, 0.7, random);
        Matrix c = Matrix.gaussian(q, n, 0.5, random);
        Matrix d = Matrix.gaussian(q, p + 1, 0.5, random);
        Matrix u = Matrix.gaussian(p, m, 1.0, random).withOnesRow();
        Matrix y = Matrix.zeros(q, m);
        for (int j = 0; j < m; j++) {
            if (loss.classification()) {
                y.set(random.nextInt(q), j, 1.0);
            } else {
                for (int i = 0; i < q; i++) {
                    y.set(i, j, random.nextGaussian());
                }
            }
        }
        ImplicitGradient.Result r = ImplicitGradient.compute(a, b, c, d, phi, loss, u, y, null, null, 1e-13);
        assertTrue(r.forwardIterations() > 0 && r.adjointIterations() > 0);
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
                double plus = loss(a, b, c, d, phi, loss, u, y);
                w[k] = saved - h;
                double minus = loss(a, b, c, d, phi, loss, u, y);
                w[k] = saved;
                double numeric = (plus - minus) / (2 * h);
                worst = Math.max(worst, Math.abs(numeric - grads[t].data()[k]));
            }
            assertTrue(scale > 1e-3, names[t] + " gradient vanishes: " + scale);
            assertTrue(worst <= 1e-6 * Math.max(1, scale), "d" + names[t] + ": max error " + worst + " against scale " + scale);
        }
        assertEquals(loss(a, b, c, d, phi, loss, u, y), r.metrics().loss(), 1e-10);

        // Warm starts from another model's states and adjoints change the iterations, not the gradient.
        Matrix shifted = b.copy().scaleInPlace(1.3);
        ImplicitGradient.Result other = ImplicitGradient.compute(a, shifted, c, d, phi, loss, u, y, null, null, 1e-13);
        ImplicitGradient.Result warm = ImplicitGradient.compute(a, b, c, d, phi, loss, u, y, other.states(),
                other.adjoint(), 1e-13);
        for (int t = 0; t < 4; t++) {
            Matrix g = new Matrix[]{warm.da(), warm.db(), warm.dc(), warm.dd()}[t];
            assertTrue(g.minus(grads[t]).maxAbs() <= 1e-10 * Math.max(1, grads[t].maxAbs()), names[t]);
        }
    }

    private static double loss(Matrix a, Matrix b, Matrix c, Matrix d, Activation phi, Loss loss, Matrix u, Matrix y) {
        ImplicitModel model = new ImplicitModel(a, b, c, d, phi, false);
        Matrix x = model.solver(1e-14).solve(b.times(u), null).states();
        return loss.value(y, model.readout(x, u));
    }

    @org.junit.jupiter.api.Test
    void refusesAnAWithoutTheInfinityNormCertificate() {
        Matrix a = Matrix.of(new double[][]{{0.6, 0.6}, {0, 0.1}});
        Matrix u = Matrix.of(new double[][]{{1}});
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ImplicitGradient.compute(a, Matrix.zeros(2, 1), Matrix.zeros(1, 2), Matrix.zeros(1, 1),
                        Activation.RELU, Loss.SQUARED, u, Matrix.zeros(1, 1), null, null, 1e-8));
        assertTrue(e.getMessage().contains("||A||_inf < 1") && e.getMessage().contains("1.2"), e.getMessage());
    }

    /** Sparse inputs give the dense inputs' gradients; a weight of 2 is the point counted twice. */
    @Test
    void sparseInputsAndWeightsGiveTheirDenseAndDuplicatedCounterparts() {
        Random random = new Random(11);
        int n = 8;
        int p = 30;
        int q = 4;
        int m = 12;
        Matrix a = Matrix.gaussian(n, n, 0.5, random);
        WellPosedness.projectInfNormBall(a, 0.9);
        Matrix b = Matrix.gaussian(n, p + 1, 0.5, random);
        Matrix c = Matrix.gaussian(q, n, 0.5, random);
        Matrix d = Matrix.gaussian(q, p + 1, 0.5, random);
        SparseColumns sparse = org.idl.linalg.SparseColumnsTest.random(p, m, 0.15, random);
        Matrix dense = sparse.toDense();
        Matrix y = Matrix.zeros(q, m);
        for (int j = 0; j < m; j++) {
            y.set(random.nextInt(q), j, 1.0);
        }
        Loss loss = Loss.parse("cross_entropy");
        Activation phi = Activation.parse("relu");
        ImplicitGradient.Result fromDense = ImplicitGradient.compute(a, b, c, d, phi, loss, dense, y, null, null, 1e-13);
        ImplicitGradient.Result fromSparse = ImplicitGradient.compute(a, b, c, d, phi, loss, sparse, y, null, null, 1e-13);
        Matrix[] expected = {fromDense.da(), fromDense.db(), fromDense.dc(), fromDense.dd()};
        Matrix[] actual = {fromSparse.da(), fromSparse.db(), fromSparse.dc(), fromSparse.dd()};
        for (int t = 0; t < 4; t++) {
            assertArrayEquals(expected[t].data(), actual[t].data(), 1e-10);
        }

        // Weights 2, 0, 1, 1, ... against the data with point 0 twice and point 1 left out.
        double[] weights = new double[m];
        java.util.Arrays.fill(weights, 1.0);
        weights[0] = 2;
        weights[1] = 0;
        int[] order = new int[m];
        order[0] = 0;
        for (int j = 2; j < m; j++) {
            order[j - 1] = j;
        }
        order[m - 1] = 0;
        ImplicitGradient.Result weighted = ImplicitGradient.compute(a, b, c, d, phi, loss, sparse, y, weights, null,
                null, 1e-13);
        ImplicitGradient.Result duplicated = ImplicitGradient.compute(a, b, c, d, phi, loss, dense.columnsAt(order, 0, m),
                y.columnsAt(order, 0, m), null, null, 1e-13);
        Matrix[] w = {weighted.da(), weighted.db(), weighted.dc(), weighted.dd()};
        Matrix[] dup = {duplicated.da(), duplicated.db(), duplicated.dc(), duplicated.dd()};
        for (int t = 0; t < 4; t++) {
            assertArrayEquals(dup[t].data(), w[t].data(), 1e-10);
        }
        // The metrics count each point once, whatever its weight.
        assertEquals(fromDense.metrics().count(), weighted.metrics().count());
    }
}
