package org.idl.linalg;

import org.idl.model.WellPosedness;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Euclidean projection onto the L1 ball, and the row-wise projection onto {||A||_inf <= kappa}. */
class L1BallTest {

    @Test
    void projectionSatisfiesTheOptimalityConditions() {
        Random random = new Random(1);
        int outside = 0;
        for (int trial = 0; trial < 2000; trial++) {
            int d = 1 + random.nextInt(12);
            double[] v = new double[d];
            for (int i = 0; i < d; i++) {
                v[i] = random.nextGaussian() * (random.nextBoolean() ? 1 : 5);
                if (random.nextInt(6) == 0) {
                    v[i] = 0;
                }
            }
            double radius = random.nextDouble() * 3 * l1(v) / Math.max(1, d / 2.0);
            double[] w = v.clone();
            L1Ball.project(w, radius);
            if (l1(v) <= radius) {
                assertArrayEquals(v, w, 0.0, "inside the ball: unchanged");
                continue;
            }
            outside++;
            assertEquals(radius, l1(w), 1e-12 * Math.max(1, radius), "on the sphere");
            // w_i = sign(v_i) max(|v_i| - theta, 0) for one theta >= 0.
            double theta = Double.NaN;
            for (int i = 0; i < d; i++) {
                if (w[i] != 0) {
                    assertEquals(Math.signum(v[i]), Math.signum(w[i]), "sign of entry " + i);
                    double t = Math.abs(v[i]) - Math.abs(w[i]);
                    if (Double.isNaN(theta)) {
                        theta = t;
                    } else {
                        assertEquals(theta, t, 1e-12 * Math.max(1, Math.abs(theta)), "one threshold for all");
                    }
                }
            }
            if (Double.isNaN(theta)) {
                // Only possible for radius 0.
                assertEquals(0.0, radius);
                continue;
            }
            assertTrue(theta >= -1e-12, "theta " + theta);
            for (int i = 0; i < d; i++) {
                if (w[i] == 0) {
                    assertTrue(Math.abs(v[i]) <= theta + 1e-12, "zeroed entry " + v[i] + " above theta " + theta);
                }
            }
        }
        assertTrue(outside > 500, "outside cases " + outside);
    }

    @Test
    void projectionMatchesEnumerationOfFaces() {
        Random random = new Random(2);
        for (int trial = 0; trial < 500; trial++) {
            int d = 1 + random.nextInt(6);
            double[] v = new double[d];
            for (int i = 0; i < d; i++) {
                v[i] = 2 * random.nextGaussian();
            }
            double radius = 0.05 + 3 * random.nextDouble();
            double[] w = v.clone();
            L1Ball.project(w, radius);
            double[] expected = bruteForce(v, radius);
            assertArrayEquals(expected, w, 1e-12, "v = " + Arrays.toString(v) + ", r = " + radius);
        }
    }

    @Test
    void smallKnownCases() {
        double[] ties = {1, 1, 1};
        L1Ball.project(ties, 1);
        assertArrayEquals(new double[]{1 / 3.0, 1 / 3.0, 1 / 3.0}, ties, 1e-15);

        double[] w = {3, -1, 0.5};
        L1Ball.project(w, 2);
        assertArrayEquals(new double[]{2, 0, 0}, w, 1e-15);

        double[] v = {0.5, -1.5, 2};
        L1Ball.project(v, 2);
        // theta = 0.75: (0, -0.75, 1.25).
        assertArrayEquals(new double[]{0, -0.75, 1.25}, v, 1e-15);

        double[] boundary = {0.25, -0.75};
        L1Ball.project(boundary, 1.0);
        assertArrayEquals(new double[]{0.25, -0.75}, boundary, 0.0);

        double[] empty = {};
        L1Ball.project(empty, 1.0);
        assertEquals(0, empty.length);
    }

    @Test
    void radiusZeroProjectsToTheOrigin() {
        double[] v = {1, -2, 3};
        L1Ball.project(v, 0.0);
        assertArrayEquals(new double[]{0, 0, 0}, v, 0.0);
        double[] zero = {0, 0};
        L1Ball.project(zero, 0.0);
        assertArrayEquals(new double[]{0, 0}, zero, 0.0);
        Matrix a = Matrix.of(new double[][]{{0.5, -0.5}, {0, 0.1}});
        WellPosedness.projectInfNormBall(a, 0.0);
        assertEquals(0.0, a.maxAbs());
    }

