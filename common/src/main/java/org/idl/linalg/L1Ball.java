package org.idl.linalg;

import java.util.Arrays;

/**
 * Euclidean projection onto the L1 ball {@code {w : ||w||_1 <= radius}}, by sorting
 * (Duchi, Shalev-Shwartz, Singer, Chandra 2008, figure 1): the projection soft-thresholds every
 * entry by the one theta that puts the result on the sphere.
 */
public final class L1Ball {
    private L1Ball() {
    }

    /** Projects {@code v} in place onto the ball of the given radius. */
    public static void project(double[] v, double radius) {
        Checks.nonNegative("radius", radius);
        double l1 = 0;
        for (double x : v) {
            l1 += Math.abs(x);
        }
        if (l1 <= radius) {
            return;
        }
        if (radius == 0) {
            // The ball is {0}; the sort-based threshold below assumes a positive radius.
            Arrays.fill(v, 0.0);
            return;
        }
        double theta = threshold(v, radius);
        for (int i = 0; i < v.length; i++) {
            double a = Math.abs(v[i]) - theta;
            v[i] = a > 0 ? Math.copySign(a, v[i]) : 0.0;
        }
    }

    /** The theta >= 0 with {@code sum_i max(|v_i| - theta, 0) = radius}, for ||v||_1 > radius. */
    static double threshold(double[] v, double radius) {
        double[] mu = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            mu[i] = Math.abs(v[i]);
        }
        Arrays.sort(mu);
        double cumulative = 0;
        double theta = 0;
        // Walk the magnitudes from largest to smallest; the last index where the running threshold
        // stays below the current magnitude fixes theta.
        for (int k = 0; k < mu.length; k++) {
            double m = mu[mu.length - 1 - k];
            cumulative += m;
            double t = (cumulative - radius) / (k + 1);
            if (m > t) {
                theta = t;
            } else {
                break;
            }
        }
        return Math.max(theta, 0.0);
    }
}
