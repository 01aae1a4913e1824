package org.idl.train.bcd;

import org.idl.linalg.Matrix;
import org.idl.linalg.SymmetricEigen;
import org.idl.model.Activation;
import org.idl.model.FenchelDivergence;
import org.idl.train.Loss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.idl.linalg.TestMatrices.gaussianWithInfNorm;
import static org.idl.linalg.TestMatrices.max;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each BCD step against a slow, independent solve of the same subproblem: plain (projected or
 * proximal) gradient with a small step and many iterations, on small random problems.
 */
class StepsTest {

    private static final int N = 5;
    private static final int P = 4;
    private static final int PB = P + 1; // with the bias row
    private static final int Q = 3;
    private static final int M = 12;
    private static final int FAST = 500;
    /** The (A,B)-step tests' bound on the L1 norm of A's rows. */
    private static final double KAPPA = 0.5;

    // ---------------------------------------------------------------- helpers

    private static double[] lambdas(Random random, double lo, double hi) {
        double[] l = new double[N];
        for (int i = 0; i < N; i++) {
            l[i] = lo + (hi - lo) * random.nextDouble();
        }
        return l;
    }

    private static Matrix abs(Matrix m) {
        Matrix r = m.copy();
        for (int k = 0; k < r.data().length; k++) {
            r.data()[k] = Math.abs(r.data()[k]);
        }
        return r;
    }

    private static Matrix oneHot(Random random, int classes, int m) {
        Matrix y = Matrix.zeros(classes, m);
        for (int c = 0; c < m; c++) {
            y.set(c % classes == 0 ? random.nextInt(classes) : c % classes, c, 1.0);
        }
        return y;
    }

    /** Own losses: 1/2||Y - Yhat||^2, or sum_c logsumexp(yhat_c) - y_c . yhat_c. */
    private static double loss(Loss loss, Matrix y, Matrix yhat) {
        double total = 0;
        for (int c = 0; c < y.cols(); c++) {
            if (loss == Loss.SQUARED) {
                for (int i = 0; i < y.rows(); i++) {
                    double r = yhat.get(i, c) - y.get(i, c);
                    total += 0.5 * r * r;
                }
            } else {
                double lse = logSumExp(yhat, c);
                for (int i = 0; i < y.rows(); i++) {
                    total += y.get(i, c) * (lse - yhat.get(i, c));
                }
            }
        }
        return total;
    }

    private static Matrix lossGradient(Loss loss, Matrix y, Matrix yhat) {
        Matrix g = Matrix.zeros(y.rows(), y.cols());
        for (int c = 0; c < y.cols(); c++) {
            if (loss == Loss.SQUARED) {
                for (int i = 0; i < y.rows(); i++) {
                    g.set(i, c, yhat.get(i, c) - y.get(i, c));
                }
            } else {
                double lse = logSumExp(yhat, c);
                for (int i = 0; i < y.rows(); i++) {
                    g.set(i, c, Math.exp(yhat.get(i, c) - lse) - y.get(i, c));
                }
            }
        }
        return g;
    }