    @Test
    void negativeOrNanRadiusIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> L1Ball.project(new double[]{1}, -0.5));
        assertTrue(e.getMessage().contains("-0.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> L1Ball.project(new double[]{1}, Double.NaN));
    }

    @Test
    void infNormBallProjectsEachRow() {
        Random random = new Random(3);
        double kappa = 0.7;
        for (int trial = 0; trial < 50; trial++) {
            int rows = 5;
            int cols = 1 + random.nextInt(6);
            Matrix a = Matrix.gaussian(rows, cols, 0.6, random);
            // One row already inside the ball, to stay unchanged.
            double[] small = a.row(0);
            double l1 = l1(small);
            for (int j = 0; j < cols; j++) {
                small[j] *= 0.5 * kappa / Math.max(l1, 1e-300);
            }
            a.setRow(0, small);
            Matrix projected = a.copy();
            WellPosedness.projectInfNormBall(projected, kappa);
            assertTrue(projected.infNorm() <= kappa + 1e-12, "||P(A)||_inf = " + projected.infNorm());
            assertArrayEquals(small, projected.row(0), 0.0);
            for (int i = 0; i < rows; i++) {
                assertArrayEquals(bruteForce(a.row(i), kappa), projected.row(i), 1e-12, "row " + i);
            }
        }
    }

    @Test
    void infNormBallProjectionIsNotRescaling() {
        Matrix a = Matrix.of(new double[][]{{2.0, 0.1, -0.1}, {0.3, -0.3, 0.3}, {0.05, 0.0, 0.0}});
        double kappa = 0.5;
        Matrix projected = a.copy();
        WellPosedness.projectInfNormBall(projected, kappa);
        Matrix rescaled = a.copy().scaleInPlace(kappa / a.infNorm());
        assertTrue(projected.minus(rescaled).maxAbs() > 0.05, "projection should differ from rescaling");
        double dProjected = projected.minus(a).frobeniusSquared();
        double dRescaled = rescaled.minus(a).frobeniusSquared();
        assertTrue(dProjected < dRescaled, dProjected + " vs " + dRescaled);
        assertArrayEquals(new double[]{0.5, 0, 0}, projected.row(0), 1e-15);
        assertArrayEquals(new double[]{0.5 / 3, -0.5 / 3, 0.5 / 3}, projected.row(1), 1e-15);
        assertArrayEquals(new double[]{0.05, 0, 0}, projected.row(2), 0.0);
        assertEquals(kappa, projected.infNorm(), 1e-15);
    }

    private static double l1(double[] v) {
        double s = 0;
        for (double x : v) {
            s += Math.abs(x);
        }
        return s;
    }

    /**
     * The projection by enumeration: the closest point of the ball lies in the relative interior of
     * one face {w : sum_{i in S} s_i w_i = r, s_i w_i >= 0, w = 0 off S}, where it is the projection of
     * v onto that face's affine hull. Every feasible such candidate lies in the ball, so the nearest one
     * is the projection.
     */
    static double[] bruteForce(double[] v, double radius) {
        int d = v.length;
        if (l1(v) <= radius) {
            return v.clone();
        }
        double[] best = new double[d]; // the origin, a feasible point
        double bestDistance = distance2(best, v);
        int patterns = (int) Math.pow(3, d);
        for (int code = 0; code < patterns; code++) {
            int[] sign = new int[d];
            int c = code;
            int size = 0;
            for (int i = 0; i < d; i++) {
                sign[i] = c % 3 - 1;
                c /= 3;
                if (sign[i] != 0) {
                    size++;
                }
            }
            if (size == 0) {
                continue;
            }
            double dot = 0;
            for (int i = 0; i < d; i++) {
                dot += sign[i] * v[i];
            }
            double shift = (dot - radius) / size;
            double[] w = new double[d];
            boolean feasible = true;
            for (int i = 0; i < d; i++) {
                if (sign[i] != 0) {
                    w[i] = v[i] - sign[i] * shift;
                    if (sign[i] * w[i] < 0) {
                        feasible = false;
                    }
                }
            }
            if (feasible) {
                double dist = distance2(w, v);
                if (dist < bestDistance) {
                    bestDistance = dist;
                    best = w;
                }
            }
        }
        return best;
    }

    private static double distance2(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return s;
    }

    /** Michelot's threshold against the sorting one, on vectors with ties, zeros and many sizes. */
    @Test
    void thresholdEqualsTheSortingOne() {
        Random random = new Random(5);
        for (int trial = 0; trial < 5000; trial++) {
            int d = 1 + random.nextInt(trial % 10 == 0 ? 500 : 20);
            double[] v = new double[d];
            for (int i = 0; i < d; i++) {
                v[i] = random.nextInt(4) == 0 ? (random.nextBoolean() ? 0.5 : 0) : random.nextGaussian();
            }
            double l1 = l1(v);
            if (l1 == 0) {
                continue;
            }
            double radius = l1 * random.nextDouble() * 0.999 + 1e-9;
            double expected = sortingThreshold(v, radius);
            assertEquals(expected, L1Ball.threshold(v, radius), 1e-12 * Math.max(1, expected), "d = " + d);
        }
    }

    /**
     * A near-tie where rounding brings back the entry the last pass dropped: the threshold for {1} is a
     * few ulps below t, which then counts again. The passes must end (they once cycled between {1} and
     * {1, t} for ever).
     */
    @Test
    void aNearTieThatRoundingReAdmitsEnds() {
        double t = 0.25 + 3 * Math.pow(2, -54);
        double radius = 0.75 - Math.pow(2, -53);
        double[] v = {1.0, t};
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> L1Ball.project(v, radius));
        assertEquals(radius, Math.abs(v[0]) + Math.abs(v[1]), 1e-15);
        assertEquals(sortingThreshold(new double[]{1.0, t}, radius), L1Ball.threshold(new double[]{1.0, t}, radius),
                1e-15);
    }

    private static double sortingThreshold(double[] v, double radius) {
        double[] mu = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            mu[i] = Math.abs(v[i]);
        }
        Arrays.sort(mu);
        double cumulative = 0;
        double theta = 0;
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

    @Test
    void aNonFiniteEntryIsRefusedWhereverItSits() {
        for (int at = 0; at < 3; at++) {
            double[] v = {0.5, 0.7, 0.9};
            v[at] = Double.NaN;
            assertThrows(IllegalArgumentException.class, () -> L1Ball.project(v, 1.0), "NaN at " + at);
        }
    }
}
