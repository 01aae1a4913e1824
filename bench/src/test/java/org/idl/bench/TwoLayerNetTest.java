package org.idl.bench;

import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.model.WellPosedness;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The network as an implicit model: same predictions, the feedforward pattern, and back. */
class TwoLayerNetTest {

    @Test
    void implicitFormPredictsLikeTheNetwork() {
        Random random = new Random(1);
        TwoLayerNet net = TwoLayerNet.withoutBias(TwoLayerNet.sparseUniform(12, 20, 0.7, random),
                TwoLayerNet.sparseUniform(6, 12, 0.7, random), TwoLayerNet.sparseUniform(5, 6, 0.7, random));
        ImplicitModel model = net.toImplicit();
        assertEquals(WellPosedness.Structure.STRICTLY_UPPER, WellPosedness.structure(model.a()));
        TwoLayerNet.pattern(20, 12, 6, 5).requireRespectedBy(model);
        Matrix u = Matrix.gaussian(20, 50, 1.3, random);
        double diff = model.predict(u).minus(net.predict(u)).maxAbs();
        assertTrue(diff <= 1e-12, "implicit and feedforward predictions differ by " + diff);
        TwoLayerNet back = TwoLayerNet.fromImplicit(model, 12, 6);
        assertEquals(0.0, back.w1().minus(net.w1()).maxAbs());
        assertEquals(0.0, back.w2().minus(net.w2()).maxAbs());
        assertEquals(0.0, back.w3().minus(net.w3()).maxAbs());
    }

    @Test
    void sparseUniformHasTheTeachersDistribution() {
        Matrix w = TwoLayerNet.sparseUniform(200, 200, 0.7, new Random(2));
        int zeros = 0;
        for (double v : w.data()) {
            zeros += v == 0 ? 1 : 0;
            assertTrue(Math.abs(v) <= 0.5);
        }
        assertEquals(0.7, zeros / 40000.0, 0.01);
    }

    @Test
    void newtonSolveIsExactOnASmallSpdSystem() {
        double[] h = {4, 1, 0, 1, 3, 1, 0, 1, 2}; // column-major, symmetric positive definite
        double[] g = {1, 2, 3};
        double[] d = LayerwiseBcd.solveSpd(h, g, 3);
        for (int i = 0; i < 3; i++) {
            double r = -g[i];
            for (int j = 0; j < 3; j++) {
                r += h[i + 3 * j] * d[j];
            }
            assertEquals(0.0, r, 1e-14);
        }
    }
}
