package org.idl.train.bcd;

import org.idl.linalg.Checks;
import org.idl.linalg.L1Ball;
import org.idl.linalg.Lipschitz;
import org.idl.linalg.Matrix;
import org.idl.linalg.SymmetricEigen;
import org.idl.linalg.SymmetricSolver;
import org.idl.model.Activation;
import org.idl.model.SparsityPattern;
import org.idl.model.WellPosedness;
import org.idl.train.Summable;

import java.io.Serializable;

/**
 * The (A,B)-step (13), by majorise-minimise. With {@code V = [X; U]}, {@code W = [A B]} and
 * {@code g(z; p) = h*(z) - p z}, the objective is {@code sum_i lambda_i sum_j g(w_i v_j; p_ij)}; since
 * {@code g'' = phi' <= 1}, at W0 it is majorised by
 * {@code f(W0) + <G, W - W0> + 1/2 tr(Lam (W - W0) K (W - W0)^T)} with
 * {@code G = Lam (phi(W0 V) - P) V^T} and {@code K = V V^T}. One pass over the data sums G and K
 * ({@link #statistics}); the quadratic plus the penalty on B, with every row of A in the L1 ball of
 * radius kappa, is then minimised without touching the data ({@link #solve}, FISTA). With a
 * {@link SparsityPattern}, over the A and B that keep its zeros.
 */
public final class ABStep {
    private ABStep() {
    }

    /**
     * Sums over data points: G, the blocks {@code X X^T} and {@code X U^T} of K ({@code U U^T} never
     * changes and is gathered once), and {@code sum_ij lambda_i F(P_ij, (W0 V)_ij)}.
     */
    public record Statistics(Matrix g, Matrix xx, Matrix xu, double divergence, long count)
            implements Serializable, Summable<Statistics> {
        @Override
        public Statistics merge(Statistics o) {
            return new Statistics(g.plus(o.g), xx == null ? null : xx.plus(o.xx), xu == null ? null : xu.plus(o.xu),
                    divergence + o.divergence, count + o.count);
        }

        /** These statistics with the Gram blocks summed elsewhere over the same states. */
        public Statistics withGram(Matrix xx, Matrix xu) {
            return new Statistics(g, xx, xu, divergence, count);
        }
    }

    /** The majoriser's solution: the new A and B, and the (13) objective (per sample, with penalty) before and a bound after. */
    public record Result(Matrix a, Matrix b, double before, double after) {
    }

    /**
     * One block's statistics.
     *
     * @param x states X (n x m), the V of (13)
     * @param u inputs U with the bias row (p' x m)
     * @param z {@code W0 V = A X + B U}
     * @param p targets P
     */
    public static Statistics statistics(Activation phi, double[] lambda, Matrix x, Matrix u, Matrix z, Matrix p) {
        return statistics(phi, lambda, x, u, z, p, true);
    }

    /** As above; without {@code withGram}, G and the divergence only (the Gram blocks null). */
    public static Statistics statistics(Activation phi, double[] lambda, Matrix x, Matrix u, Matrix z, Matrix p,
                                        boolean withGram) {
        return statistics(phi, lambda, x, u, z, p, null, withGram);
    }

    /**
     * As above, each point's terms multiplied by its weight ({@code weights} null: 1 each): G, the
     * divergence and the Gram blocks are sums over points, so a weight of 2 is the point counted twice.
     * (The X- and P-steps solve one problem per point, which a weight scales whole: they do not change.)
     */
    public static Statistics statistics(Activation phi, double[] lambda, Matrix x, Matrix u, Matrix z, Matrix p,
                                        double[] weights, boolean withGram) {
        int n = x.rows();
        Checks.sameShape("Z", z, "X", x);
        Checks.sameShape("P", p, "X", x);
        Checks.sameCols("U", u, "X", x);
        PStep.requireLambda(lambda, n);
        Matrix r = Matrix.zeros(n, x.cols());
        double[] rd = r.data();
        double[] zd = z.data();
        double[] pd = p.data();
        double divergence = 0;
        for (int k = 0; k < rd.length; k++) {
            double li = lambda[k % n];
            double w = weights == null ? 1 : weights[k / n];
            rd[k] = w * li * (phi.apply(zd[k]) - pd[k]);
            divergence += w * li * org.idl.model.FenchelDivergence.value(phi, pd[k], zd[k]);
        }
        Matrix g = Matrix.zeros(n, n + u.rows());
        Matrix gx = r.timesTransposed(x);
        Matrix gu = r.timesTransposed(u);
        g.setBlock(0, 0, gx);
        g.setBlock(0, n, gu);
        Matrix xx = null;
        Matrix xu = null;
        if (withGram) {
            // X diag(w) X^T and X diag(w) U^T.
            Matrix xw = weights == null ? x : x.timesColumns(weights);
            xx = weights == null ? x.gram() : xw.timesTransposed(x);
            xu = xw.timesTransposed(u);
        }
        return new Statistics(g, xx, xu, divergence, x.cols());
    }

