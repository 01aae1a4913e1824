package org.idl.model;

import org.idl.linalg.Checks;
import org.idl.linalg.Matrix;

/**
 * The Fenchel divergence of an activation (paper section 4.1): {@code F(x, z) = h(x) + h*(z) - x z},
 * non-negative by the Fenchel-Young inequality and zero exactly when {@code x = phi(z)}. It turns
 * the constraint {@code X = phi(AX + BU)} into the penalty of the relaxation (10)/(11).
 */
public final class FenchelDivergence {
    private FenchelDivergence() {
    }

    public static double value(Activation phi, double x, double z) {
        double hx = phi.h(x);
        if (hx == Double.POSITIVE_INFINITY) {
            return Double.POSITIVE_INFINITY;
        }
        // Rounding can push the exact zero at x = phi(z) a few ulps below; the divergence is >= 0.
        return Math.max(0.0, hx + phi.hStar(z) - x * z);
    }

    /** {@code sum_ij lambda_i F(X_ij, Z_ij)}. */
    public static double weightedSum(Activation phi, Matrix x, Matrix z, double[] lambda) {
        Checks.sameShape("X", x, "Z", z);
        if (lambda.length != x.rows()) {
            throw new IllegalArgumentException(lambda.length + " weights lambda for " + x.rows() + " hidden units");
        }
        int n = x.rows();
        double[] xd = x.data();
        double[] zd = z.data();
        double total = 0;
        for (int k = 0; k < xd.length; k++) {
            total += lambda[k % n] * value(phi, xd[k], zd[k]);
        }
        return total;
    }
}
