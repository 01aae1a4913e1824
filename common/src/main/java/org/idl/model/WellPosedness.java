package org.idl.model;

import org.idl.linalg.Checks;
import org.idl.linalg.L1Ball;
import org.idl.linalg.Matrix;

import java.util.Arrays;

/**
 * Well-posedness of {@code x = phi(A x + b)} for a 1-Lipschitz monotone phi (paper section 3):
 * <ul>
 *   <li>{@code ||A||_inf < 1}: Picard contracts in the infinity norm;</li>
 *   <li>{@code rho(|A|) < 1}: the condition is invariant under diagonal scaling, so with a positive
 *       vector s, {@code k_s = max_i (|A| s)_i / s_i < 1} makes Picard contract in the s-weighted norm
 *       {@code max_i |x_i| / s_i}; s is (close to) the Perron vector of |A|;</li>
 *   <li>A strictly triangular, or triangular with a diagonal below one: solved exactly by substitution.</li>
 * </ul>
 */
public final class WellPosedness {
    private WellPosedness() {
    }

    /** Triangular structure of A, as the substitution solver needs it. */
    public enum Structure {
        /** Zero on and below the diagonal: backward substitution. */
        STRICTLY_UPPER,
        /** Zero on and above the diagonal: forward substitution. */
        STRICTLY_LOWER,
        /** Zero below the diagonal, every diagonal entry below 1. */
        UPPER_DIAGONAL_BELOW_ONE,
        /** Zero above the diagonal, every diagonal entry below 1. */
        LOWER_DIAGONAL_BELOW_ONE,
        GENERAL;

        public boolean triangular() {
            return this != GENERAL;
        }

        public boolean upper() {
            return this == STRICTLY_UPPER || this == UPPER_DIAGONAL_BELOW_ONE;
        }
    }

    /**
     * A contraction certificate for Picard: in the norm {@code ||x||_s = max_i |x_i| / s_i}, one
     * step contracts by {@code factor < 1}.
     */
    public record Certificate(double factor, double[] scaling, double infNorm, double spectralRadiusEstimate) {
        public boolean valid() {
            return factor < 1;
        }
    }

    public static double infNorm(Matrix a) {
        return a.infNorm();
    }