    /**
     * Minimises the majoriser on the driver.
     *
     * @param uu               {@code U U^T} summed over all data (p' x p')
     * @param penaltyB         penalty on B's first {@code penalisedColumns} columns (the bias column is free)
     * @param coupled          the block the penalty couples B's penalised columns with (D's), or null
     * @param penaltyWeightScale multiplies the penalty (1 when the objective is per sample)
     */
    public static Result solve(Statistics s, Matrix uu, Matrix a0, Matrix b0, double[] lambda, double kappa,
                               Penalty penaltyB, int penalisedColumns, Matrix coupled, int iterations) {
        return solve(s, uu, a0, b0, lambda, kappa, penaltyB, penalisedColumns, coupled, iterations, null);
    }

    /**
     * As above, over the A and B with a fixed zero pattern ({@code structure}, or null for none). The
     * prox first zeroes the entries outside the pattern, then projects A's rows onto the L1 ball
     * (skipped when the pattern makes A strictly triangular, hence well-posed) and applies B's
     * penalty: exact, since both the projection and the penalties' proximal maps keep zeros at zero.
     */
    public static Result solve(Statistics s, Matrix uu, Matrix a0, Matrix b0, double[] lambda, double kappa,
                               Penalty penaltyB, int penalisedColumns, Matrix coupled, int iterations,
                               SparsityPattern structure) {
        return solve(s, uu, a0, b0, lambda, kappa, penaltyB, penalisedColumns, coupled, iterations, structure, null);
    }

    /**
     * As above, with {@code U U^T = Q diag(mu) Q^T} ({@code uuBasis}, or null): when B is free (no
     * penalty, no pattern), FISTA then runs in B's coordinates in that basis, {@code B' = B Q}
     * ({@link #minimiseRotated}), which is the same iteration, costs a fifth of the arithmetic on
     * MNIST's inputs, and is rotated back at the end.
     */
    public static Result solve(Statistics s, Matrix uu, Matrix a0, Matrix b0, double[] lambda, double kappa,
                               Penalty penaltyB, int penalisedColumns, Matrix coupled, int iterations,
                               SparsityPattern structure, SymmetricEigen uuBasis) {
        return solve(s, uu, a0, b0, lambda, kappa, penaltyB, penalisedColumns, coupled, iterations, structure,
                uuBasis, 1.0);
    }

    /** As above, with the estimated Lipschitz constant multiplied by {@code lipschitzScale} (tests: a step too long). */
    static Result solve(Statistics s, Matrix uu, Matrix a0, Matrix b0, double[] lambda, double kappa,
                        Penalty penaltyB, int penalisedColumns, Matrix coupled, int iterations,
                        SparsityPattern structure, SymmetricEigen uuBasis, double lipschitzScale) {
        int pb = b0.cols();
        Checks.shape("U U^T", uu, pb, pb);
        requireCount(s);
        double inv = 1.0 / s.count;
        Matrix k = Matrix.symmetricBlocks(s.xx, s.xu, uu).scaleInPlace(inv);
        double lipschitz = Lipschitz.ofPsd(maxOf(lambda), k, 500, 0) * lipschitzScale;
        Matrix g = s.g.copy().scaleInPlace(inv);
        if (uuBasis != null && penaltyB == Penalty.NONE && structure == null) {
            Checks.shape("U U^T's eigenvectors", uuBasis.vectors(), pb, pb);
            return minimiseRotated(g, s.divergence * inv, k, uuBasis, inv, lipschitz, a0, b0, lambda, kappa,
                    iterations);
        }
        return minimise(g, s.divergence * inv, k, lipschitz, 0.0, a0, b0, lambda, kappa,
                penaltyB, penalisedColumns, coupled, iterations, structure);
    }

