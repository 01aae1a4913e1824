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

    /** A, or null when A is held as factors left right^T. */
    private final Matrix a;
    private final Matrix left;
    private final Matrix right;
    private final Activation phi;
    private final double factor;
    /** Scaling of the certificate's norm, normalised so that max(s) = 1: then ||e||_inf <= ||e||_s. */
    private final double[] inverseScaling;
    private final double relativeTolerance;
    private final int maxIterations;

    /**
     * For A = left right^T (n x k factors, section 6.3): each iteration computes {@code left (right^T X)},
     * 2nk flops per column instead of n^2. The certificate is A's.
     */
    public PicardSolver(Matrix left, Matrix right, Activation phi, WellPosedness.Certificate certificate,
                        double relativeTolerance) {
        this(null, left, right, phi, certificate, relativeTolerance);
    }

    public PicardSolver(Matrix a, Activation phi, WellPosedness.Certificate certificate, double relativeTolerance) {
        this(a, null, null, phi, certificate, relativeTolerance);
    }

    private PicardSolver(Matrix a, Matrix left, Matrix right, Activation phi, WellPosedness.Certificate certificate,
                         double relativeTolerance) {
        if (a != null) {
            Checks.square("A", a);
        } else {
            Checks.sameShape("L", left, "R", right);
        }
        Checks.positive("relativeTolerance", relativeTolerance);
        if (!certificate.valid()) {
            throw new IllegalArgumentException("Picard needs a contraction factor below 1, got " + certificate.factor());
        }
        this.a = a == null ? null : a.copy();
        this.left = left == null ? null : left.copy();
        this.right = right == null ? null : right.copy();
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

    /**
     * One sweep over the columns [from, to) of the block: {@code next <- phi(next + bu)} (next holds
     * {@code A x}), returning the step {@code max_k |next_k - x_k| s_k^-1} in the certificate's norm and
     * {@code max |next|} over them. One fused loop, not three: the element-wise work costs about half a
     * 100 x 100 x 128 gemm.
     */
    private double[] update(double[] next, double[] bu, double[] x, int from, int to) {
        int n = inverseScaling.length;
        double step = 0;
        double size = 0;
        for (int col = from * n; col < to * n; col += n) {
            for (int i = 0; i < n; i++) {
                int k = col + i;
                double v = phi.apply(next[k] + bu[k]);
                next[k] = v;
                // Conditionals rather than Math.max: the scalar Math.max is several times slower.
                double d = Math.abs(v - x[k]) * inverseScaling[i];
                step = d > step ? d : step;
                double av = Math.abs(v);
                size = av > size ? av : size;
            }
        }
        return new double[]{step, size};
    }

    /** {@code next <- A x}, from the factors when A is held as left right^T. */
    private void product(Matrix x, Matrix next) {
        if (a != null) {
            Matrix.gemm(1.0, a, false, x, false, 0.0, next);
        } else {
            Matrix.gemm(1.0, left, false, right.transposeTimes(x), false, 0.0, next);
        }
    }

    public double contractionFactor() {
        return factor;
    }

    @Override
    public Result solve(Matrix bu, Matrix warm) {
        int n = inverseScaling.length;
        if (bu.rows() != n) {
            throw new IllegalArgumentException("A has " + n + " rows but BU is " + bu.shape());
        }
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
        for (int t = 1; t <= maxIterations; t++) {
            product(x, next);
            double[] stepAndSize = update(next.data(), bu.data(), x.data(), 0, bu.cols());
            Matrix swap = x;
            x = next;
            next = swap;
            double bound = factor / (1 - factor) * stepAndSize[0];
            boolean converged = bound <= relativeTolerance * stepAndSize[1];
            // The update's comparisons skip NaN, so an answer is looked at once, when it is returned.
            if (!Double.isFinite(bound) || converged && !x.isFinite()) {
                throw new IllegalStateException("Picard iteration produced a non-finite state at iteration " + t);
            }
            if (converged) {
                return new Result(x, t, bound);
            }
        }
        if (!x.isFinite()) {
            throw new IllegalStateException("Picard iteration produced a non-finite state");
        }
        throw new IllegalStateException("Picard iteration did not reach relative tolerance " + relativeTolerance
                + " in " + maxIterations + " iterations (contraction factor " + factor + ")");
    }

    /**
     * Picard with a stop per column: each column iterates until its own bound
     * {@code k/(1-k) max_i |x_i - x_i'| s_i^-1} is within the tolerance of its own largest entry, and is
     * then left as it is: a column's iterates, and when they stop, do not depend on the other columns,
     * so a loose tolerance gives the same answer however the points are grouped into blocks. Each
     * product {@code A X} covers the columns still iterating, packed together (a column of a product
     * does not depend on which columns share it; on a minibatch BCD batch a third of the columns had
     * stopped on average). Large blocks are solved {@link #CHUNK} columns at a time: their matrices
     * stay in cache.
     */
    @Override
    public Result solveEachColumn(Matrix bu, Matrix warm) {
        int m = bu.cols();
        if (m <= CHUNK) {
            return solveColumns(bu, warm);
        }
        if (warm != null) {
            Checks.sameShape("warm start", warm, "BU", bu);
        }
        int n = bu.rows();
        Matrix x = Matrix.zeros(n, m);
        int iterations = 0;
        double worst = 0;
        for (int from = 0; from < m; from += CHUNK) {
            int to = Math.min(m, from + CHUNK);
            Result chunk = solveColumns(bu.columns(from, to), warm == null ? null : warm.columns(from, to));
            System.arraycopy(chunk.states().data(), 0, x.data(), from * n, (to - from) * n);
            iterations = Math.max(iterations, chunk.iterations());
            worst = Math.max(worst, chunk.certifiedError());
        }
        return new Result(x, iterations, worst);
    }

    /** Columns solved together by {@link #solveEachColumn}. */
    static final int CHUNK = 512;

    private Result solveColumns(Matrix bu, Matrix warm) {
        int n = inverseScaling.length;
        if (bu.rows() != n) {
            throw new IllegalArgumentException("A has " + n + " rows but BU is " + bu.shape());
        }
        int m = bu.cols();
        Matrix x;
        if (warm == null) {
            x = bu.copy();
            phi.applyInPlace(x.data());
        } else {
            Checks.sameShape("warm start", warm, "BU", bu);
            x = warm.copy();
        }
        if (n == 0 || m == 0) {
            return new Result(x, 0, 0.0);
        }
        // The columns still iterating are packed to the left of x, next and bw, in the order of slot (their
        // columns in BU): each product covers them only. A stopped column goes to states.
        Matrix states = Matrix.zeros(n, m);
        Matrix bw = bu.copy();
        Matrix next = Matrix.zeros(n, m);
        int[] slot = new int[m];
        for (int c = 0; c < m; c++) {
            slot[c] = c;
        }
        int width = m;
        double worst = 0;
        for (int t = 1; t <= maxIterations; t++) {
            productLeading(x, next, width);
            double[] nd = next.data();
            double[] xd = x.data();
            double[] bd = bw.data();
            int kept = 0;
            for (int c = 0; c < width; c++) {
                double[] stepAndSize = update(nd, bd, xd, c, c + 1);
                double size = stepAndSize[1];
                double bound = factor / (1 - factor) * stepAndSize[0];
                if (!Double.isFinite(bound)) {
                    throw new IllegalStateException("Picard iteration produced a non-finite state at iteration " + t);
                }
                if (bound <= relativeTolerance * size) {
                    System.arraycopy(nd, c * n, states.data(), slot[c] * n, n);
                    worst = Math.max(worst, bound);
                } else {
                    if (kept != c) {
                        // Left of c, so already read this iteration.
                        System.arraycopy(nd, c * n, nd, kept * n, n);
                        System.arraycopy(bd, c * n, bd, kept * n, n);
                        slot[kept] = slot[c];
                    }
                    kept++;
                }
            }
            Matrix swap = x;
            x = next;
            next = swap;
            width = kept;
            if (width == 0) {
                if (!states.isFinite()) {
                    throw new IllegalStateException("Picard iteration produced a non-finite state at iteration " + t);
                }
                return new Result(states, t, worst);
            }
        }
        throw new IllegalStateException("Picard iteration did not reach relative tolerance " + relativeTolerance
                + " in " + maxIterations + " iterations for " + width + " of " + m + " columns (contraction factor "
                + factor + ")");
    }

    /** {@link #product} on the leading {@code cols} columns only. */
    private void productLeading(Matrix x, Matrix next, int cols) {
        if (a != null) {
            Matrix.gemmLeadingColumns(a, false, x, cols, next);
        } else {
            Matrix rx = Matrix.zeros(right.cols(), x.cols());
            Matrix.gemmLeadingColumns(right, true, x, cols, rx);
            Matrix.gemmLeadingColumns(left, false, rx, cols, next);
        }
    }
}