    /** log sum_i exp(yhat_ic), shifted by the column's largest entry against overflow. */
    private static double logSumExp(Matrix yhat, int c) {
        double mx = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < yhat.rows(); i++) {
            mx = Math.max(mx, yhat.get(i, c));
        }
        double s = 0;
        for (int i = 0; i < yhat.rows(); i++) {
            s += Math.exp(yhat.get(i, c) - mx);
        }
        return mx + Math.log(s);
    }

    /** sum_ij lambda_i F(P_ij, Z_ij). */
    private static double divergence(Activation phi, double[] lambda, Matrix p, Matrix z) {
        double total = 0;
        for (int i = 0; i < p.rows(); i++) {
            for (int c = 0; c < p.cols(); c++) {
                total += lambda[i] * FenchelDivergence.value(phi, p.get(i, c), z.get(i, c));
            }
        }
        return total;
    }

    private static double l1(double[] v) {
        double s = 0;
        for (double x : v) {
            s += Math.abs(x);
        }
        return s;
    }

    /** Projection onto the L1 ball by bisection on the threshold (independent of L1Ball's sort). */
    private static void projectL1(double[] v, double radius) {
        if (l1(v) <= radius) {
            return;
        }
        double lo = 0;
        double hi = 0;
        for (double x : v) {
            hi = Math.max(hi, Math.abs(x));
        }
        for (int it = 0; it < 200 && hi - lo > 1e-17 * hi; it++) {
            double mid = 0.5 * (lo + hi);
            double s = 0;
            for (double x : v) {
                s += Math.max(Math.abs(x) - mid, 0);
            }
            if (s > radius) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        double theta = 0.5 * (lo + hi);
        for (int i = 0; i < v.length; i++) {
            double a = Math.abs(v[i]) - theta;
            v[i] = a > 0 ? Math.copySign(a, v[i]) : 0.0;
        }
    }

    private static void softThreshold(Matrix w, int c0, int c1, double threshold) {
        for (int i = 0; i < w.rows(); i++) {
            for (int j = c0; j < c1; j++) {
                double v = w.get(i, j);
                double a = Math.abs(v) - threshold;
                w.set(i, j, a > 0 ? Math.copySign(a, v) : 0.0);
            }
        }
    }

    private static double trace(Matrix s) {
        double t = 0;
        for (int i = 0; i < s.rows(); i++) {
            t += s.get(i, i);
        }
        return t;
    }

    private static double sumAbs(Matrix m) {
        return l1(m.data());
    }

    private static void assertRelative(double expected, double actual, double tolerance, String what) {
        assertEquals(expected, actual, tolerance * Math.max(1, Math.abs(expected)), what);
    }

    private static void assertClose(Matrix expected, Matrix actual, double tolerance, String what) {
        double diff = actual.minus(expected).maxAbs();
        assertTrue(diff <= tolerance * Math.max(1, expected.maxAbs()), what + ": max abs difference " + diff);
    }

    /** At least one entry is exactly zero: the constraint or penalty under test is active. */
    private static void assertSomeZero(double[] values, String what) {
        int zeros = 0;
        for (double v : values) {
            zeros += v == 0 ? 1 : 0;
        }
        assertTrue(zeros > 0, what);
    }

    // ---------------------------------------------------------------- P-step

    @ParameterizedTest(name = "{0}")
    @CsvSource({"SOFTMAX_CROSS_ENTROPY, 1", "SQUARED, 2"})
    void pStepMatchesProjectedGradient(Loss loss, long seed) {
        pStep(loss, seed);
    }

    /** L(Y, CP + DU) + sum lambda_i F(P_i, Z_i) + mu/2 ||X - P||^2. */
    private static double pObjective(Loss loss, double[] lambda, double mu, Matrix p, Matrix z, Matrix x, Matrix y,
                                     Matrix c, Matrix du) {
        return loss(loss, y, c.times(p).plus(du)) + divergence(Activation.RELU, lambda, p, z)
                + 0.5 * mu * x.minus(p).frobeniusSquared();
    }

    private static void pStep(Loss loss, long seed) {
        Random random = new Random(seed);
        Matrix z = Matrix.gaussian(N, M, 1.5, random);
        Matrix x = abs(Matrix.gaussian(N, M, 1.0, random));
        Matrix c = Matrix.gaussian(Q, N, 0.8, random);
        Matrix du = Matrix.gaussian(Q, M, 0.5, random);
        Matrix y = loss == Loss.SQUARED ? Matrix.gaussian(Q, M, 1.5, random) : oneHot(random, Q, M);
        double[] lambda = lambdas(random, 0.2, 1.0);
        double mu = 0.3;
        Matrix start = x.copy();

        StepResult result = PStep.solve(Activation.RELU, loss, lambda, mu, z, x, y, c, du, start, FAST);
        Matrix fast = result.value();
        for (double v : fast.data()) {
            assertTrue(v >= 0.0, "P must stay non-negative, got " + v);
        }
        double before = pObjective(loss, lambda, mu, start, z, x, y, c, du);
        double after = pObjective(loss, lambda, mu, fast, z, x, y, c, du);
        assertRelative(before, result.before(), 1e-12, "reported objective before");
        assertRelative(after, result.after(), 1e-12, "reported objective after");
        assertTrue(after < before - 1e-3, "P-step did not lower its objective: " + before + " -> " + after);
        assertEquals(before, PStep.objective(Activation.RELU, loss, lambda, mu, start, z, x, y, c, du),
                1e-12 * Math.abs(before));

        Matrix slow = slowPStep(loss, lambda, mu, z, x, y, c, du, start);
        double slowValue = pObjective(loss, lambda, mu, slow, z, x, y, c, du);
        assertRelative(slowValue, after, 1e-9, loss + ": objective against the slow solve");
        assertTrue(after <= slowValue + 1e-9 * Math.abs(slowValue));
        assertClose(slow, fast, 1e-6, loss + ": P against the slow solve");
        // The sign constraint is active somewhere, so it matters.
        assertSomeZero(slow.data(), "expected some units at the P >= 0 boundary");
    }

    /**
     * Slow: 30000 steps of projected gradient on P >= 0 of the smooth (on P >= 0) objective
     * L + sum lambda_i (P^2/2 - P Z + relu(Z)^2/2) + mu/2 ||X - P||^2.
     */
    private static Matrix slowPStep(Loss loss, double[] lambda, double mu, Matrix z, Matrix x, Matrix y, Matrix c,
                                    Matrix du, Matrix start) {
        double curvature = loss == Loss.SQUARED ? 1.0 : 0.5;
        double step = 1.0 / (curvature * c.frobeniusSquared() + max(lambda) + mu);
        Matrix slow = start.copy();
        for (int it = 0; it < 30000; it++) {
            Matrix yhat = c.times(slow).plus(du);
            Matrix grad = c.transposeTimes(lossGradient(loss, y, yhat));
            for (int i = 0; i < N; i++) {
                for (int col = 0; col < M; col++) {
                    double g = grad.get(i, col) + lambda[i] * (slow.get(i, col) - z.get(i, col))
                            + mu * (slow.get(i, col) - x.get(i, col));
                    slow.set(i, col, Math.max(0.0, slow.get(i, col) - step * g));
                }
            }
        }
        return slow;
    }

    @Test
    void pStepStepSizeHoldsForReadoutsWithZeroColumnSums() {
        // Cross-entropy readouts trained from C = 0 keep every column of C summing to zero (the softmax
        // gradient's columns sum to zero), so C C^T 1 = 0: the ones vector is in the null space of the
        // matrix whose top eigenvalue sets the step size. Four classes, dyadic entries: exact zeros.
        Random random = new Random(3);
        int q = 4;
        Matrix c = Matrix.of(new double[][]{
                {1.5, -0.75, 0.5, 2.0, -1.0},
                {-0.5, 1.25, -1.5, -1.0, 0.25},
                {-1.25, -0.25, 0.5, -0.5, 0.25},
                {0.25, -0.25, 0.5, -0.5, 0.5}});
        for (int j = 0; j < N; j++) {
            double sum = 0;
            for (int i = 0; i < q; i++) {
                sum += c.get(i, j);
            }
            assertEquals(0.0, sum, 0.0);
        }
        Loss loss = Loss.SOFTMAX_CROSS_ENTROPY;
        Matrix z = Matrix.gaussian(N, M, 1.5, random);
        Matrix x = abs(Matrix.gaussian(N, M, 1.0, random));
        Matrix du = Matrix.gaussian(q, M, 0.5, random);
        Matrix y = oneHot(random, q, M);
        double[] lambda = lambdas(random, 0.2, 1.0);
        double mu = 0.05;
        Matrix start = x.copy();
        StepResult result = PStep.solve(Activation.RELU, loss, lambda, mu, z, x, y, c, du, start, FAST);

        Matrix slow = slowPStep(loss, lambda, mu, z, x, y, c, du, start);
        double slowValue = pObjective(loss, lambda, mu, slow, z, x, y, c, du);
        assertRelative(slowValue, result.after(), 1e-9, "objective against the slow solve");
        assertClose(slow, result.value(), 1e-6, "P against the slow solve");
    }

    // ---------------------------------------------------------------- X-step

    @ParameterizedTest(name = "{0}")
    @CsvSource({"relu, 4", "tanh, 5"})
    void xStepMatchesGradientDescent(Activation phi, long seed) {
        xStep(phi, seed);
    }

    /** sum lambda_i F(P_i, (AX + BU)_i) + mu/2 ||X - P||^2. */
    private static double xObjective(Activation phi, double[] lambda, double mu, Matrix a, Matrix bu, Matrix p,
                                     Matrix x) {
        return divergence(phi, lambda, p, a.times(x).plus(bu)) + 0.5 * mu * x.minus(p).frobeniusSquared();
    }

    private static Matrix slowXStep(Activation phi, double[] lambda, double mu, Matrix a, Matrix bu, Matrix p,
                                    Matrix start, int iterations) {
        double step = 1.0 / (max(lambda) * a.frobeniusSquared() + mu);
        Matrix x = start.copy();
        for (int it = 0; it < iterations; it++) {
            Matrix r = a.times(x).plus(bu);
            for (int i = 0; i < N; i++) {
                for (int col = 0; col < x.cols(); col++) {
                    r.set(i, col, lambda[i] * (phi.apply(r.get(i, col)) - p.get(i, col)));
                }
            }
            Matrix grad = a.transposeTimes(r).addInPlace(mu, x.minus(p));
            x.addInPlace(-step, grad);
        }
        return x;
    }

    private static void xStep(Activation phi, long seed) {
        Random random = new Random(seed);
        Matrix a = gaussianWithInfNorm(N, 0.8, random);
        Matrix bu = Matrix.gaussian(N, M, 1.0, random);
        Matrix p = Matrix.zeros(N, M);
        for (int k = 0; k < p.data().length; k++) {
            p.data()[k] = phi == Activation.RELU ? 2 * random.nextDouble() : 1.8 * random.nextDouble() - 0.9;
        }
        Matrix start = Matrix.gaussian(N, M, 1.0, random);
        double[] lambda = lambdas(random, 0.2, 1.0);
        double mu = 0.3;

        StepResult result = XStep.solve(phi, lambda, mu, a, bu, p, start, FAST);
        double before = xObjective(phi, lambda, mu, a, bu, p, start);
        double after = xObjective(phi, lambda, mu, a, bu, p, result.value());
        assertRelative(before, result.before(), 1e-12, phi + ": reported objective before");
        assertRelative(after, result.after(), 1e-12, phi + ": reported objective after");
        assertTrue(after < before - 1e-3, phi + ": X-step did not lower its objective: " + before + " -> " + after);

        Matrix slow = slowXStep(phi, lambda, mu, a, bu, p, start, 30000);
        double slowValue = xObjective(phi, lambda, mu, a, bu, p, slow);
        assertRelative(slowValue, after, 1e-9, phi + ": objective against the slow solve");
        assertClose(slow, result.value(), 1e-6, phi + ": X against the slow solve");
    }

    @Test
    void xStepStepSizeHoldsWhenTheOnesVectorIsInTheNullSpaceOfA() {
        // A = 0.5 (I - 11^T/4), exactly representable: every row and column sums to zero.
        Matrix a = Matrix.zeros(4, 4);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                a.set(i, j, i == j ? 0.375 : -0.125);
            }
        }
        Random random = new Random(6);
        int n = 4;
        Matrix bu = Matrix.gaussian(n, M, 1.0, random);
        Matrix p = abs(Matrix.gaussian(n, M, 1.0, random));
        Matrix start = Matrix.gaussian(n, M, 3.0, random);
        double[] lambda = {1, 1, 1, 1};
        double mu = 0.02;
        StepResult result = XStep.solve(Activation.TANH, lambda, mu, a, bu, p, start, FAST);

        double step = 1.0 / (a.frobeniusSquared() + mu);
        Matrix slow = start.copy();
        for (int it = 0; it < 100000; it++) {
            Matrix r = a.times(slow).plus(bu);
            for (int k = 0; k < r.data().length; k++) {
                r.data()[k] = Math.tanh(r.data()[k]) - p.data()[k];
            }
            slow.addInPlace(-step, a.transposeTimes(r).addInPlace(mu, slow.minus(p)));
        }
        double slowValue = divergence(Activation.TANH, lambda, p, a.times(slow).plus(bu))
                + 0.5 * mu * slow.minus(p).frobeniusSquared();
        assertRelative(slowValue, result.after(), 1e-8, "objective against the slow solve");
        assertClose(slow, result.value(), 1e-5, "X against the slow solve");
    }

    // ---------------------------------------------------------------- (A,B)-step

    /** Data of one (A,B)-step: states, inputs with the bias row, current (A, B), targets P, lambda. */
    private record AbProblem(Matrix x, Matrix u, Matrix a0, Matrix b0, Matrix z, Matrix p, double[] lambda) {
        Matrix v() {
            return Matrix.vstack(x, u);
        }

        Matrix w0() {
            return Matrix.hstack(a0, b0);
        }

        /** The true (13) objective up to a constant: (1/m) sum lambda_i F(P_ij, (W V)_ij). */
        double trueObjective(Matrix w) {
            return divergence(Activation.RELU, lambda, p, w.times(v())) / M;
        }
    }

    private static AbProblem abProblem(long seed) {
        Random random = new Random(seed);
        Matrix x = abs(Matrix.gaussian(N, M, 1.0, random));
        Matrix u = Matrix.gaussian(P, M, 1.0, random).withOnesRow();
        Matrix a0 = gaussianWithInfNorm(N, 0.4, random);
        Matrix b0 = Matrix.gaussian(N, PB, 0.5, random);
        Matrix z = a0.times(x).plus(b0.times(u));
        // Targets from a teacher with a large ||A||_inf, so that KAPPA = 0.5 binds.
        Matrix aTeacher = gaussianWithInfNorm(N, 2.0, random);
        Matrix p = aTeacher.times(x).plus(Matrix.gaussian(N, PB, 1.0, random).times(u));
        Activation.RELU.applyInPlace(p.data());
        return new AbProblem(x, u, a0, b0, z, p, lambdas(random, 0.5, 1.5));
    }

    /** The majoriser Q(W) = <G, W - W0> + 1/2 sum_i lambda_i (w_i - w0_i) K (w_i - w0_i)^T, from the data. */
    private static final class Majoriser {
        final Matrix g;
        final Matrix k;
        final Matrix w0;
        final double[] lambda;

        Majoriser(AbProblem pr) {
            Matrix v = pr.v();
            Matrix r = pr.z.copy();
            for (int i = 0; i < N; i++) {
                for (int c = 0; c < M; c++) {
                    r.set(i, c, pr.lambda[i] * (Math.max(0, pr.z.get(i, c)) - pr.p.get(i, c)));
                }
            }
            g = r.timesTransposed(v).scaleInPlace(1.0 / M);
            k = v.timesTransposed(v).scaleInPlace(1.0 / M);
            w0 = pr.w0();
            lambda = pr.lambda;
        }

        double value(Matrix w) {
            Matrix delta = w.minus(w0);
            double s = g.dot(delta);
            Matrix dk = delta.times(k);
            for (int i = 0; i < delta.rows(); i++) {
                for (int j = 0; j < delta.cols(); j++) {
                    s += 0.5 * lambda[i] * delta.get(i, j) * dk.get(i, j);
                }
            }
            return s;
        }

        Matrix gradient(Matrix w) {
            Matrix delta = w.minus(w0);
            Matrix dk = delta.times(k);
            Matrix grad = g.copy();
            for (int i = 0; i < delta.rows(); i++) {
                for (int j = 0; j < delta.cols(); j++) {
                    grad.set(i, j, grad.get(i, j) + lambda[i] * dk.get(i, j));
                }
            }
            return grad;
        }

        double lipschitzBound() {
            return max(lambda) * trace(k);
        }
    }

    /** The (A,B)-step on the problem, from its statistics over all M points, with rows of A in the KAPPA ball. */
    private static ABStep.Result abStep(AbProblem pr, Penalty penaltyB, Matrix coupled) {
        ABStep.Statistics stats = ABStep.statistics(Activation.RELU, pr.lambda, pr.x, pr.u, pr.z, pr.p);
        assertEquals(M, stats.count());
        return ABStep.solve(stats, pr.u.gram(), pr.a0, pr.b0, pr.lambda, KAPPA, penaltyB, P, coupled, FAST);
    }

    /** Slow proximal gradient on the majoriser: rows of A onto the KAPPA ball, then {@code proxB} on B. */
    private static Matrix slowAb(Majoriser q, java.util.function.BiConsumer<Matrix, Double> proxB, int iterations) {
        double step = 1.0 / q.lipschitzBound();
        Matrix w = q.w0.copy();
        projectRows(w, KAPPA);
        for (int it = 0; it < iterations; it++) {
            w.addInPlace(-step, q.gradient(w));
            projectRows(w, KAPPA);
            if (proxB != null) {
                proxB.accept(w, step);
            }
        }
        return w;
    }

    private static void projectRows(Matrix w, double kappa) {
        for (int i = 0; i < N; i++) {
            double[] row = new double[N];
            for (int j = 0; j < N; j++) {
                row[j] = w.get(i, j);
            }
            projectL1(row, kappa);
            for (int j = 0; j < N; j++) {
                w.set(i, j, row[j]);
            }
        }
    }

    @Test
    void abStepMatchesProjectedGradientOnTheMajoriser() {
        AbProblem pr = abProblem(7);
        ABStep.Result result = abStep(pr, Penalty.NONE, null);
        Matrix w = Matrix.hstack(result.a(), result.b());

        // Feasible, with the constraint active.
        double maxRow = 0;
        for (int i = 0; i < N; i++) {
            double r = l1(result.a().row(i));
            assertTrue(r <= KAPPA + 1e-12, "row " + i + " of A has L1 norm " + r);
            maxRow = Math.max(maxRow, r);
        }
        assertTrue(maxRow >= KAPPA - 1e-9, "the constraint should bind, max row L1 " + maxRow);

        Majoriser q = new Majoriser(pr);
        Matrix slow = slowAb(q, null, 100000);
        double base = pr.trueObjective(pr.w0());
        assertRelative(base + q.value(slow), base + q.value(w), 1e-8, "majoriser against the slow solve");
        assertTrue(q.value(w) <= q.value(slow) + 1e-9 * Math.abs(base));
        assertClose(slow, w, 1e-5, "W against the slow solve");

        // Reported values: before = the (13) objective at W0, after = the majoriser at the new W.
        assertRelative(base, result.before(), 1e-12, "before");
        assertRelative(base + q.value(w), result.after(), 1e-10, "after");
        assertTrue(result.after() <= result.before());
        // Majorise-minimise: the true objective at the new W is below the majoriser, hence below W0's.
        double trueAfter = pr.trueObjective(w);
        assertTrue(trueAfter <= result.after() + 1e-12, trueAfter + " above the majoriser " + result.after());
        assertTrue(trueAfter < base, "true (13) objective " + base + " -> " + trueAfter);
    }

    @Test
    void abStepWithL1PenaltyOnBMatchesProximalGradient() {
        AbProblem pr = abProblem(8);
        double weight = 0.1;
        ABStep.Result result = abStep(pr, Penalty.l1(weight), null);
        Matrix w = Matrix.hstack(result.a(), result.b());

        Majoriser q = new Majoriser(pr);
        // The bias column (the last one of B) is not penalised.
        Matrix slow = slowAb(q, (m, step) -> softThreshold(m, N, N + P, step * weight), 100000);
        java.util.function.ToDoubleFunction<Matrix> pen = m -> weight * sumAbs(m.block(0, N, N, N + P));
        double base = pr.trueObjective(pr.w0());
        double fastValue = base + q.value(w) + pen.applyAsDouble(w);
        double slowValue = base + q.value(slow) + pen.applyAsDouble(slow);
        assertRelative(slowValue, fastValue, 1e-8, "penalised majoriser against the slow solve");
        assertClose(slow, w, 1e-5, "W against the slow solve");
        int zeros = 0;
        for (int i = 0; i < N; i++) {
            for (int j = N; j < N + P; j++) {
                if (slow.get(i, j) == 0) {
                    zeros++;
                    assertEquals(0.0, w.get(i, j), 1e-6);
                }
            }
        }
        assertTrue(zeros > 0, "the L1 penalty should zero some entries of B");
        assertRelative(base + pen.applyAsDouble(pr.w0()), result.before(), 1e-12, "before");
        assertRelative(fastValue, result.after(), 1e-10, "after");
        assertTrue(pr.trueObjective(w) + pen.applyAsDouble(w) <= base + pen.applyAsDouble(pr.w0()));
    }

    @Test
    void abStepWithColumnGroupPenaltyCoupledToDMatchesProximalGradient() {
        AbProblem pr = abProblem(9);
        double weight = 0.3;
        Penalty penalty = Penalty.columnGroup(weight);
        Random random = new Random(10);
        Matrix d = Matrix.gaussian(Q, P, 0.3, random);
        for (int i = 0; i < Q; i++) {
            d.set(i, 1, 0.0); // one feature with D's column zero: plain block soft-thresholding
        }
        ABStep.Result result = abStep(pr, penalty, d);
        Matrix w = Matrix.hstack(result.a(), result.b());

        Majoriser q = new Majoriser(pr);
        Matrix slow = slowAb(q, (m, step) -> {
            Matrix bf = m.block(0, N, N, N + P);
            penalty.prox(bf, step, d);
            m.setBlock(0, N, bf);
        }, 100000);
        java.util.function.ToDoubleFunction<Matrix> pen = m -> {
            double s = 0;
            for (int j = 0; j < P; j++) {
                double c2 = 0;
                for (int i = 0; i < N; i++) {
                    c2 += m.get(i, N + j) * m.get(i, N + j);
                }
                for (int i = 0; i < Q; i++) {
                    c2 += d.get(i, j) * d.get(i, j);
                }
                s += Math.sqrt(c2);
            }
            return weight * s;
        };
        double base = pr.trueObjective(pr.w0());
        double fastValue = base + q.value(w) + pen.applyAsDouble(w);
        double slowValue = base + q.value(slow) + pen.applyAsDouble(slow);
        assertRelative(slowValue, fastValue, 1e-8, "penalised majoriser against the slow solve");
        assertClose(slow, w, 1e-5, "W against the slow solve");
        assertRelative(base + pen.applyAsDouble(pr.w0()), result.before(), 1e-12, "before");
        assertRelative(fastValue, result.after(), 1e-10, "after");
        assertTrue(pr.trueObjective(w) + pen.applyAsDouble(w) <= base + pen.applyAsDouble(pr.w0()));
    }

    // ---------------------------------------------------------------- readout

    private record ReadoutProblem(Matrix s, Matrix u, Matrix y, Matrix c0, Matrix d0) {
        Matrix h() {
            return Matrix.vstack(s, u);
        }

        Matrix theta0() {
            return Matrix.hstack(c0, d0);
        }
    }

    private static ReadoutProblem readoutProblem(long seed, Loss loss) {
        Random random = new Random(seed);
        Matrix s = abs(Matrix.gaussian(N, M, 1.0, random));
        Matrix u = Matrix.gaussian(P, M, 1.0, random).withOnesRow();
        Matrix y = loss == Loss.SQUARED ? Matrix.gaussian(Q, M, 1.0, random) : oneHot(random, Q, M);
        return new ReadoutProblem(s, u, y, Matrix.gaussian(Q, N, 0.5, random), Matrix.gaussian(Q, PB, 0.5, random));
    }

    /** (1/m) L(Y, Theta H) + ridge/2 ||Theta||^2. */
    private static double readoutObjective(Loss loss, ReadoutProblem pr, Matrix theta, double ridge) {
        return loss(loss, pr.y, theta.times(pr.h())) / M + 0.5 * ridge * theta.frobeniusSquared();
    }

    /** Solves S X = R for symmetric positive definite S by Gaussian elimination with partial pivoting. */
    private static Matrix solve(Matrix s, Matrix r) {
        int n = s.rows();
        int k = r.cols();
        double[][] a = new double[n][n + k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                a[i][j] = s.get(i, j);
            }
            for (int j = 0; j < k; j++) {
                a[i][n + j] = r.get(i, j);
            }
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int i = col + 1; i < n; i++) {
                if (Math.abs(a[i][col]) > Math.abs(a[pivot][col])) {
                    pivot = i;
                }
            }
            double[] tmp = a[col];
            a[col] = a[pivot];
            a[pivot] = tmp;
            for (int i = col + 1; i < n; i++) {
                double f = a[i][col] / a[col][col];
                for (int j = col; j < n + k; j++) {
                    a[i][j] -= f * a[col][j];
                }
            }
        }
        Matrix x = Matrix.zeros(n, k);
        for (int j = 0; j < k; j++) {
            for (int i = n - 1; i >= 0; i--) {
                double v = a[i][n + j];
                for (int l = i + 1; l < n; l++) {
                    v -= a[i][l] * x.get(l, j);
                }
                x.set(i, j, v / a[i][i]);
            }
        }
        return x;
    }

    @Test
    void readoutWithSquaredLossIsTheRidgeSolution() {
        ReadoutProblem pr = readoutProblem(11, Loss.SQUARED);
        double ridge = 0.05;
        ReadoutStep.Statistics st = ReadoutStep.statistics(Loss.SQUARED, pr.s, pr.u, pr.y, pr.c0, pr.d0, true);
        ReadoutStep.Result result = ReadoutStep.solve(st, st.ss(), st.su(), pr.u.gram(), pr.c0, pr.d0, Loss.SQUARED,
                ridge, Penalty.NONE, Penalty.NONE, P, null, FAST);
        Matrix theta = Matrix.hstack(result.c(), result.d());

        // Normal equations of (1/2m)||Y - Theta H||^2 + ridge/2 ||Theta||^2: Theta (H H^T/m + ridge I) = Y H^T/m.
        Matrix h = pr.h();
        Matrix system = h.timesTransposed(h).scaleInPlace(1.0 / M);
        for (int i = 0; i < system.rows(); i++) {
            system.set(i, i, system.get(i, i) + ridge);
        }
        Matrix rhs = pr.y.timesTransposed(h).scaleInPlace(1.0 / M);
        Matrix exact = solve(system, rhs.transpose()).transpose();
        assertClose(exact, theta, 1e-10, "readout against the normal equations");

        double before = readoutObjective(Loss.SQUARED, pr, pr.theta0(), ridge);
        double after = readoutObjective(Loss.SQUARED, pr, theta, ridge);
        assertRelative(before, result.before(), 1e-12, "before");
        // For the squared loss the majoriser is exact.
        assertRelative(after, result.after(), 1e-10, "after");
        assertTrue(after < before);
    }

    @Test
    void readoutWithCrossEntropyLowersTheTrueObjective() {
        ReadoutProblem pr = readoutProblem(12, Loss.SOFTMAX_CROSS_ENTROPY);
        double ridge = 0.01;
        Loss loss = Loss.SOFTMAX_CROSS_ENTROPY;
        ReadoutStep.Statistics st = ReadoutStep.statistics(loss, pr.s, pr.u, pr.y, pr.c0, pr.d0, true);
        ReadoutStep.Result result = ReadoutStep.solve(st, st.ss(), st.su(), pr.u.gram(), pr.c0, pr.d0, loss, ridge,
                Penalty.NONE, Penalty.NONE, P, null, FAST);
        Matrix theta = Matrix.hstack(result.c(), result.d());
        double before = readoutObjective(loss, pr, pr.theta0(), ridge);
        double after = readoutObjective(loss, pr, theta, ridge);
        assertRelative(before, result.before(), 1e-12, "before");
        assertTrue(after <= result.after() + 1e-12, "the true objective " + after + " above the majoriser " + result.after());
        assertTrue(after < before - 1e-3, "one MM step: " + before + " -> " + after);

        // The step minimises Bohning's majoriser exactly: its gradient vanishes.
        Matrix h = pr.h();
        Matrix s = h.timesTransposed(h).scaleInPlace(1.0 / M);
        Matrix grad0 = lossGradient(loss, pr.y, pr.theta0().times(h)).timesTransposed(h).scaleInPlace(1.0 / M);
        Matrix stationarity = grad0.plus(theta.minus(pr.theta0()).times(s).scaleInPlace(0.5)).addInPlace(ridge, theta);
        assertTrue(stationarity.maxAbs() <= 1e-10, "majoriser gradient " + stationarity.maxAbs());
    }

    @Test
    void readoutWithL1PenaltyMatchesProximalGradientOnTheMajoriser() {
        ReadoutProblem pr = readoutProblem(13, Loss.SOFTMAX_CROSS_ENTROPY);
        double ridge = 0.01;
        double weight = 0.03;
        Loss loss = Loss.SOFTMAX_CROSS_ENTROPY;
        ReadoutStep.Statistics st = ReadoutStep.statistics(loss, pr.s, pr.u, pr.y, pr.c0, pr.d0, true);
        ReadoutStep.Result result = ReadoutStep.solve(st, st.ss(), st.su(), pr.u.gram(), pr.c0, pr.d0, loss, ridge,
                Penalty.l1(weight), Penalty.l1(weight), P, null, FAST);
        Matrix theta = Matrix.hstack(result.c(), result.d());

        Matrix h = pr.h();
        Matrix s = h.timesTransposed(h).scaleInPlace(1.0 / M);
        Matrix theta0 = pr.theta0();
        Matrix grad0 = lossGradient(loss, pr.y, theta0.times(h)).timesTransposed(h).scaleInPlace(1.0 / M);
        double lossAt0 = loss(loss, pr.y, theta0.times(h)) / M;
        // C and D's feature columns are penalised, D's bias column is free.
        java.util.function.ToDoubleFunction<Matrix> pen = t -> weight * sumAbs(t.block(0, Q, 0, N + P));
        java.util.function.ToDoubleFunction<Matrix> majoriser = t -> {
            Matrix delta = t.minus(theta0);
            return lossAt0 + grad0.dot(delta) + 0.25 * delta.times(s).dot(delta) + 0.5 * ridge * t.frobeniusSquared()
                    + pen.applyAsDouble(t);
        };
        double step = 1.0 / (0.5 * trace(s) + ridge);
        Matrix slow = theta0.copy();
        for (int it = 0; it < 100000; it++) {
            Matrix g = grad0.plus(slow.minus(theta0).times(s).scaleInPlace(0.5)).addInPlace(ridge, slow);
            slow.addInPlace(-step, g);
            softThreshold(slow, 0, N + P, step * weight);
        }
        assertRelative(majoriser.applyAsDouble(slow), majoriser.applyAsDouble(theta), 1e-8, "majoriser value");
        assertClose(slow, theta, 1e-5, "readout against the slow solve");
        assertRelative(majoriser.applyAsDouble(theta), result.after(), 1e-10, "after");
        assertRelative(lossAt0 + 0.5 * ridge * theta0.frobeniusSquared() + pen.applyAsDouble(theta0), result.before(),
                1e-12, "before");
        double trueAfter = loss(loss, pr.y, theta.times(h)) / M + 0.5 * ridge * theta.frobeniusSquared()
                + pen.applyAsDouble(theta);
        assertTrue(trueAfter <= result.after() + 1e-12);
        assertTrue(result.after() < result.before());
        assertSomeZero(slow.block(0, Q, 0, N + P).data(), "the L1 penalty should zero some readout weights");
    }

    // ---------------------------------------------------------------- penalties

    @Test
    void columnGroupProxWithCoupledBlockMatchesBruteForce() {
        Random random = new Random(14);
        double weight = 0.5;
        double t = 0.7;
        double tw = t * weight;
        Matrix v = Matrix.gaussian(3, 5, 1.0, random);
        Matrix coupled = Matrix.gaussian(2, 5, 0.6, random);
        for (int i = 0; i < 2; i++) {
            coupled.set(i, 3, 0.0); // uncoupled column: block soft-thresholding
            coupled.set(i, 4, 0.0);
        }
        for (int i = 0; i < 3; i++) {
            v.set(i, 4, 0.1 * v.get(i, 4)); // small and uncoupled: thresholded to zero
        }
        Penalty penalty = Penalty.columnGroup(weight);
        Matrix w = v.copy();
        penalty.prox(w, t, coupled);

        for (int j = 0; j < 5; j++) {
            double[] vj = {v.get(0, j), v.get(1, j), v.get(2, j)};
            double d2 = coupled.get(0, j) * coupled.get(0, j) + coupled.get(1, j) * coupled.get(1, j);
            double[] expected = new double[3];
            if (d2 == 0) {
                double norm = Math.sqrt(vj[0] * vj[0] + vj[1] * vj[1] + vj[2] * vj[2]);
                double scale = Math.max(0, 1 - tw / norm);
                for (int i = 0; i < 3; i++) {
                    expected[i] = scale * vj[i];
                }
            } else {
                // Gradient descent on 1/2||w - v||^2 + tw sqrt(||w||^2 + d2), smooth with L = 1 + tw/sqrt(d2).
                double step = 1.0 / (1 + tw / Math.sqrt(d2));
                double[] x = vj.clone();
                for (int it = 0; it < 100000; it++) {
                    double r = Math.sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2] + d2);
                    for (int i = 0; i < 3; i++) {
                        x[i] -= step * (x[i] - vj[i] + tw * x[i] / r);
                    }
                }
                expected = x;
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(expected[i], w.get(i, j), 1e-10, "column " + j + " entry " + i);
            }
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(0.0, w.get(i, 4), "small uncoupled column is zeroed");
        }
        // value(): weight * sum_j ||(w_j; d_j)||.
        double value = 0;
        for (int j = 0; j < 5; j++) {
            double s2 = 0;
            for (int i = 0; i < 3; i++) {
                s2 += v.get(i, j) * v.get(i, j);
            }
            for (int i = 0; i < 2; i++) {
                s2 += coupled.get(i, j) * coupled.get(i, j);
            }
            value += Math.sqrt(s2);
        }
        assertEquals(weight * value, penalty.value(v, coupled), 1e-12);
    }

    @Test
    void theABStepNeverEndsAboveItsStartEvenWithAStepTooLong() {
        Random random = new Random(3);
        int n = 4;
        int m = 30;
        Matrix x = Matrix.gaussian(n, m, 1.0, random);
        Matrix u = Matrix.gaussian(3, m, 1.0, random);
        Matrix a0 = Matrix.zeros(n, n);
        Matrix b0 = Matrix.gaussian(n, 3, 0.1, random);
        Matrix z = a0.times(x).plus(b0.times(u));
        double[] lambda = {1, 1, 1, 1};
        ABStep.Statistics st = ABStep.statistics(Activation.RELU, lambda, x, u, z, positive(Matrix.gaussian(n, m, 1.0, random)));
        // A Lipschitz constant a hundred times too small, as a power iteration gone wrong would give: FISTA diverges.
        ABStep.Result bad = ABStep.solve(st, u.gram(), a0, b0, lambda, 0.9, Penalty.NONE, 0, null, 30, null, null, 0.01);
        assertTrue(bad.after() <= bad.before() + 1e-12, bad.before() + " -> " + bad.after());
        assertTrue(bad.b().isFinite());
        ABStep.Result good = ABStep.solve(st, u.gram(), a0, b0, lambda, 0.9, Penalty.NONE, 0, null, 30, null, null, 1.0);
        assertTrue(good.after() < good.before(), good.before() + " -> " + good.after());
    }

    /**
     * In the eigenbasis of U U^T the (A,B)-step is the same FISTA, rotated: the same A, B and bound,
     * with inputs whose Gram matrix is singular (a constant-zero input, as MNIST's border pixels) and
     * rows of lambda that differ, A0 outside the ball; with the step too long, it still never ends
     * above its start.
     */
    @Test
    void theABStepInTheInputsEigenbasisIsTheSameStep() {
        Random random = new Random(8);
        int n = 6;
        int m = 50;
        int p = 5;
        Matrix x = positive(Matrix.gaussian(n, m, 1.0, random));
        Matrix u = Matrix.gaussian(p, m, 1.0, random);
        for (int j = 0; j < m; j++) {
            u.set(2, j, 0.0);
        }
        Matrix a0 = Matrix.gaussian(n, n, 0.2, random);
        Matrix b0 = Matrix.gaussian(n, p, 0.3, random);
        Matrix z = a0.times(x).plus(b0.times(u));
        double[] lambda = {1, 0.5, 2, 1, 1, 0.25};
        ABStep.Statistics st = ABStep.statistics(Activation.RELU, lambda, x, u, z,
                positive(Matrix.gaussian(n, m, 1.0, random)));
        Matrix uu = u.gram();
        SymmetricEigen basis = SymmetricEigen.of(uu);
        ABStep.Result plain = ABStep.solve(st, uu, a0, b0, lambda, 0.8, Penalty.NONE, 0, null, 200, null, null, 1.0);
        ABStep.Result rotated = ABStep.solve(st, uu, a0, b0, lambda, 0.8, Penalty.NONE, 0, null, 200, null, basis, 1.0);
        assertTrue(rotated.after() < rotated.before(), rotated.before() + " -> " + rotated.after());
        assertEquals(plain.before(), rotated.before(), 1e-14);
        assertEquals(plain.after(), rotated.after(), 1e-10 * Math.abs(plain.after()));
        assertTrue(plain.a().minus(rotated.a()).maxAbs() < 1e-9, "A differs by " + plain.a().minus(rotated.a()).maxAbs());
        assertTrue(plain.b().minus(rotated.b()).maxAbs() < 1e-9, "B differs by " + plain.b().minus(rotated.b()).maxAbs());
        assertTrue(rotated.a().infNorm() <= 0.8 + 1e-12);
        ABStep.Result tooLong = ABStep.solve(st, uu, a0, b0, lambda, 0.8, Penalty.NONE, 0, null, 30, null, basis, 0.01);
        // The start is W0 with A projected into the ball (A0 is outside it), the bound there is the floor.
        double atStart = ABStep.solve(st, uu, a0, b0, lambda, 0.8, Penalty.NONE, 0, null, 0, null, null, 1.0).after();
        assertTrue(tooLong.after() <= atStart + 1e-12, atStart + " -> " + tooLong.after());
        assertTrue(tooLong.b().isFinite());
        // A penalty on B is not rotation-invariant: the basis is then ignored, and the plain step runs.
        Penalty l1 = Penalty.l1(0.01);
        ABStep.Result penalised = ABStep.solve(st, uu, a0, b0, lambda, 0.8, l1, p, null, 50, null, null, 1.0);
        ABStep.Result withBasis = ABStep.solve(st, uu, a0, b0, lambda, 0.8, l1, p, null, 50, null, basis, 1.0);
        assertEquals(0.0, penalised.b().minus(withBasis.b()).maxAbs());
    }

    @Test
    void thePenalisedReadoutNeverEndsAboveItsStartEvenWithAStepTooLong() {
        Random random = new Random(4);
        int n = 5;
        int m = 40;
        Matrix x = positive(Matrix.gaussian(n, m, 1.0, random));
        Matrix u = Matrix.gaussian(3, m, 1.0, random);
        Matrix y = oneHot(random, 3, m);
        Matrix c0 = Matrix.gaussian(3, n, 0.1, random);
        Matrix d0 = Matrix.gaussian(3, 3, 0.1, random);
        ReadoutStep.Statistics st = ReadoutStep.statistics(Loss.SOFTMAX_CROSS_ENTROPY, x, u, y, c0, d0, true);
        for (double scale : new double[]{0.01, 1.0}) {
            ReadoutStep.Result r = ReadoutStep.solve(st, st.ss(), st.su(), u.gram(), c0, d0, Loss.SOFTMAX_CROSS_ENTROPY,
                    1e-3, Penalty.l1(1e-3), Penalty.NONE, 0, null, 30, null, scale);
            assertTrue(r.after() <= r.before() + 1e-12, "Lipschitz x " + scale + ": " + r.before() + " -> " + r.after());
            assertTrue(r.c().isFinite() && r.d().isFinite());
        }
    }

    /** The entries' absolute values: targets a ReLU can reach (its Fenchel divergence is finite there). */
    private static Matrix positive(Matrix m) {
        double[] d = m.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.abs(d[i]);
        }
        return m;
    }

    /**
     * A proximal (A,B)-step's problem: K from 40 random points of n + pb dimensions, lambda 0.4 for
     * every unit, an A0 in the ball, and a large gradient, so that the solve pushes A's rows against it.
     */
    private record ProximalProblem(Matrix k, double[] lambda, Matrix a0, Matrix b0, ABStep.Statistics batch) {
        static ProximalProblem random(Random random, int n, int pb) {
            Matrix v = Matrix.gaussian(n + pb, 40, 1.0, random);
            double[] lambda = new double[n];
            java.util.Arrays.fill(lambda, 0.4);
            Matrix a0 = gaussianWithInfNorm(n, KAPPA, random);
            Matrix b0 = Matrix.gaussian(n, pb, 0.5, random);
            return new ProximalProblem(v.gram().scaleInPlace(1.0 / 40), lambda, a0, b0,
                    new ABStep.Statistics(Matrix.gaussian(n, n + pb, 20.0, random), null, null, 3.0, 10));
        }
    }

    /**
     * The minibatch schedule's (A,B)-step with B minimised out in closed form reaches the same
     * minimiser as FISTA on the whole of [A B], with A's rows on the boundary of the ball.
     */
    @Test
    void proximalStepWithBMinimisedOutMatchesTheWholeSolve() {
        int n = 6;
        int pb = 9;
        ProximalProblem problem = ProximalProblem.random(new Random(21), n, pb);
        Matrix a0 = problem.a0();
        Matrix b0 = problem.b0();
        ABStep.Statistics batch = problem.batch();
        ABStep.Proximal step = new ABStep.Proximal(problem.k(), n, problem.lambda(), 0.3);
        ABStep.Result reduced = step.solve(batch, a0, b0, KAPPA, Penalty.NONE, pb - 1, null, 300, null);
        ABStep.Result whole = step.solveWhole(batch, a0, b0, KAPPA, 20000);
        assertTrue(reduced.a().infNorm() <= KAPPA + 1e-12, "||A||_inf " + reduced.a().infNorm());
        assertTrue(reduced.a().infNorm() >= KAPPA - 1e-9, "the ball is active: ||A||_inf " + reduced.a().infNorm());
        assertTrue(reduced.a().minus(whole.a()).maxAbs() <= 1e-6 * whole.a().maxAbs(), "A differs by " + reduced.a().minus(whole.a()).maxAbs());
        assertTrue(reduced.b().minus(whole.b()).maxAbs() <= 1e-6 * whole.b().maxAbs(), "B differs by " + reduced.b().minus(whole.b()).maxAbs());
        assertRelative(whole.after(), reduced.after(), 1e-8, "majoriser after the step");
        assertTrue(reduced.after() < reduced.before(), reduced.after() + " vs " + reduced.before());
    }

    /**
     * Both proximal steps of the minibatch schedule separate by rows: solved in shares of rows, as the
     * blocks of a collective epoch solve them, they give the step solved whole, and their shares of the
     * majoriser add up to its value.
     */
    @Test
    void proximalStepsSolvedInSharesOfRowsGiveTheWholeStep() {
        Random random = new Random(22);
        int n = 7;
        int pb = 9;
        int q = 3;
        ProximalProblem problem = ProximalProblem.random(random, n, pb);
        Matrix k = problem.k();
        Matrix a0 = problem.a0();
        Matrix b0 = problem.b0();
        ABStep.Statistics batch = problem.batch();
        ABStep.Proximal ab = new ABStep.Proximal(k, n, problem.lambda(), 0.3);
        ABStep.Result whole = ab.solve(batch, a0, b0, KAPPA, Penalty.NONE, pb - 1, null, 50, null);
        assertTrue(whole.a().infNorm() >= KAPPA - 1e-9, "the ball is active: ||A||_inf " + whole.a().infNorm());
        double after = whole.before();
        for (int[] share : new int[][]{{0, 3}, {3, 4}, {4, n}}) {
            ABStep.Rows rows = ab.solveRows(batch, a0, b0, KAPPA, 50, share[0], share[1]);
            assertTrue(rows.a().minus(whole.a().block(share[0], share[1], 0, n)).maxAbs() <= 1e-12, "A rows " + share[0]);
            assertTrue(rows.b().minus(whole.b().block(share[0], share[1], 0, pb)).maxAbs() <= 1e-12, "B rows " + share[0]);
            after += rows.after();
        }
        assertRelative(whole.after(), after, 1e-12, "the (A,B)-step's majoriser from its rows' shares");

        Matrix c0 = Matrix.gaussian(q, n, 0.5, random);
        Matrix d0 = Matrix.gaussian(q, pb, 0.5, random);
        ReadoutStep.Statistics stats = new ReadoutStep.Statistics(Matrix.gaussian(q, n + pb, 5.0, random), null, null,
                new org.idl.train.MetricSums(12.0, 4, 0, 10, q));
        ReadoutStep.Proximal readout = new ReadoutStep.Proximal(k, Loss.SOFTMAX_CROSS_ENTROPY, 0.01, 0.5);
        ReadoutStep.Result wholeReadout = readout.solve(stats, c0, d0, Penalty.NONE, Penalty.NONE, pb - 1, null, 50, null);
        assertTrue(wholeReadout.after() < wholeReadout.before(), wholeReadout.after() + " vs " + wholeReadout.before());
        // It is the minimiser: grad + c (Theta - Theta0) S + tau (Theta - Theta0) + ridge Theta = 0.
        Matrix theta = Matrix.hstack(wholeReadout.c(), wholeReadout.d());
        Matrix delta = theta.minus(Matrix.hstack(c0, d0));
        Matrix stationarity = stats.gradient().copy().scaleInPlace(1.0 / 10)
                .addInPlace(Loss.SOFTMAX_CROSS_ENTROPY.curvature(), delta.times(k)).addInPlace(0.5, delta)
                .addInPlace(0.01, theta);
        assertTrue(stationarity.maxAbs() <= 1e-12 * Math.max(1, theta.maxAbs()), "stationarity " + stationarity.maxAbs());
        double before = 1.2;
        after = 1.2;
        for (int[] share : new int[][]{{0, 1}, {1, q}}) {
            ReadoutStep.Rows rows = readout.solveRows(stats, c0, d0, share[0], share[1]);
            assertTrue(rows.c().minus(wholeReadout.c().block(share[0], share[1], 0, n)).maxAbs() <= 1e-12, "C rows");
            assertTrue(rows.d().minus(wholeReadout.d().block(share[0], share[1], 0, pb)).maxAbs() <= 1e-12, "D rows");
            before += rows.before();
            after += rows.after();
        }
        assertRelative(wholeReadout.before(), before, 1e-12, "the readout's majoriser before, from its rows' shares");
        assertRelative(wholeReadout.after(), after, 1e-12, "the readout's majoriser after, from its rows' shares");
    }
}
