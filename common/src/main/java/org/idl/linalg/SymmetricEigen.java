package org.idl.linalg;

import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;

/**
 * The eigen-decomposition {@code S = Q diag(values) Q^T} of a symmetric matrix (LAPACK dsyevd): Q's
 * columns are orthonormal eigenvectors, the values ascending.
 */
public record SymmetricEigen(Matrix vectors, double[] values) {

    public static SymmetricEigen of(Matrix s) {
        Checks.square("S", s);
        if (!s.isFinite()) {
            throw new IllegalArgumentException("cannot decompose a matrix with non-finite entries");
        }
        int n = s.rows();
        double[] q = s.data().clone();
        double[] w = new double[n];
        if (n == 0) {
            return new SymmetricEigen(Matrix.wrap(0, 0, q), w);
        }
        intW info = new intW(0);
        double[] workSize = new double[1];
        int[] iworkSize = new int[1];
        LAPACK lapack = LAPACK.getInstance();
        lapack.dsyevd("V", "U", n, q, n, w, workSize, -1, iworkSize, -1, info); // workspace query
        if (info.val != 0) {
            throw new IllegalStateException("LAPACK dsyevd's workspace query failed (info = " + info.val + ")");
        }
        // At least the documented minimum, whatever the query said.
        double[] work = new double[(int) Math.max(workSize[0], 1 + 6L * n + 2L * n * n)];
        int[] iwork = new int[Math.max(iworkSize[0], 3 + 5 * n)];
        lapack.dsyevd("V", "U", n, q, n, w, work, work.length, iwork, iwork.length, info);
        if (info.val != 0) {
            throw new IllegalStateException("LAPACK dsyevd did not converge on a " + n + " x " + n
                    + " matrix (info = " + info.val + ")");
        }
        return new SymmetricEigen(Matrix.wrap(n, n, q), w);
    }
}
