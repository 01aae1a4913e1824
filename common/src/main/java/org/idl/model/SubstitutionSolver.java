package org.idl.model;

import org.idl.linalg.Matrix;

/**
 * Exact solve of {@code X = phi(A X + BU)} for triangular A (section 3, Theorem 1; feedforward nets
 * are the block strictly upper triangular case, section 2.2). For upper triangular A, unit i depends
 * only on units j > i, so rows are solved from the last to the first:
 * {@code x_i = s(A_ii, (BU)_i + sum_{j>i} A_ij x_j)} where s solves the scalar equation
 * {@code x = phi(A_ii x + z)} (for ReLU {@code relu(z) / (1 - A_ii)}).
 */
public final class SubstitutionSolver implements FixedPointSolver {
    private static final long serialVersionUID = 1L;

    private final Matrix a;
    private final Activation phi;
    private final boolean upper;

    public SubstitutionSolver(Matrix a, Activation phi, WellPosedness.Structure structure) {
        if (!structure.triangular()) {
            throw new IllegalArgumentException("substitution needs a triangular A, got structure " + structure);
        }
        this.a = a.copy();
        this.phi = phi;
        this.upper = structure.upper();
    }

    @Override
    public Result solve(Matrix bu, Matrix warm) {
        int n = a.rows();
        int m = bu.cols();
        if (bu.rows() != n) {
            throw new IllegalArgumentException("BU has " + bu.rows() + " rows, A is " + a.shape());
        }
        Matrix z = bu.copy();
        Matrix x = Matrix.zeros(n, m);
        double[] zd = z.data();
        double[] xd = x.data();
        for (int step = 0; step < n; step++) {
            int i = upper ? n - 1 - step : step;
            int j0 = upper ? i + 1 : 0;
            int len = upper ? n - i - 1 : i;
            if (len > 0 && m > 0) {
                double[] coefficients = new double[len];
                for (int j = 0; j < len; j++) {
                    coefficients[j] = a.get(i, j0 + j);
                }
                // z_i += X[j0:j0+len, :]^T a_i: the already-solved rows, one dgemv over all columns.
                Matrix.blasGemvTransposed(len, m, x.data(), j0, n, coefficients, zd, i, n);
            }
            double aii = a.get(i, i);
            for (int c = 0; c < m; c++) {
                int k = i + c * n;
                xd[k] = aii == 0 ? phi.apply(zd[k]) : phi.solveScalar(aii, zd[k]);
            }
        }
        return new Result(x, 1, 0.0);
    }
}