    public static Structure structure(Matrix a) {
        Checks.square("A", a);
        int n = a.rows();
        boolean upper = true;
        boolean lower = true;
        boolean zeroDiagonal = true;
        boolean diagonalBelowOne = true;
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                double v = a.get(i, j);
                if (i > j && v != 0) {
                    upper = false;
                } else if (i < j && v != 0) {
                    lower = false;
                } else if (i == j) {
                    zeroDiagonal &= v == 0;
                    diagonalBelowOne &= v < 1;
                }
            }
        }
        if (upper && zeroDiagonal) {
            return Structure.STRICTLY_UPPER;
        }
        if (lower && zeroDiagonal) {
            return Structure.STRICTLY_LOWER;
        }
        if (upper && diagonalBelowOne) {
            return Structure.UPPER_DIAGONAL_BELOW_ONE;
        }
        if (lower && diagonalBelowOne) {
            return Structure.LOWER_DIAGONAL_BELOW_ONE;
        }
        return Structure.GENERAL;
    }

    /**
     * The best contraction certificate found: the unscaled infinity norm, or a Perron scaling of |A|
     * (Collatz-Wielandt: for any positive s, {@code max_i (|A|s)_i / s_i >= rho(|A|)}, with equality at
     * the Perron vector), or a Neumann-series scaling. Among valid certificates, those with a scaling
     * whose certified Picard stop is reachable in double precision come first, then the smaller factor.
     * The returned factor is computed exactly from the returned scaling.
     */
    public static Certificate certify(Matrix a) {
        Checks.square("A", a);
        a.requireFinite("A");
        int n = a.rows();
        Matrix abs = a.copy();
        double[] d = abs.data();
        for (int k = 0; k < d.length; k++) {
            d[k] = Math.abs(d[k]);
        }
        double inf = a.infNorm();
        double[] ones = new double[n];
        Arrays.fill(ones, 1.0);
        double best = inf;
        double[] bestScaling = ones;
        boolean bestUsable = usable(inf, ones);
        if (n == 0 || inf == 0) {
            return new Certificate(inf, ones, inf, inf);
        }

        // Power iteration on |A| from the all-ones vector; a tiny floor keeps s positive when |A| is reducible.
        double[] s = ones.clone();
        double[] t = new double[n];
        double rho = 0;
        for (int it = 0; it < 500; it++) {
            multiply(abs, s, t);
            double max = 0;
            for (double v : t) {
                max = Math.max(max, v);
            }
            if (max == 0) {
                rho = 0;
                break;
            }
            for (int i = 0; i < n; i++) {
                s[i] = Math.max(t[i] / max, 1e-12);
            }
            double next = max;
            if (Math.abs(next - rho) <= 1e-13 * next) {
                rho = next;
                break;
            }
            rho = next;
        }
        double factor = contraction(abs, s, t);
        if (better(factor, s, best, bestUsable)) {
            best = factor;
            bestScaling = s.clone();
            bestUsable = usable(best, bestScaling);
        }
        // Reducible or slowly mixing |A|: s = sum_k (|A|/r)^k 1 with rho < r < 1 satisfies |A| s <= r s.
        // Also when the Perron vector has (near-)zero entries (reducible |A|, e.g. a cascade): its
        // floored scaling then spans ~1e12 and the certified stop is out of reach in floating point.
        if (!bestUsable && rho < 1) {
            double r = 0.5 * (1 + rho);
            double[] acc = ones.clone();
            double[] term = ones.clone();
            for (int it = 0; it < 10_000; it++) {
                multiply(abs, term, t);
                double max = 0;
                for (int i = 0; i < n; i++) {
                    term[i] = t[i] / r;
                    acc[i] += term[i];
                    max = Math.max(max, term[i]);
                }
                if (max <= 1e-16) {
                    break;
                }
            }
            double f = contraction(abs, acc, t);
            if (better(f, acc, best, bestUsable)) {
                best = f;
                bestScaling = acc;
                bestUsable = usable(best, bestScaling);
            }
        }
        return new Certificate(best, bestScaling, inf, rho);
    }

    /**
     * Picard's certified stop bounds the infinity-norm error by {@code k/(1-k) max(s)/min(s)} times the
     * last step in the s-norm; past this amplification, rounding errors of a few ulps in a step keep the
     * bound above a relative tolerance of 1e-10 for ever.
     */
    private static final double MAX_AMPLIFICATION = 1e5;

    /** A valid certificate whose certified stop is reachable in double precision. */
    private static boolean usable(double factor, double[] scaling) {
        if (!(factor < 1)) {
            return false;
        }
        double max = 0;
        double min = Double.POSITIVE_INFINITY;
        for (double v : scaling) {
            max = Math.max(max, v);
            min = Math.min(min, v);
        }
        return factor / (1 - factor) * (max / min) <= MAX_AMPLIFICATION;
    }

    /** Usable certificates before unusable ones, then the smaller factor. */
    private static boolean better(double factor, double[] scaling, double bestFactor, boolean bestUsable) {
        boolean u = usable(factor, scaling);
        if (u != bestUsable) {
            return u;
        }
        return factor < bestFactor;
    }

    private static void multiply(Matrix m, double[] x, double[] out) {
        int n = m.rows();
        Arrays.fill(out, 0.0);
        double[] d = m.data();
        for (int j = 0; j < n; j++) {
            double xj = x[j];
            if (xj == 0) {
                continue;
            }
            int o = j * n;
            for (int i = 0; i < n; i++) {
                out[i] += d[o + i] * xj;
            }
        }
    }

    /** {@code max_i (|A| s)_i / s_i}: the infinity norm of diag(s)^-1 |A| diag(s). */
    private static double contraction(Matrix abs, double[] s, double[] scratch) {
        multiply(abs, s, scratch);
        double k = 0;
        for (int i = 0; i < s.length; i++) {
            k = Math.max(k, scratch[i] / s[i]);
        }
        return k;
    }

    /**
     * Projects A in place onto {@code {A : ||A||_inf <= kappa}}: each row independently onto the L1
     * ball of radius kappa. This is the exact Euclidean projection; rescaling the matrix is not.
     */
    public static void projectInfNormBall(Matrix a, double kappa) {
        Checks.nonNegative("kappa", kappa);
        int n = a.rows();
        int c = a.cols();
        double[] row = new double[c];
        double[] d = a.data();
        // The rows' L1 norms in one sweep down the columns (the storage order); only the rows outside
        // the ball are gathered and projected.
        double[] l1 = new double[n];
        for (int j = 0; j < c; j++) {
            for (int i = 0, o = j * n; i < n; i++) {
                l1[i] += Math.abs(d[o + i]);
            }
        }
        for (int i = 0; i < n; i++) {
            if (l1[i] <= kappa) {
                continue;
            }
            for (int j = 0; j < c; j++) {
                row[j] = d[i + j * n];
            }
            L1Ball.project(row, kappa);
            for (int j = 0; j < c; j++) {
                d[i + j * n] = row[j];
            }
        }
    }
}