    /**
     * {@link #minimise} without a penalty on B, in the coordinates {@code W' = [A, B Q]} where
     * {@code K_uu = Q diag(mu) Q^T}: with {@code M = K_xu Q}, the majoriser's gradient is
     * {@code [G_A + Lam (dA K_xx + dB' M^T), G_B Q + Lam (dA M + dB' diag(mu))]}, three products with
     * n x p' and n x n factors where the plain one multiplies by the whole (n + p')^2 of K. The map
     * is an isometry on B and the prox leaves B alone, so FISTA's steps, restarts and extrapolations
     * are those of the plain iteration, rotated: the same minimiser, to rounding.
     */
    private static Result minimiseRotated(Matrix g, double atW0, Matrix k, SymmetricEigen uuBasis, double inv,
                                          double lipschitz, Matrix a0, Matrix b0, double[] lambda, double kappa,
                                          int iterations) {
        int n = a0.rows();
        int side = n + b0.cols();
        Checks.openUnitInterval("kappa", kappa);
        Checks.shape("G", g, n, side);
        PStep.requireLambda(lambda, n);
        Matrix q = uuBasis.vectors();
        double[] mu = uuBasis.values().clone();
        for (int j = 0; j < mu.length; j++) {
            mu[j] *= inv;
        }
        Matrix kxx = k.block(0, n, 0, n);
        Matrix m = k.block(0, n, n, side).times(q);
        Matrix gr = Matrix.hstack(g.columns(0, n), g.columns(n, side).times(q));
        Matrix w0 = Matrix.hstack(a0, b0.times(q));
        RotatedGradient rotated = new RotatedGradient(gr, w0, kxx, m, mu, lambda);
        Fista.Problem problem = new Fista.Problem() {
            @Override
            public Matrix gradient(Matrix w) {
                return rotated.at(w);
            }

            @Override
            public void prox(Matrix w, double step) {
                Matrix a = w.columns(0, n);
                WellPosedness.projectInfNormBall(a, kappa);
                w.setBlock(0, 0, a);
            }
        };
        Matrix start = w0.copy();
        problem.prox(start, 0.0);
        Matrix w = Fista.minimise(problem, start, lipschitz, iterations);
        double after = atW0 + rotated.increment(w);
        double atStart = atW0 + rotated.increment(start);
        if (!(after <= atStart)) {
            w = start; // as in minimise
            after = atStart;
        }
        return new Result(w.columns(0, n), w.columns(n, side).timesTransposed(q), atW0, after);
    }

    /**
     * The majoriser's gradient in the rotated coordinates, {@code G' + Lam (W - W0) K'}, into buffers
     * it keeps: FISTA takes it 200 times a round, and fresh n x (n + p') matrices for each term cost
     * as much as the products.
     */
    private static final class RotatedGradient {
        private final Matrix g;
        private final Matrix w0;
        private final Matrix kxx;
        private final Matrix m;
        private final double[] mu;
        private final double[] lambda;
        private final Matrix da;
        private final Matrix db;
        private final Matrix outA;
        private final Matrix outB;
        private final Matrix out;

        RotatedGradient(Matrix g, Matrix w0, Matrix kxx, Matrix m, double[] mu, double[] lambda) {
            this.g = g;
            this.w0 = w0;
            this.kxx = kxx;
            this.m = m;
            this.mu = mu;
            this.lambda = lambda;
            int n = kxx.rows();
            da = Matrix.zeros(n, n);
            db = Matrix.zeros(n, mu.length);
            outA = Matrix.zeros(n, n);
            outB = Matrix.zeros(n, mu.length);
            out = Matrix.zeros(n, n + mu.length);
        }

