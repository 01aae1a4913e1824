package org.idl.train.bcd;

import org.idl.linalg.Checks;
import org.idl.linalg.Lipschitz;
import org.idl.linalg.Matrix;
import org.idl.linalg.SymmetricSolver;
import org.idl.model.SparsityPattern;
import org.idl.train.Loss;
import org.idl.train.MetricSums;
import org.idl.train.Summable;

import java.io.Serializable;

/**
 * The (C,D)-step (12): a regression of Y on {@code H = [S; U]}, where S is the true state X* (the
 * recipe) or P (the paper's schedule). One majorise-minimise step from the Gram statistics: with
 * {@code Theta = [C D]} and the loss's curvature bound c (1 for squared, whose step is then the exact
 * ridge solution; 1/2 for softmax cross-entropy, Bohning's bound), minimise
 * {@code <grad, Theta - Theta0> + c/2 tr((Theta - Theta0) S (Theta - Theta0)^T) + ridge/2 ||Theta||^2 + Pen}
 * with {@code S = H H^T / m}: by Cholesky without a penalty, by FISTA with one. With a
 * {@link SparsityPattern}, over the C and D that keep its zeros.
 */
public final class ReadoutStep {
    private ReadoutStep() {
    }

    /**
     * Sums over a block: {@code grad = dL/dYhat H^T}, the Gram blocks {@code S S^T} and {@code S U^T}
     * (null when the caller already has them), and the metrics at the current readout.
     */
    public record Statistics(Matrix gradient, Matrix ss, Matrix su, MetricSums metrics)
            implements Serializable, Summable<Statistics> {
        @Override
        public Statistics merge(Statistics o) {
            return new Statistics(gradient.plus(o.gradient), ss == null ? null : ss.plus(o.ss),
                    su == null ? null : su.plus(o.su), metrics.merge(o.metrics));
        }
    }

    /** The new readout and the step's objective (per sample, with ridge and penalty) before and a bound after. */
    public record Result(Matrix c, Matrix d, double before, double after) {
    }

    public static Statistics statistics(Loss loss, Matrix s, Matrix u, Matrix y, Matrix c, Matrix d, boolean withGram) {
        return statistics(loss, s, u, y, c, d, null, withGram);
    }

    /** As above, each point's terms (loss, gradient, Gram blocks) multiplied by its weight; null: 1 each. */
    public static Statistics statistics(Loss loss, Matrix s, Matrix u, Matrix y, Matrix c, Matrix d, double[] weights,
                                        boolean withGram) {
        Checks.sameCols("S", s, "U", u);
        Checks.sameCols("Y", y, "S", s);
        Checks.shape("C", c, y.rows(), s.rows());
        Checks.shape("D", d, y.rows(), u.rows());
        Matrix yhat = Matrix.zeros(y.rows(), y.cols());
        Matrix.gemm(1.0, c, false, s, false, 0.0, yhat);
        Matrix.gemm(1.0, d, false, u, false, 1.0, yhat);
        return statisticsAt(loss, s, u, y, yhat, weights, withGram);
    }

    /** As {@link #statistics}, with the predictions {@code yhat = C S + D U} already at hand. */
    public static Statistics statisticsAt(Loss loss, Matrix s, Matrix u, Matrix y, Matrix yhat, boolean withGram) {
        return statisticsAt(loss, s, u, y, yhat, null, withGram);
    }

    /** As above, weighted ({@code weights} null: 1 each). */
    public static Statistics statisticsAt(Loss loss, Matrix s, Matrix u, Matrix y, Matrix yhat, double[] weights,
                                          boolean withGram) {
        Checks.sameShape("Yhat", yhat, "Y", y);
        Matrix dl = Matrix.zeros(y.rows(), y.cols());
        double value = loss.weightedValueAndGradient(y, yhat, dl, weights);
        Matrix grad = Matrix.hstack(dl.timesTransposed(s), dl.timesTransposed(u));
        MetricSums metrics = MetricSums.of(value, y, yhat);
        Matrix ss = null;
        Matrix su = null;
        if (withGram) {
            // S diag(w) S^T and S diag(w) U^T.
            Matrix sw = weights == null ? s : s.timesColumns(weights);
            ss = weights == null ? s.gram() : sw.timesTransposed(s);
            su = sw.timesTransposed(u);
        }
        return new Statistics(grad, ss, su, metrics);
    }

    /**
     * @param ss, su            Gram blocks of S summed over all data
     * @param uu                {@code U U^T} summed over all data
     * @param penaltyC          penalty on C
     * @param penaltyD          penalty on D's first {@code penalisedColumns} columns, coupled with {@code coupled}
     */
    public static Result solve(Statistics st, Matrix ss, Matrix su, Matrix uu, Matrix c0, Matrix d0, Loss loss,
                               double ridge, Penalty penaltyC, Penalty penaltyD, int penalisedColumns, Matrix coupled,
                               int fistaIterations) {
        return solve(st, ss, su, uu, c0, d0, loss, ridge, penaltyC, penaltyD, penalisedColumns, coupled,
                fistaIterations, null);
    }

