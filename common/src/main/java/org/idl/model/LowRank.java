package org.idl.model;

import dev.ludovic.netlib.lapack.LAPACK;
import org.idl.linalg.Checks;
import org.idl.linalg.Matrix;
import org.netlib.util.intW;

/** Rank-k factors of A (paper section 6.3), by the singular value decomposition (LAPACK dgesvd). */
public final class LowRank {
    private LowRank() {
    }

    /**
     * {@code L = U_k S_k} and {@code R = V_k}, so that {@code L R^T} is the best rank-k approximation of A
     * (Eckart-Young); exactly A when A has rank k or less.
     */
    public static Matrix[] factor(Matrix a, int k) {
        Checks.square("A", a);
        int n = a.rows();
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("rank must be in [1, " + n + "], got " + k);
        }
        double[] work = a.data().clone();
        double[] s = new double[n];
        double[] u = new double[n * n];
        double[] vt = new double[n * n];
        intW info = new intW(0);
        double[] query = new double[1];
        LAPACK.getInstance().dgesvd("A", "A", n, n, work, n, s, u, n, vt, n, query, -1, info);
        double[] scratch = new double[(int) query[0]];
        LAPACK.getInstance().dgesvd("A", "A", n, n, work, n, s, u, n, vt, n, scratch, scratch.length, info);
        if (info.val != 0) {
            throw new IllegalStateException("the SVD of A did not converge (LAPACK dgesvd info = " + info.val + ")");
        }
        Matrix l = Matrix.zeros(n, k);
        Matrix r = Matrix.zeros(n, k);
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < n; i++) {
                l.set(i, j, u[j * n + i] * s[j]);
                r.set(i, j, vt[i * n + j]); // V = VT^T
            }
        }
        return new Matrix[]{l, r};
    }

    /** The model with A held as rank-k factors of its A ({@link #factor}). */
    public static ImplicitModel of(ImplicitModel m, int k) {
        Matrix[] f = factor(m.a(), k);
        return ImplicitModel.lowRank(f[0], f[1], m.b(), m.c(), m.d(), m.activation(), m.bias());
    }
}
