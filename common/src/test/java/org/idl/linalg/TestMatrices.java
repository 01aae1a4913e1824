package org.idl.linalg;

import java.util.Random;

/** Random matrices and small reductions that the tests of several packages share. */
public final class TestMatrices {
    private TestMatrices() {
    }

    /** An n x n matrix of N(0, 1) entries rescaled to {@code ||A||_inf = infNorm}. */
    public static Matrix gaussianWithInfNorm(int n, double infNorm, Random random) {
        Matrix a = Matrix.gaussian(n, n, 1.0, random);
        return a.scaleInPlace(infNorm / a.infNorm());
    }

    /** The largest entry (negative infinity for none). */
    public static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }
}