    /**
     * As above, over the C and D with a fixed zero pattern ({@code structure}, or null for none):
     * without a penalty, each output's row is solved exactly on its free entries; with one, FISTA's
     * prox zeroes the entries outside the pattern before the penalties' proximal maps.
     */
    public static Result solve(Statistics st, Matrix ss, Matrix su, Matrix uu, Matrix c0, Matrix d0, Loss loss,
                               double ridge, Penalty penaltyC, Penalty penaltyD, int penalisedColumns, Matrix coupled,
                               int fistaIterations, SparsityPattern structure) {
        return solve(st, ss, su, uu, c0, d0, loss, ridge, penaltyC, penaltyD, penalisedColumns, coupled,
                fistaIterations, structure, 1.0);
    }

    /** As above, with FISTA's estimated Lipschitz constant multiplied by {@code lipschitzScale} (tests: a step too long). */
    static Result solve(Statistics st, Matrix ss, Matrix su, Matrix uu, Matrix c0, Matrix d0, Loss loss,
                        double ridge, Penalty penaltyC, Penalty penaltyD, int penalisedColumns, Matrix coupled,
                        int fistaIterations, SparsityPattern structure, double lipschitzScale) {
        long m = requireCount(st);
        double inv = 1.0 / m;
        Matrix s = Matrix.symmetricBlocks(ss, su, uu).scaleInPlace(inv);
        return minimise(st.gradient.copy().scaleInPlace(inv), st.metrics.loss() * inv, s, Double.NaN, 0.0, c0, d0,
                loss, ridge, penaltyC, penaltyD, penalisedColumns, coupled, fistaIterations, structure, lipschitzScale);
    }

    /**
     * The proximal readout step of the mini-batch schedule, for one epoch: the gradient and loss from
     * each batch, the Gram matrix S from the states of the epoch's sample at its start, and
     * the damping {@code tau/2 ||Theta - Theta0||^2}. Without a penalty or pattern, the system
     * {@code c S + (ridge + tau) I} is the same for every batch of the epoch and is inverted once (well
     * conditioned with the shipped ridge and tau; a factorisation would be the safer choice with both
     * near 0).
     */
    public static final class Proximal {
        private final Matrix s;
        private final Loss loss;
        private final double ridge;
        private final double tau;
        private double sEigenvalue = Double.NaN;
        /** The closed form's system matrix inverted once: each batch's readout is then one matrix product. */
        private Matrix systemInverse;

        /** @param s {@code H H^T / m_S} of the epoch's sample of points, H = [X*; U] (per point) */
        public Proximal(Matrix s, Loss loss, double ridge, double tau) {
            Checks.nonNegative("tau", tau);
            Checks.nonNegative("ridge", ridge);
            Checks.square("S", s);
            this.s = s;
            this.loss = loss;
            this.ridge = ridge;
            this.tau = tau;
        }

        public Result solve(Statistics batch, Matrix c0, Matrix d0, Penalty penaltyC, Penalty penaltyD,
                            int penalisedColumns, Matrix coupled, int fistaIterations, SparsityPattern structure) {
            long m = requireCount(batch);
            double lossAtStart = batch.metrics.loss() / m;
            if (!splitsByRows(penaltyC, penaltyD, structure)) {
                boolean penalised = penaltyC != Penalty.NONE || penaltyD != Penalty.NONE;
                if (penalised && Double.isNaN(sEigenvalue)) {
                    sEigenvalue = Lipschitz.ofPsd(1.0, s, 500, 0);
                }
                return minimise(batch.gradient.copy().scaleInPlace(1.0 / m), lossAtStart, s, sEigenvalue, tau, c0, d0,
                        loss, ridge, penaltyC, penaltyD, penalisedColumns, coupled, fistaIterations, structure, 1.0);
            }
            Rows rows = solveRows(batch, c0, d0, 0, c0.rows());
            return new Result(rows.c(), rows.d(), lossAtStart + rows.before(), lossAtStart + rows.after());
        }

        /** Whether the step has the closed form, which separates by rows of [C D] ({@link #solveRows}). */
        public boolean splitsByRows(Penalty penaltyC, Penalty penaltyD, SparsityPattern structure) {
            return penaltyC == Penalty.NONE && penaltyD == Penalty.NONE
                    && (structure == null || !structure.constrainsReadout());
        }

