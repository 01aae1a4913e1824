package org.idl.bench;

import org.idl.linalg.Matrix;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The baseline's backpropagation against central finite differences, and RMSProp fitting a small teacher. */
class RmsPropTest {

    @Test
    void gradientMatchesFiniteDifferences() {
        for (boolean bias : new boolean[] {true, false}) {
            Random random = new Random(bias ? 1 : 2);
            TwoLayerNet net = RmsProp.glorot(4, 5, 3, 2, bias, random);
            if (bias) {
                for (double[] b : new double[][] {net.b1(), net.b2(), net.b3()}) {
                    for (int i = 0; i < b.length; i++) {
                        b[i] = 0.3 * random.nextGaussian();
                    }
                }
            }
            Matrix u = Matrix.gaussian(4, 7, 1.0, random);
            Matrix y = Matrix.gaussian(2, 7, 1.0, random);
            double l2 = 0.01;
            RmsProp.Gradient g = RmsProp.gradient(net, u, y, l2);
            double[][] params = bias ? new double[][] {net.w1().data(), net.w2().data(), net.w3().data(), net.b1(),
                    net.b2(), net.b3()} : new double[][] {net.w1().data(), net.w2().data(), net.w3().data()};
            double[][] grads = bias ? new double[][] {g.w1().data(), g.w2().data(), g.w3().data(), g.b1(), g.b2(), g.b3()}
                    : new double[][] {g.w1().data(), g.w2().data(), g.w3().data()};
            double h = 1e-6;
            for (int k = 0; k < params.length; k++) {
                for (int i = 0; i < params[k].length; i++) {
                    double keep = params[k][i];
                    params[k][i] = keep + h;
                    double up = RmsProp.objective(net, u, y, l2);
                    params[k][i] = keep - h;
                    double down = RmsProp.objective(net, u, y, l2);
                    params[k][i] = keep;
                    double numeric = (up - down) / (2 * h);
                    assertEquals(numeric, grads[k][i], 1e-8 * Math.max(1, Math.abs(numeric)),
                            "bias " + bias + ", block " + k + ", entry " + i);
                }
            }
        }
    }

    @Test
    void rmspropFitsASmallTeacher() {
        Random random = new Random(3);
        TwoLayerNet teacher = TwoLayerNet.withoutBias(Matrix.gaussian(5, 4, 0.5, random), Matrix.gaussian(3, 5, 0.5, random),
                Matrix.gaussian(2, 3, 0.5, random));
        Matrix u = Matrix.gaussian(4, 200, 1.0, random);
        Matrix y = teacher.predict(u);
        Matrix ut = Matrix.gaussian(4, 100, 1.0, random);
        RmsProp.Result r = RmsProp.train(RmsProp.glorot(4, 5, 3, 2, true, random), u, y, ut, teacher.predict(ut),
                new RmsProp.Settings(300, 0.01, 0.9, 1e-8, 1e-4, true));
        assertEquals(301, r.trainRmse().length);
        double last = r.trainRmse()[300];
        assertTrue(last < 0.2 * r.trainRmse()[0], r.trainRmse()[0] + " -> " + last);
        assertEquals(TwoLayerNet.rmse(r.net().predict(u), y), last, 1e-12, "the history ends at the returned network");
    }
}
