package org.idl.model;

import org.idl.linalg.Checks;
import org.idl.linalg.Matrix;

/**
 * Picard iteration {@code X <- phi(A X + BU)}, BLAS level 3 over a block of columns, with the
 * certified stop of section 3: in a norm where one step contracts by k < 1,
 * {@code ||X_{t+1} - X*|| <= k/(1-k) ||X_{t+1} - X_t||}. It stops when that bound falls below
 * {@code relativeTolerance * max|X|}, and fails (never returns an unconverged state) if the
 * iteration limit comes first.
 */
public final class PicardSolver implements FixedPointSolver {
    private static final long serialVersionUID = 1L;

    private final Matrix a;
    private final Activation phi;
    private final double factor;
    /** Scaling of the certificate's norm, normalised so that max(s) = 1: then ||e||_inf <= ||e||_s. */
    private final double[] inverseScaling;
    private final double relativeTolerance;
    private final int maxIterations;

    public PicardSolver(Matrix a, Activation phi, WellPosedness.Certificate certificate, double relativeTolerance) {
        Checks.square("A", a);
        Checks.positive("relativeTolerance", relativeTolerance);
        if (!certificate.valid()) {
            throw new IllegalArgumentException("Picard needs a contraction factor below 1, got " + certificate.factor());
        }
        this.a = a.copy();
        this.phi = phi;
        this.factor = certificate.factor();
        double max = 0;
        for (double v : certificate.scaling()) {
            max = Math.max(max, v);
        }
        this.inverseScaling = new double[certificate.scaling().length];
        for (int i = 0; i < inverseScaling.length; i++) {
            inverseScaling[i] = max / certificate.scaling()[i];
        }
        this.relativeTolerance = relativeTolerance;
        // Enough iterations for the a-priori bound k^t/(1-k) to shrink a unit first step below the
        // tolerance, with room to spare; a contraction that takes longer is reported as a failure.
        double needed = Math.log(relativeTolerance * (1 - factor) / 1e6) / Math.log(Math.max(factor, 1e-300));
        this.maxIterations = (int) Math.min(1_000_000, Math.max(100, Math.ceil(needed)));
    }

    public double contractionFactor() {
        return factor;
    }

    @Override
    public Result solve(Matrix bu, Matrix warm) {
        int n = a.rows();
        Checks.sameRows("A", a, "BU", bu);
        Matrix cold = bu.copy();
        phi.applyInPlace(cold.data());
        Matrix x;
        if (warm == null) {
            x = cold;
        } else {
            Checks.sameShape("warm start", warm, "BU", bu);
            x = warm.copy();
        }
        if (n == 0 || bu.cols() == 0) {
            return new Result(x, 0, 0.0);
        }
        if (cold.maxAbs() == 0) {
            // x = 0 solves x = phi(A x + BU) exactly, and the solution is unique; a relative stop would
            // never be met while the iterates shrink towards it (e.g. after a penalty zeroed B).
            return new Result(Matrix.zeros(n, bu.cols()), 0, 0.0);
        }
        Matrix next = Matrix.zeros(n, bu.cols());
        double[] xd;
        double[] nd;
        for (int t = 1; t <= maxIterations; t++) {
            System.arraycopy(bu.data(), 0, next.data(), 0, bu.data().length);
            Matrix.gemm(1.0, a, false, x, false, 1.0, next);
            nd = next.data();
            xd = x.data();
            phi.applyInPlace(nd);
            double step = 0;
            double size = 0;
            for (int col = 0; col < nd.length; col += n) {
                for (int i = 0; i < n; i++) {
                    int k = col + i;
                    step = Math.max(step, Math.abs(nd[k] - xd[k]) * inverseScaling[i]);
                    size = Math.max(size, Math.abs(nd[k]));
                }
            }
            Matrix swap = x;
            x = next;
            next = swap;
            double bound = factor / (1 - factor) * step;
            if (!Double.isFinite(bound)) {
                throw new IllegalStateException("Picard iteration produced a non-finite state at iteration " + t);
            }
            if (bound <= relativeTolerance * size) {
                return new Result(x, t, bound);
            }
        }
        throw new IllegalStateException("Picard iteration did not reach relative tolerance " + relativeTolerance
                + " in " + maxIterations + " iterations (contraction factor " + factor + ")");
    }
}