        /**
         * Rows {@code [from, to)} of the new C and D by the closed form, each row kept at its start should
         * the solve not lower its part of the majoriser (rounding only: the closed form is the minimiser),
         * with the rows' shares of the majoriser before and after (less the loss at the start, which the
         * values of the whole step add once). A row's result does not depend on the other rows.
         */
        public Rows solveRows(Statistics batch, Matrix c0, Matrix d0, int from, int to) {
            long m = requireCount(batch);
            if (systemInverse == null) {
                systemInverse = new SymmetricSolver(systemMatrix(s, loss.curvature(), ridge + tau)).inverse();
            }
            int n = c0.cols();
            int side = s.rows();
            int rows = to - from;
            Matrix theta0 = Matrix.hstack(c0, d0).block(from, to, 0, side);
            Matrix grad = batch.gradient.block(from, to, 0, side).scaleInPlace(1.0 / m);
            // The closed form Theta M = c Theta0 S + tau Theta0 - grad, with M = c S + (ridge + tau) I, is
            // Theta = Theta0 - R M^-1 with R = ridge Theta0 + grad: one product with M^-1 (6 MB at n = 100,
            // p = 784), and c delta S = delta M - (ridge + tau) delta = -R - (ridge + tau) delta needs none.
            Matrix r = grad.copy().addInPlace(ridge, theta0);
            Matrix delta = r.times(systemInverse).scaleInPlace(-1.0);
            Matrix theta = theta0.plus(delta);
            Matrix cDeltaS = r.scaleInPlace(-1.0).addInPlace(-(ridge + tau), delta);
            double before = 0;
            double after = 0;
            for (int i = 0; i < rows; i++) {
                double rowBefore = 0;
                double rowAfter = 0;
                for (int j = 0; j < side; j++) {
                    double t0 = theta0.get(i, j);
                    double t = theta.get(i, j);
                    double d = delta.get(i, j);
                    rowBefore += 0.5 * ridge * t0 * t0;
                    rowAfter += grad.get(i, j) * d + 0.5 * d * cDeltaS.get(i, j) + 0.5 * tau * d * d
                            + 0.5 * ridge * t * t;
                }
                if (!(rowAfter <= rowBefore)) {
                    for (int j = 0; j < side; j++) {
                        theta.set(i, j, theta0.get(i, j));
                    }
                    rowAfter = rowBefore;
                }
                before += rowBefore;
                after += rowAfter;
            }
            return new Rows(theta.columns(0, n), theta.columns(n, side), before, after);
        }
    }

    /** Rows of a proximal readout step's C and D, and their shares of its majoriser before and after, less the loss at the start. */
    public record Rows(Matrix c, Matrix d, double before, double after) {
    }

    /** {@code c S + shift I}. */
    private static Matrix systemMatrix(Matrix s, double curvature, double shift) {
        Matrix system = s.copy().scaleInPlace(curvature);
        for (int i = 0; i < system.rows(); i++) {
            system.set(i, i, system.get(i, i) + shift);
        }
        return system;
    }

    /** {@code c Theta0 S + tau Theta0 - grad}. */
    private static Matrix rightHandSide(Matrix theta0, Matrix s, double curvature, double tau, Matrix grad) {
        Matrix rhs = theta0.times(s).scaleInPlace(curvature).addInPlace(-1.0, grad);
        if (tau > 0) {
            rhs.addInPlace(tau, theta0);
        }
        return rhs;
    }

    private static long requireCount(Statistics st) {
        long m = st.metrics.count();
        if (m <= 0) {
            throw new IllegalArgumentException("the readout step needs statistics over at least one data point, got " + m);
        }
        return m;
    }

