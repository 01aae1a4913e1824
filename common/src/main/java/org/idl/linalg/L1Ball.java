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
        double theta = threshold(v, from, to, radius, l1);
        for (int i = from; i < to; i++) {
            double a = Math.abs(v[i]) - theta;
            v[i] = a > 0 ? Math.copySign(a, v[i]) : 0.0;
        }
    }

    /**
     * The theta >= 0 with {@code sum_i max(|v_i| - theta, 0) = radius}, for ||v||_1 > radius > 0, by
     * Michelot's algorithm (C. Michelot, "A finite algorithm for finding the projection of a point onto
     * the canonical simplex of R^n", JOTA 50, 1986, on |v|; it is Newton's method on that piecewise linear
     * function): theta = (sum of the entries above it - radius) / their count, starting from all of them,
     * rises at each pass (in exact arithmetic), and stops when a pass drops no entry, at the root. Each
     * pass is one sweep without branches or allocation, and a few passes are enough, so for the rows of A
     * it beats the sorting (n log n) and the one-pass list methods (Condat 2016) alike: the
     * gradient solver projects every row of A after every step, and BCD's (A,B)-step after every FISTA
     * iteration.
     */
    static double threshold(double[] v, double radius) {
        double l1 = 0;
        for (double x : v) {
            l1 += Math.abs(x);
        }
        return threshold(v, 0, v.length, radius, l1);
    }

    /** The same for the slice {@code v[from, to)}, whose L1 norm is {@code l1}. */
    private static double threshold(double[] v, int from, int to, double radius, double l1) {
        double sum = l1;
        int count = to - from;
        // theta starts below the root (the entries' mean less radius / n) and, in exact arithmetic, rises
        // to it as entries drop out.
        double theta = (sum - radius) / count;
        while (true) {
            double s = 0;
            int c = 0;
            for (int i = from; i < to; i++) {
                double a = Math.abs(v[i]);
                boolean above = a > theta;
                s += above ? a : 0.0;
                c += above ? 1 : 0;
            }
            if (c >= count || c == 0) {
                // No entry dropped: theta is the root for this set. The set can only shrink, so at most n
                // passes: rounding can bring back an entry that the last pass dropped (theta a few ulps lower
                // for the smaller set), and theta is then the root to those ulps. c = 0 only when rounding
                // puts theta at the largest entry (radius tiny against it): the projection is then 0.
                return Math.max(theta, 0.0);
            }
            count = c;
            theta = (s - radius) / c;
        }
    }
}
