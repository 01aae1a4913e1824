package org.idl.linalg;

import java.util.Arrays;

/**
 * Euclidean projection onto the L1 ball {@code {w : ||w||_1 <= radius}}: the projection
 * soft-thresholds every entry by the one theta that puts the result on the sphere (Duchi,
 * Shalev-Shwartz, Singer, Chandra 2008), found here without sorting ({@link #threshold}).
 */
public final class L1Ball {
    private L1Ball() {
    }

    /** Projects {@code v} in place onto the ball of the given radius. */
    public static void project(double[] v, double radius) {
        project(v, 0, v.length, radius);
    }

    /** Projects the slice {@code v[from, to)} in place onto the ball of the given radius. */
    public static void project(double[] v, int from, int to, double radius) {
        Checks.nonNegative("radius", radius);
        double l1 = 0;
        for (int i = from; i < to; i++) {
            l1 += Math.abs(v[i]);
        }
        if (!Double.isFinite(l1)) {
            // A NaN would zero the row or pass through it, depending on where it sits: refuse it.
            throw new IllegalArgumentException("cannot project onto the L1 ball a vector with a non-finite entry"
                    + " (its L1 norm is " + l1 + ")");
        }
        if (l1 <= radius) {
            return;
        }
        if (radius == 0) {
            // The ball is {0}; the threshold below assumes a positive radius.
            Arrays.fill(v, from, to, 0.0);
            return;
        }
        double theta = threshold(v, from, to, radius);
        for (int i = from; i < to; i++) {
            double a = Math.abs(v[i]) - theta;
            v[i] = a > 0 ? Math.copySign(a, v[i]) : 0.0;
        }
    }

    /**
     * The theta >= 0 with {@code sum_i max(|v_i| - theta, 0) = radius}, for ||v||_1 > radius > 0, by
     * Condat's algorithm (L. Condat, "Fast projection onto the simplex and the l1 ball", Math.
     * Programming 158, 2016, algorithm 2 on |v|): one pass keeps a running threshold rho over a list of
     * candidates that may lie above it, then drops those that do not until none is dropped. Linear in
     * practice, where sorting is n log n: the gradient solver projects every row of A after every
     * step, and BCD's (A,B)-step after every FISTA iteration.
     */
    static double threshold(double[] v, double radius) {
        return threshold(v, 0, v.length, radius);
    }

    private static double threshold(double[] v, int from, int to, double radius) {
        int n = to - from;
        double[] kept = new double[n];
        double[] waiting = new double[n];
        int nk = 0;
        int nw = 0;
        kept[nk++] = Math.abs(v[from]);
        double rho = kept[0] - radius;
        for (int i = from + 1; i < to; i++) {
            double y = Math.abs(v[i]);
            if (y > rho) {
                rho += (y - rho) / (nk + 1);
                if (rho > y - radius) {
                    kept[nk++] = y;
                } else {
                    // y alone already pushes rho past every candidate so far: they wait, y starts afresh.
                    System.arraycopy(kept, 0, waiting, nw, nk);
                    nw += nk;
                    kept[0] = y;
                    nk = 1;
                    rho = y - radius;
                }
            }
        }
        for (int k = 0; k < nw; k++) {
            double y = waiting[k];
            if (y > rho) {
                kept[nk++] = y;
                rho += (y - rho) / nk;
            }
        }
        boolean dropped = true;
        while (dropped) {
            dropped = false;
            int write = 0;
            for (int k = 0; k < nk; k++) {
                double y = kept[k];
                int rest = write + nk - k - 1;
                if (y <= rho && rest > 0) {
                    // Removing y from the list raises rho: rho + (rho - y) / |list without y|. (The
                    // largest entry stays above rho, whatever the rounding: the list is never empty.)
                    rho += (rho - y) / rest;
                    dropped = true;
                } else {
                    kept[write++] = y;
                }
            }
            nk = write;
        }
        return Math.max(rho, 0.0);
    }
}