        /** The gradient at w, in a buffer overwritten by the next call. */
        Matrix at(Matrix w) {
            int n = kxx.rows();
            int sizeA = n * n;
            double[] wd = w.data();
            double[] w0d = w0.data();
            double[] gd = g.data();
            double[] dad = da.data();
            double[] dbd = db.data();
            double[] oad = outA.data();
            double[] obd = outB.data();
            // Lam (W - W0), split into its A and B' columns; the outputs start from G' (and for B',
            // the diagonal block: + Lam dB' diag(mu)).
            for (int k = 0; k < sizeA; k++) {
                dad[k] = lambda[k % n] * (wd[k] - w0d[k]);
                oad[k] = gd[k];
            }
            for (int j = 0, k = sizeA; j < mu.length; j++) {
                for (int i = 0; i < n; i++, k++) {
                    double d = lambda[i] * (wd[k] - w0d[k]);
                    dbd[k - sizeA] = d;
                    obd[k - sizeA] = gd[k] + d * mu[j];
                }
            }
            Matrix.gemm(1.0, da, false, kxx, false, 1.0, outA);
            Matrix.gemm(1.0, db, false, m, true, 1.0, outA);
            Matrix.gemm(1.0, da, false, m, false, 1.0, outB);
            System.arraycopy(oad, 0, out.data(), 0, sizeA);
            System.arraycopy(obd, 0, out.data(), sizeA, obd.length);
            return out;
        }

        /**
         * {@code <G', D> + 1/2 tr(Lam D K' D^T)} at w, D = W - W0: {@link #majoriserIncrement} in the rotated
         * coordinates, as {@code <D, G' + (G' + Lam D K')> / 2}, from the gradient at w.
         */
        double increment(Matrix w) {
            Matrix delta = w.minus(w0);
            return 0.5 * (delta.dot(g) + delta.dot(at(w)));
        }
    }


    /**
     * The proximal (A,B)-step of the mini-batch schedule, for one epoch: G and the divergence from
     * each batch, the curvature K from the states of the epoch's sample at its start (so a
     * pass ships G alone, whatever the batch size), and the damping {@code tau/2 ||W - W0||^2}, which
     * keeps one batch from pulling (A, B) far from what the other batches fitted (Zeng et al. 2019;
     * the anchor of Fenchel lifted networks).
     *
     * <p>When B is free (no penalty, no pattern), lambda is the same for every unit and tau > 0, B is
     * minimised out in closed form: per row, {@code dB = -(G_B + lambda dA K_xu) H^-1} with
     * {@code H = lambda K_uu + tau I}, leaving a problem in A alone with the Schur complement
     * {@code S = lambda K_xx + tau I - lambda^2 K_xu H^-1 K_ux} as curvature and
     * {@code G_A - lambda G_B H^-1 K_ux} as gradient. H^-1 and S are formed once per epoch, so FISTA
     * iterates on n x n products instead of n x (n + p'), and converges in few iterations. The
     * minimiser is the same; otherwise FISTA runs on the whole of [A B]. H^-1 is formed explicitly (each
     * batch then takes one product with it): accurate as long as H is well conditioned, which tau, the
     * proximal weight, sees to (the reduction needs tau > 0).
     */
    public static final class Proximal {
        private final Matrix k;
        private double kEigenvalue = Double.NaN;
        private final int n;
        private final double[] lambda;
        private final double tau;
        private final double uniformLambda;
        private Matrix hInverse;
        private Matrix hInvKux;
        private Matrix kxu;
        private Matrix kxxScaled;
        private Matrix schur;
        private double schurEigenvalue;

        /**
         * @param k      {@code V V^T / m_S} of the epoch's sample of points, V = [X*; U] (per point)
         * @param n      hidden units (K's first n rows are the states')
         * @param tau    the proximal weight (>= 0)
         */
        public Proximal(Matrix k, int n, double[] lambda, double tau) {
            Checks.nonNegative("tau", tau);
            Checks.square("K", k);
            PStep.requireLambda(lambda, n);
            this.k = k;
            this.n = n;
            this.lambda = lambda.clone();
            this.tau = tau;
            double first = lambda[0];
            for (double l : lambda) {
                if (l != first) {
                    first = Double.NaN;
                }
            }
            this.uniformLambda = first;
        }