    /**
     * Minimises {@code L(Theta0) + <grad, Delta> + c/2 tr(Delta S Delta^T) + tau/2 ||Delta||^2
     * + ridge/2 ||Theta||^2 + Pen}, {@code Delta = Theta - Theta0}; grad, S and the loss per sample.
     * {@code sEigenvalue} may be NaN: then estimated here when FISTA needs it.
     */
    private static Result minimise(Matrix grad, double lossAtStart, Matrix s, double sEigenvalue, double tau, Matrix c0,
                                   Matrix d0, Loss loss, double ridge, Penalty penaltyC, Penalty penaltyD,
                                   int penalisedColumns, Matrix coupled, int fistaIterations, SparsityPattern structure,
                                   double lipschitzScale) {
        int n = c0.cols();
        int pb = d0.cols();
        int q = c0.rows();
        Checks.nonNegative("ridge", ridge);
        Checks.shape("gradient", grad, q, n + pb);
        Checks.shape("S", s, n + pb, n + pb);
        Matrix theta0 = Matrix.hstack(c0, d0);
        double curvature = loss.curvature();
        Matrix theta;
        boolean penalised = penaltyC != Penalty.NONE || penaltyD != Penalty.NONE;
        if (!penalised) {
            // grad + c (Theta - Theta0) S + tau (Theta - Theta0) + ridge Theta = 0
            //   <=>  Theta (c S + (ridge + tau) I) = c Theta0 S + tau Theta0 - grad.
            Matrix system = systemMatrix(s, curvature, ridge + tau);
            Matrix rhs = rightHandSide(theta0, s, curvature, tau, grad);
            theta = structure == null || !structure.constrainsReadout()
                    ? new SymmetricSolver(system).solveRight(rhs)
                    : solveRowsOnPattern(system, rhs, structure, n);
        } else {
            double lipschitz = (Double.isNaN(sEigenvalue) ? Lipschitz.ofPsd(curvature, s, 500, ridge + tau)
                    : curvature * sEigenvalue + ridge + tau) * lipschitzScale;
            Fista.Problem problem = new Fista.Problem() {
                @Override
                public Matrix gradient(Matrix t) {
                    Matrix g = grad.copy().addInPlace(ridge, t);
                    Matrix delta = t.minus(theta0);
                    Matrix.gemm(curvature, delta, false, s, false, 1.0, g);
                    if (tau > 0) {
                        g.addInPlace(tau, delta);
                    }
                    return g;
                }

                @Override
                public void prox(Matrix t, double step) {
                    if (structure != null) {
                        structure.maskCD(t, n);
                    }
                    penaltyC.proxColumns(t, step, 0, n, null);
                    penaltyD.proxColumns(t, step, n, penalisedColumns, coupled);
                }
            };
            theta = Fista.minimise(problem, theta0, lipschitz, fistaIterations);
        }
        return result(theta, theta0, grad, lossAtStart, s, curvature, tau, ridge, penaltyC, penaltyD, penalisedColumns,
                coupled, n);
    }

    /** The step's Result: its objective before and the majoriser after, keeping the start if the solve went uphill. */
    private static Result result(Matrix theta, Matrix theta0, Matrix grad, double lossAtStart, Matrix s, double curvature,
                                 double tau, double ridge, Penalty penaltyC, Penalty penaltyD, int penalisedColumns,
                                 Matrix coupled, int n) {
        int pb = theta0.cols() - n;
        double before = lossAtStart + 0.5 * ridge * theta0.frobeniusSquared()
                + penalty(penaltyC, penaltyD, penalisedColumns, coupled, theta0, n);
        Matrix delta = theta.minus(theta0);
        double after = lossAtStart + grad.dot(delta) + 0.5 * curvature * delta.times(s).dot(delta)
                + 0.5 * tau * delta.frobeniusSquared()
                + 0.5 * ridge * theta.frobeniusSquared() + penalty(penaltyC, penaltyD, penalisedColumns, coupled, theta, n);
        // Keep the better of the start and the solve: FISTA's Lipschitz constant comes from power iteration,
        // and should it fall short, the solve can end above the start (the majoriser there is `before`).
        if (!(after <= before)) {
            theta = theta0;
            after = before;
        }
        return new Result(theta.columns(0, n), theta.columns(n, n + pb), before, after);
    }

    /**
     * {@code Theta system = rhs} with Theta's entries outside the pattern held at zero: row by row,
     * the system restricted to the row's free entries (the stationarity conditions in those entries).
     */
    private static Matrix solveRowsOnPattern(Matrix system, Matrix rhs, SparsityPattern structure, int n) {
        int q = rhs.rows();
        int k = rhs.cols();
        Matrix theta = Matrix.zeros(q, k);
        for (int i = 0; i < q; i++) {
            int[] free = new int[k];
            int f = 0;
            for (int j = 0; j < k; j++) {
                if (structure.readoutFree(i, j, n)) {
                    free[f++] = j;
                }
            }
            if (f == 0) {
                continue;
            }
            Matrix sub = Matrix.zeros(f, f);
            Matrix r = Matrix.zeros(1, f);
            for (int a = 0; a < f; a++) {
                r.set(0, a, rhs.get(i, free[a]));
                for (int b = 0; b < f; b++) {
                    sub.set(a, b, system.get(free[a], free[b]));
                }
            }
            Matrix row = new SymmetricSolver(sub).solveRight(r);
            for (int a = 0; a < f; a++) {
                theta.set(i, free[a], row.get(0, a));
            }
        }
        return theta;
    }

    private static double penalty(Penalty penaltyC, Penalty penaltyD, int penalisedColumns, Matrix coupled,
                                  Matrix theta, int n) {
        return penaltyC.value(theta.columns(0, n), null)
                + penaltyD.value(theta.block(0, theta.rows(), n, n + penalisedColumns), coupled);
    }
}
