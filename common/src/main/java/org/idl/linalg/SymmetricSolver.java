package org.idl.linalg;

import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;

/** Solves {@code X S = R} for a symmetric positive-definite S by Cholesky (LAPACK dpotrf/dpotrs). */
public final class SymmetricSolver {
    private final int n;
    private final double[] factor;

    /** Factorises S; throws naming the leading minor that is not positive. */
    public SymmetricSolver(Matrix s) {
        Checks.square("S", s);
        this.n = s.rows();
        this.factor = s.data().clone();
        intW info = new intW(0);
        if (n > 0) {
            LAPACK.getInstance().dpotrf("U", n, factor, n, info);
        }
        if (info.val != 0) {
            throw new IllegalArgumentException("matrix is not positive definite (LAPACK dpotrf info = " + info.val + ")");
        }
    }

    /** Returns X with X S = R, i.e. X = R S^{-1}, for R with n columns. */
    public Matrix solveRight(Matrix r) {
        if (r.cols() != n) {
            throw new IllegalArgumentException("right-hand side is " + r.shape() + ", needs " + n + " columns");
        }
        // X S = R  <=>  S X^T = R^T (S symmetric).
        Matrix xt = r.transpose();
        intW info = new intW(0);
        if (n > 0 && xt.cols() > 0) {
            LAPACK.getInstance().dpotrs("U", n, xt.cols(), factor, n, xt.data(), n, info);
        }
        if (info.val != 0) {
            throw new IllegalStateException("LAPACK dpotrs failed, info = " + info.val);
        }
        return xt.transpose();
    }

    /**
     * S^{-1} itself (LAPACK dpotri on the factor, then mirrored): for a system solved again and again,
     * {@code R S^{-1}} as one matrix product is faster than the two triangular solves of {@link #solveRight}.
     */
    public Matrix inverse() {
        double[] inv = factor.clone();
        intW info = new intW(0);
        if (n > 0) {
            LAPACK.getInstance().dpotri("U", n, inv, n, info);
        }
        if (info.val != 0) {
            throw new IllegalStateException("LAPACK dpotri failed, info = " + info.val);
        }
        // dpotri fills the upper triangle (column-major: row i <= column j); mirror it below.
        for (int j = 0; j < n; j++) {
            for (int i = j + 1; i < n; i++) {
                inv[i + j * n] = inv[j + i * n];
            }
        }
        return Matrix.wrap(n, n, inv);
    }
}