        private double kEigenvalue() {
            if (Double.isNaN(kEigenvalue)) {
                kEigenvalue = Lipschitz.ofPsd(1.0, k, 500, 0);
            }
            return kEigenvalue;
        }

        /** Factors H and the Schur complement on first use. */
        private void factorReduced() {
            if (schur != null) {
                return;
            }
            int side = k.rows();
            double l = uniformLambda;
            Matrix kuu = k.block(n, side, n, side).scaleInPlace(l);
            for (int i = 0; i < side - n; i++) {
                kuu.set(i, i, kuu.get(i, i) + tau);
            }
            // H^-1 once per epoch (the factors are built once per epoch): each batch's B then costs one
            // matrix product instead of two triangular solves with n right-hand sides.
            hInverse = new SymmetricSolver(kuu).inverse();
            kxu = k.block(0, n, n, side);
            hInvKux = hInverse.timesTransposed(kxu); // H^-1 Kux (H symmetric)
            kxxScaled = k.block(0, n, 0, n).scaleInPlace(l);
            Matrix s = kxxScaled.copy();
            Matrix.gemm(-l * l, kxu, false, hInvKux, false, 1.0, s);
            for (int i = 0; i < n; i++) {
                s.set(i, i, s.get(i, i) + tau);
            }
            schur = s;
            schurEigenvalue = Lipschitz.ofPsd(1.0, s, 500, 0);
        }

        public Result solve(Statistics batch, Matrix a0, Matrix b0, double kappa, Penalty penaltyB,
                            int penalisedColumns, Matrix coupled, int iterations, SparsityPattern structure) {
            int side = n + b0.cols();
            Checks.shape("K", k, side, side);
            requireCount(batch);
            double inv = 1.0 / batch.count;
            double atW0 = batch.divergence * inv;
            if (!splitsByRows(penaltyB, structure)) {
                return minimise(batch.g.copy().scaleInPlace(inv), atW0, k, maxOf(lambda) * kEigenvalue() + tau, tau,
                        a0, b0, lambda, kappa, penaltyB, penalisedColumns, coupled, iterations, structure);
            }
            Rows rows = solveRows(batch, a0, b0, kappa, iterations, 0, n);
            return new Result(rows.a(), rows.b(), atW0, atW0 + rows.after());
        }

        /** FISTA on the whole of [A B] even where B could be minimised out (tests: the two agree). */
        Result solveWhole(Statistics batch, Matrix a0, Matrix b0, double kappa, int iterations) {
            requireCount(batch);
            double inv = 1.0 / batch.count;
            return minimise(batch.g.copy().scaleInPlace(inv), batch.divergence * inv, k,
                    maxOf(lambda) * kEigenvalue() + tau, tau, a0, b0, lambda, kappa, Penalty.NONE, 0, null, iterations,
                    null);
        }

        /**
         * Whether the step is the reduced problem, which separates by rows of [A B] ({@link #solveRows}):
         * B free (no penalty, no pattern), one lambda for every unit, tau > 0.
         */
        public boolean splitsByRows(Penalty penaltyB, SparsityPattern structure) {
            return tau > 0 && uniformLambda > 0 && penaltyB == Penalty.NONE && structure == null;
        }

        /**
         * Rows {@code [from, to)} of the new A and B, and their share of the majoriser's value after the
         * step (the value is {@code atW0} plus the shares of all rows). Each row of the reduced problem is
         * a problem of its own (its gradient row, the common S, its own L1 ball), and FISTA runs on it as
         * such, its momentum restarted per row: a row's result does not depend on which rows are solved
         * with it, so the blocks of a collective epoch can each take a share of the rows (the design's
         * "the (A,B)-step decomposes by rows") and give the model one solve of all the rows gives.
         */
        public Rows solveRows(Statistics batch, Matrix a0, Matrix b0, double kappa, int iterations, int from,
                              int to) {
            Checks.openUnitInterval("kappa", kappa);
            requireCount(batch);
            factorReduced();
            int side = k.rows();
            int rows = to - from;
            double l = uniformLambda;
            Matrix g = batch.g.block(from, to, 0, side).scaleInPlace(1.0 / batch.count);
            Matrix ga = g.columns(0, n);
            Matrix gb = g.columns(n, side);
            // FISTA works on A's rows as columns (contiguous), so the momentum, its restarts and the L1
            // projection are per row: the reduced gradient G~^T = G_A^T - lambda (H^-1 K_ux)^T G_B^T.
            Matrix reducedGt = ga.transpose();
            Matrix.gemm(-l, hInvKux, true, gb, true, 1.0, reducedGt);
            Matrix a0Rows = a0.block(from, to, 0, n);
            Matrix a0t = a0Rows.transpose();
            Matrix startT = a0t.copy();
            projectColumns(startT, kappa);
            // The gradient at A^T is G~^T + S (A - A0)^T = offset + S A^T (S symmetric).
            Matrix offset = reducedGt.copy();
            Matrix.gemm(-1.0, schur, false, a0t, false, 1.0, offset);
            Fista.Problem problem = new Fista.Problem() {
                @Override
                public Matrix gradient(Matrix at) {
                    Matrix grad = offset.copy();
                    Matrix.gemm(1.0, schur, false, at, false, 1.0, grad);
                    return grad;
                }

                @Override
                public void prox(Matrix at, double step) {
                    projectColumns(at, kappa);
                }
            };
            Matrix solvedT = Fista.minimise(problem, startT, schurEigenvalue, iterations, true);
            // Per row, keep the better of the start and the solve, as the full solve does for the whole.
            double[] solvedValues = reducedValues(reducedGt, solvedT.minus(a0t));
            double[] startValues = reducedValues(reducedGt, startT.minus(a0t));
            for (int i = 0; i < rows; i++) {
                if (!(solvedValues[i] <= startValues[i])) {
                    System.arraycopy(startT.data(), i * n, solvedT.data(), i * n, n);
                }
            }
            Matrix a = solvedT.transpose();
            Matrix deltaA = a.minus(a0Rows);
            // dB = -(G_B + lambda dA K_xu) H^-1, the minimiser over B for this A.
            Matrix r = gb.copy();
            Matrix.gemm(l, deltaA, false, kxu, false, 1.0, r);
            Matrix deltaB = Matrix.zeros(rows, side - n);
            Matrix.gemm(-1.0, r, false, hInverse, false, 0.0, deltaB);
            Matrix b = b0.block(from, to, 0, side - n).addInPlace(1.0, deltaB);
            // The majoriser at the minimiser over B: <G_A, dA> + 1/2 dA (lambda K_xx + tau I) dA^T - 1/2 <r H^-1, r>.
            double quadratic = 0.5 * (deltaA.times(kxxScaled).dot(deltaA) + tau * deltaA.frobeniusSquared());
            return new Rows(a, b, ga.dot(deltaA) + quadratic + 0.5 * deltaB.dot(r));
        }

        /** Per column d of {@code deltaT}, the reduced objective less its constant: {@code <g~, d> + 1/2 d^T S d}. */
        private double[] reducedValues(Matrix reducedGt, Matrix deltaT) {
            Matrix sd = schur.times(deltaT);
            double[] g = reducedGt.data();
            double[] d = deltaT.data();
            double[] q = sd.data();
            double[] out = new double[deltaT.cols()];
            for (int j = 0; j < out.length; j++) {
                double sum = 0;
                for (int i = j * n, end = i + n; i < end; i++) {
                    sum += g[i] * d[i] + 0.5 * d[i] * q[i];
                }
                out[j] = sum;
            }
            return out;
        }

        /** Each column into the L1 ball of radius kappa: the rows of A, held as columns. */
        private static void projectColumns(Matrix at, double kappa) {
            int n = at.rows();
            double[] d = at.data();
            for (int j = 0, end = at.cols(); j < end; j++) {
                L1Ball.project(d, j * n, (j + 1) * n, kappa);
            }
        }
    }

    /** Rows of a proximal (A,B)-step's A and B, and their share of its majoriser value less {@code f(W0)}. */
    public record Rows(Matrix a, Matrix b, double after) {
    }

    private static void requireCount(Statistics s) {
        if (s.count <= 0) {
            throw new IllegalArgumentException("the (A,B)-step needs statistics over at least one data point, got "
                    + s.count);
        }
    }

    private static double maxOf(double[] lambda) {
        double max = 0;
        for (double l : lambda) {
            max = Math.max(max, l);
        }
        return max;
    }

    /**
     * Minimises {@code f(W0) + <G, Delta> + 1/2 tr(Lam Delta K Delta^T) + tau/2 ||Delta||^2 + Pen(B)},
     * {@code Delta = W - W0}, over the feasible W by FISTA; G and K per sample, {@code atW0 = f(W0)}.
     */
    private static Result minimise(Matrix g, double atW0, Matrix k, double lipschitz, double tau, Matrix a0, Matrix b0,
                                   double[] lambda, double kappa, Penalty penaltyB, int penalisedColumns,
                                   Matrix coupled, int iterations, SparsityPattern structure) {
        int n = a0.rows();
        int pb = b0.cols();
        Checks.openUnitInterval("kappa", kappa);
        Checks.shape("G", g, n, n + pb);
        PStep.requireLambda(lambda, n);
        Matrix w0 = Matrix.hstack(a0, b0);
        double before = atW0 + penaltyB.value(b0.columns(0, penalisedColumns), coupled);

        Fista.Problem problem = new Fista.Problem() {
            @Override
            public Matrix gradient(Matrix w) {
                Matrix delta = w.minus(w0);
                Matrix grad = g.copy();
                if (tau > 0) {
                    grad.addInPlace(tau, delta);
                }
                Matrix.gemm(1.0, delta.scaleRowsInPlace(lambda), false, k, false, 1.0, grad);
                return grad;
            }

            @Override
            public void prox(Matrix w, double step) {
                if (structure != null) {
                    structure.maskAB(w);
                }
                if (structure == null || !structure.makesAWellPosed()) {
                    Matrix a = w.columns(0, n);
                    WellPosedness.projectInfNormBall(a, kappa);
                    w.setBlock(0, 0, a);
                }
                penaltyB.proxColumns(w, step, n, penalisedColumns, coupled);
            }
        };
        Matrix start = w0.copy();
        problem.prox(start, 0.0);
        Matrix w = Fista.minimise(problem, start, lipschitz, iterations);
        double after = majoriser(atW0, g, k, lambda, tau, w0, w, n, pb, penaltyB, penalisedColumns, coupled);
        // Keep the better of the start and the solve (as the P-step does per column): the Lipschitz
        // constant comes from power iteration, and should it fall short, FISTA can end uphill.
        double atStart = majoriser(atW0, g, k, lambda, tau, w0, start, n, pb, penaltyB, penalisedColumns, coupled);
        if (!(after <= atStart)) {
            w = start;
            after = atStart;
        }
        return new Result(w.columns(0, n), w.columns(n, n + pb), before, after);
    }

    /** The majoriser of (13) at W = [A B], with B's penalty. */
    private static double majoriser(double atW0, Matrix g, Matrix k, double[] lambda, double tau, Matrix w0, Matrix w,
                                    int n, int pb, Penalty penaltyB, int penalisedColumns, Matrix coupled) {
        Matrix delta = w.minus(w0);
        return atW0 + majoriserIncrement(g, k, lambda, delta) + 0.5 * tau * delta.frobeniusSquared()
                + penaltyB.value(w.columns(n, n + pb).columns(0, penalisedColumns), coupled);
    }

    /** {@code <G, Delta> + 1/2 tr(Lam Delta K Delta^T)}: the majoriser minus f(W0). */
    static double majoriserIncrement(Matrix g, Matrix k, double[] lambda, Matrix delta) {
        Matrix dk = delta.times(k);
        Matrix weighted = delta.copy().scaleRowsInPlace(lambda);
        return g.dot(delta) + 0.5 * weighted.dot(dk);
    }
}
