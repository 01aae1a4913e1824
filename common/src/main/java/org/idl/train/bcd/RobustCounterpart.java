package org.idl.train.bcd;

import org.idl.linalg.Lipschitz;
import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.ImplicitModel;
import org.idl.train.DataBlock;
import org.idl.train.Loss;
import org.idl.train.MetricSums;
import org.idl.train.Summable;
import org.idl.train.gradient.IntervalGradient;
import org.idl.train.gradient.IntervalTraining;

import java.io.Serializable;

/**
 * The robust counterpart (paper section 5.3) of the recipe's driver steps, for inputs known up to the
 * box {@code |u' - u| <= sigma}: each step's objective is (1 - w) times the nominal one plus w times a
 * bound on its worst case over the box.
 *
 * <p><b>The box of the states.</b> (18) holds the states fixed while the inputs move; here they move
 * too, within the interval model's bounds {@code [lo, hi]} of each point (the certificate's own
 * interval fixed point, {@link IntervalGradient#intervalStates}, solved to the training step's
 * tolerance: a training signal, not a proof). With {@code W = [A B]} the
 * pre-activation {@code z' = A x' + B u'} then lies between
 * {@code z_lo = A+ lo - A- hi + B u - |B| sigma} and {@code z_up = A+ hi - A- lo + B u + |B| sigma};
 * the readout's outputs likewise, with {@code [C D]}. Bounding each term of a step's objective at its
 * worst end, as the paper bounds the loss at the end of 5.4:
 * <ul>
 *   <li>(A,B)-step: the divergence's {@code h*(z) - p z} becomes {@code h*(z_up) - p z_lo}, since h* is
 *   nondecreasing when phi >= 0 (ReLU, sigmoid) and p >= 0;</li>
 *   <li>readout: the cross-entropy {@code lse(yhat) - y^T yhat} becomes {@code lse(yhat_up) - y^T yhat_lo}.</li>
 * </ul>
 *
 * <p><b>Convex, and the nominal step again.</b> Split every parameter into positive and negative parts,
 * {@code W~ = [W_s+, W_s-, W_u+, W_u-] >= 0} (s: the states' columns, u: the inputs'). Then
 * {@code z_up = W~ v_up} with {@code v_up = [hi; -lo; u + sigma; sigma - u]}, {@code z_lo = W~ v_lo} with
 * {@code v_lo = [lo; -hi; u - sigma; -u - sigma]}, and the nominal {@code z = W~ v} with
 * {@code v = [x; -x; u; -u]}: linear in W~, so each bound is the nominal step's objective on lifted data,
 * with the same majoriser (curvature {@code (1 - w) v v^T + w v_up v_up^T}, times phi' <= 1 or Bohning's
 * 1/2). The three lifts are fixed linear maps of the base data {@code b = [x; hi; lo; u]} (the bias row
 * of u carries the sigma terms), so a pass sums the residuals' products with b and the Gram blocks of b,
 * and the driver lifts them. A's ball becomes {@code sum_j (A+ + A-)_ij <= kappa} per row, with
 * {@code ||A+ - A-||_inf} below it. Where W+ and W- overlap the bound only grows, so every step still
 * lowers its objective.
 */
public final class RobustCounterpart {
    private RobustCounterpart() {
    }

    /** One round's box: the radius per row of the augmented inputs (0 for the bias) and the weight w. */
    public record Box(double[] sigma, double weight) implements Serializable {
        public Box {
            sigma = sigma.clone();
            if (!(weight > 0 && weight <= 1)) {
                throw new IllegalArgumentException("robust weight must be in (0, 1], got " + weight);
            }
        }

        /** The box of a round after {@code roundsDone} rounds of the ramp, or null while the ramp is at 0. */
        public static Box at(IntervalTraining training, double roundsDone, int inputs, boolean bias) {
            if (training == null) {
                return null;
            }
            double ramp = training.ramp(roundsDone);
            return ramp == 0 ? null : new Box(training.sigma(inputs, bias, ramp), ramp * training.weight());
        }
    }

    /** Refuses the settings this counterpart does not cover, naming them. */
    static void requireSupported(Activation phi, Loss loss, boolean bias) {
        if (!(phi.equals(Activation.RELU) || phi.equals(Activation.SIGMOID))) {
            throw new IllegalArgumentException("robust BCD needs an activation with phi >= 0 (relu or sigmoid), whose"
                    + " h* is nondecreasing; got " + phi);
        }
        if (loss != Loss.SOFTMAX_CROSS_ENTROPY) {
            throw new IllegalArgumentException("robust BCD bounds the softmax cross-entropy; got loss " + loss);
        }
        if (!bias) {
            throw new IllegalArgumentException("robust BCD needs the bias input (bias = true): its row carries the"
                    + " box's shifts in the lifted data");
        }
    }

    /**
     * A step's sums over points: the products {@code R_k b^T} of the three residuals (nominal, upper,
     * lower data) with the base data b, the Gram rows {@code [x; hi; lo] b^T} (U U^T is gathered once),
     * the objective, the count and the nominal metrics. Their size depends on n, p and q alone.
     */
    public record Statistics(Matrix nominal, Matrix upper, Matrix lower, Matrix gram, double objective, long count,
                             MetricSums metrics) implements Serializable, Summable<Statistics> {
        @Override
        public Statistics merge(Statistics o) {
            return new Statistics(nominal.plus(o.nominal), upper.plus(o.upper), lower.plus(o.lower),
                    gram.plus(o.gram), objective + o.objective, count + o.count,
                    metrics == null ? null : metrics.merge(o.metrics));
        }
    }

    /** A block's states and their box: X*, and [hi; lo] of the interval model; with U, the base data b. */
    private record Base(Matrix x, Matrix hi, Matrix lo, Matrix u) {
        static Base of(ImplicitModel model, Matrix x, Matrix u, Box box, double tolerance) {
            int n = model.hidden();
            Matrix s = IntervalGradient.intervalStates(model.a(), model.b(), model.activation(), u, box.sigma(),
                    tolerance);
            return new Base(x, s.block(0, n, 0, s.cols()), s.block(n, 2 * n, 0, s.cols()), u);
        }

        /** {@code W+ hi - W- lo + V u +- |V| sigma} (upper) or {@code W+ lo - W- hi + V u -+ |V| sigma} (lower) for [W V]. */
        Matrix bound(Matrix w, Matrix v, double[] sigma, boolean upper) {
            Matrix[] parts = org.idl.robust.IntervalBounds.parts(w);
            Matrix out = v.times(u);
            Matrix.gemm(1.0, parts[0], false, upper ? hi : lo, false, 1.0, out);
            Matrix.gemm(-1.0, parts[1], false, upper ? lo : hi, false, 1.0, out);
            double[] r = org.idl.robust.IntervalBounds.absTimes(v, sigma);
            double[] od = out.data();
            int rows = out.rows();
            for (int k = 0; k < od.length; k++) {
                od[k] += upper ? r[k % rows] : -r[k % rows];
            }
            return out;
        }

        /** {@code R b^T} for {@code b = [x; hi; lo; u]}, without stacking b (u may be large). */
        Matrix timesBase(Matrix r) {
            return Matrix.hstack(Matrix.hstack(Matrix.hstack(r.timesTransposed(x), r.timesTransposed(hi)),
                    r.timesTransposed(lo)), r.timesTransposed(u));
        }

        Statistics statistics(Matrix r0, Matrix rUp, Matrix rLo, double[] weights, double objective,
                              MetricSums metrics) {
            // The residuals already carry the weights; the Gram rows take them here.
            Matrix states = Matrix.vstack(Matrix.vstack(x, hi), lo);
            Matrix gram = timesBase(weights == null ? states : states.timesColumns(weights));
            return new Statistics(timesBase(r0), timesBase(rUp), timesBase(rLo), gram, objective, x.cols(), metrics);
        }
    }

    /** A state pass's outcome for one block: the P-step's result (the block's new P) and the (A,B)-step's statistics. */
    record StatePass(StepResult p, Statistics ab) {
    }

    /**
     * The (A,B)-step's statistics of a block at X* (the recipe's state pass): the P-step solved with the
     * bound's {@code -p ((1 - w) z + w z_lo)}, then the mixed residuals
     * {@code (1 - w) (phi(z) - p)}, {@code w phi(z_up)} and {@code w p}, times lambda and the weights.
     */
    static StatePass abStatistics(BcdConfig config, ImplicitModel model, DataBlock block, Box box, Matrix z,
                                  Matrix du) {
        Activation phi = config.activation();
        double w = box.weight();
        double[] lambda = config.lambdas();
        Base base = Base.of(model, block.x(), block.u(), box, config.stepTolerance());
        Matrix zUp = base.bound(model.a(), model.b(), box.sigma(), true);
        Matrix zLo = base.bound(model.a(), model.b(), box.sigma(), false);
        Matrix zP = z.copy().scaleInPlace(1 - w).addInPlace(w, zLo);
        StepResult p = PStep.solve(phi, config.loss(), lambda, config.mu(), zP, block.x(), block.y(), model.c(), du,
                block.x(), config.pStepIterations());
        int n = z.rows();
        int m = z.cols();
        Matrix r0 = Matrix.zeros(n, m);
        Matrix rUp = Matrix.zeros(n, m);
        Matrix rLo = Matrix.zeros(n, m);
        double[] zd = z.data();
        double[] ud = zUp.data();
        double[] ld = zLo.data();
        double[] pd = p.value().data();
        double[] weights = block.weights();
        double objective = 0;
        for (int k = 0; k < zd.length; k++) {
            double scale = lambda[k % n] * (weights == null ? 1 : weights[k / n]);
            r0.data()[k] = scale * (1 - w) * (phi.apply(zd[k]) - pd[k]);
            rUp.data()[k] = scale * w * phi.apply(ud[k]);
            rLo.data()[k] = scale * w * pd[k];
            objective += scale * ((1 - w) * org.idl.model.FenchelDivergence.value(phi, pd[k], zd[k])
                    + w * (phi.hStar(ud[k]) + phi.h(pd[k]) - pd[k] * ld[k]));
        }
        return new StatePass(p, base.statistics(r0, rUp, rLo, weights, objective, null));
    }

    /**
     * The readout's statistics of a block at the states X* of the current (A, B): the mixed residuals
     * {@code (1 - w) (softmax(yhat) - y)}, {@code w softmax(yhat_up)} and {@code w y}, times the weights,
     * and the nominal predictions' metrics.
     */
    static Statistics readoutStatistics(BcdConfig config, ImplicitModel model, DataBlock block, Box box) {
        Loss loss = config.loss();
        double w = box.weight();
        Base base = Base.of(model, block.x(), block.u(), box, config.stepTolerance());
        Matrix y = block.y();
        Matrix yhat = model.c().times(block.x());
        Matrix.gemm(1.0, model.d(), false, block.u(), false, 1.0, yhat);
        Matrix yUp = base.bound(model.c(), model.d(), box.sigma(), true);
        Matrix yLo = base.bound(model.c(), model.d(), box.sigma(), false);
        double[] weights = block.weights();
        Matrix r0 = Matrix.zeros(y.rows(), y.cols());
        double nominal = loss.weightedValueAndGradient(y, yhat, r0, weights);
        Matrix rUp = Matrix.zeros(y.rows(), y.cols());
        // lse(yhat_up) - y^T yhat_lo = CE(y, yhat_up) + y^T (yhat_up - yhat_lo); its gradient in yhat_up is
        // softmax(yhat_up) = (CE gradient) + y.
        double atUp = loss.weightedValueAndGradient(y, yUp, rUp, weights);
        Matrix rLo = Matrix.zeros(y.rows(), y.cols());
        double[] yd = y.data();
        double width = 0;
        int q = y.rows();
        for (int k = 0; k < yd.length; k++) {
            double pw = weights == null ? 1 : weights[k / q];
            rUp.data()[k] = w * (rUp.data()[k] + pw * yd[k]);
            rLo.data()[k] = w * pw * yd[k];
            width += pw * yd[k] * (yUp.data()[k] - yLo.data()[k]);
        }
        r0.scaleInPlace(1 - w);
        double objective = (1 - w) * nominal + w * (atUp + width);
        return base.statistics(r0, rUp, rLo, weights, objective, MetricSums.of(nominal, y, yhat));
    }

    /**
     * The map from the base data {@code b = [x; hi; lo; u]} to the lifted data in the order
     * {@code [s+, s-, u+, u-]}: {@code which} 0 is the nominal {@code [x; -x; u; -u]}, 1 the upper
     * {@code [hi; -lo; u + sigma; sigma - u]}, 2 the lower {@code [lo; -hi; u - sigma; -u - sigma]}.
     */
    static Matrix liftMap(int which, int n, double[] sigma) {
        int p = sigma.length;
        int bias = 3 * n + p - 1;
        Matrix map = Matrix.zeros(2 * n + 2 * p, 3 * n + p);
        int plusFrom = which == 0 ? 0 : which == 1 ? n : 2 * n;  // x, hi or lo
        int minusFrom = which == 0 ? 0 : which == 1 ? 2 * n : n; // x, lo or hi
        for (int i = 0; i < n; i++) {
            map.set(i, plusFrom + i, 1);
            map.set(n + i, minusFrom + i, -1);
        }
        double shift = which == 0 ? 0 : which == 1 ? 1 : -1;
        for (int k = 0; k < p; k++) {
            map.set(2 * n + k, 3 * n + k, 1);
            map.set(2 * n + p + k, 3 * n + k, -1);
            map.set(2 * n + k, bias, map.get(2 * n + k, bias) + shift * sigma[k]);
            map.set(2 * n + p + k, bias, map.get(2 * n + p + k, bias) + shift * sigma[k]);
        }
        return map;
    }

    /** The lifted gradient {@code (R b^T) M^T + (R_up b^T) M_up^T - (R_lo b^T) M_lo^T} and curvature, per sample. */
    private record Lifted(Matrix gradient, Matrix curvature) {
        static Lifted of(Statistics s, Matrix uu, int n, Box box) {
            double[] sigma = box.sigma();
            if (sigma[sigma.length - 1] != 0) {
                throw new IllegalArgumentException("the last input row must be the bias, with radius 0");
            }
            if (s.count() <= 0) {
                throw new IllegalArgumentException("a robust step needs statistics over at least one data point, got "
                        + s.count());
            }
            double inv = 1.0 / s.count();
            Sparse[] maps = {Sparse.of(liftMap(0, n, sigma)), Sparse.of(liftMap(1, n, sigma)),
                    Sparse.of(liftMap(2, n, sigma))};
            Matrix g = maps[0].timesTransposed(s.nominal());
            g.addInPlace(1.0, maps[1].timesTransposed(s.upper()));
            g.addInPlace(-1.0, maps[2].timesTransposed(s.lower()));
            g.scaleInPlace(inv);
            int states = 3 * n;
            Matrix gram = Matrix.symmetricBlocks(s.gram().columns(0, states), s.gram().columns(states, s.gram().cols()),
                    uu).scaleInPlace(inv);
            double w = box.weight();
            Matrix k = maps[0].congruence(gram).scaleInPlace(1 - w);
            k.addInPlace(w, maps[1].congruence(gram));
            return new Lifted(g, k);
        }
    }

    /** A lift map's rows as their (at most two) nonzero entries: the products without the dense map. */
    record Sparse(int[][] index, double[][] value, int cols) {
        static Sparse of(Matrix map) {
            int[][] index = new int[map.rows()][];
            double[][] value = new double[map.rows()][];
            for (int r = 0; r < map.rows(); r++) {
                int count = 0;
                for (int c = 0; c < map.cols(); c++) {
                    count += map.get(r, c) != 0 ? 1 : 0;
                }
                index[r] = new int[count];
                value[r] = new double[count];
                for (int c = 0, k = 0; c < map.cols(); c++) {
                    if (map.get(r, c) != 0) {
                        index[r][k] = c;
                        value[r][k++] = map.get(r, c);
                    }
                }
            }
            return new Sparse(index, value, map.cols());
        }

        /** {@code X M^T} for X with a column per base entry. */
        Matrix timesTransposed(Matrix x) {
            Matrix out = Matrix.zeros(x.rows(), index.length);
            for (int r = 0; r < index.length; r++) {
                for (int k = 0; k < index[r].length; k++) {
                    for (int i = 0; i < x.rows(); i++) {
                        out.set(i, r, out.get(i, r) + value[r][k] * x.get(i, index[r][k]));
                    }
                }
            }
            return out;
        }

        /** {@code M G M^T}. */
        Matrix congruence(Matrix gram) {
            int side = index.length;
            Matrix out = Matrix.zeros(side, side);
            for (int b = 0; b < side; b++) {
                for (int a = 0; a < side; a++) {
                    double sum = 0;
                    for (int ka = 0; ka < index[a].length; ka++) {
                        for (int kb = 0; kb < index[b].length; kb++) {
                            sum += value[a][ka] * value[b][kb] * gram.get(index[a][ka], index[b][kb]);
                        }
                    }
                    out.set(a, b, sum);
                }
            }
            return out;
        }
    }

    /** The (A,B)-step under the box, on the driver: a majorise-minimise step over {@code [A+ A- B+ B-] >= 0}. */
    static ABStep.Result solveAB(Statistics s, Matrix uu, Matrix a0, Matrix b0, double[] lambda, double kappa,
                                 int iterations, Box box) {
        int n = a0.rows();
        Lifted lifted = Lifted.of(s, uu, n, box);
        double maxLambda = 0;
        for (double l : lambda) {
            maxLambda = Math.max(maxLambda, l);
        }
        Solved solved = minimise(lifted, Matrix.hstack(a0, b0), n, lambda, maxLambda, 0.0, kappa, iterations,
                s.objective() / s.count());
        return new ABStep.Result(solved.w().columns(0, n), solved.w().columns(n, n + b0.cols()), solved.before(),
                solved.after());
    }

    /**
     * FISTA iterations of the robust readout step: ten times the (A,B)-step's. The nominal readout is
     * solved exactly (Cholesky); this one, over {@code [C+ C- D+ D-] >= 0}, iterates on the covariance of
     * correlated inputs (MNIST's pixels), and an iteration on its q rows costs q/n of one of the
     * (A,B)-step's (a tenth on MNIST).
     */
    static int readoutIterations(int abIterations) {
        return 10 * abIterations;
    }

    /** The readout step under the box, on the driver: Bohning's majoriser with ridge over {@code [C+ C- D+ D-] >= 0}. */
    static ReadoutStep.Result solveReadout(Statistics s, Matrix uu, Matrix c0, Matrix d0, Loss loss, double ridge,
                                           int iterations, Box box) {
        int n = c0.cols();
        Lifted lifted = Lifted.of(s, uu, n, box);
        double[] curvature = new double[c0.rows()];
        java.util.Arrays.fill(curvature, loss.curvature());
        Solved solved = minimise(lifted, Matrix.hstack(c0, d0), n, curvature, loss.curvature(), ridge, Double.NaN,
                iterations, s.objective() / s.count());
        return new ReadoutStep.Result(solved.w().columns(0, n), solved.w().columns(n, n + d0.cols()), solved.before(),
                solved.after());
    }

    private record Solved(Matrix w, double before, double after) {
    }

    /**
     * Minimises {@code atStart + <G, T - T0> + 1/2 tr(Lam (T - T0) K (T - T0)^T) + ridge/2 ||T||^2} (the
     * ridge on all but the bias) over the split {@code T = [W_s+ W_s- W_u+ W_u-] >= 0} of W by FISTA,
     * with, when kappa is a number, each row of {@code [W_s+ W_s-]} in the L1 ball of radius kappa (then
     * {@code ||W_s||_inf <= kappa}).
     *
     * <p>Solved in centred coordinates: the bias's two parts become one free variable
     * {@code beta = (bias+ - bias-) + mu^T T}, mu the lifted data's means (K's bias column), so that the
     * curvature is the covariance C of the lifted data beside the bias's moment (1) for beta. A feature whose radius is many
     * times its spread (a nearly constant pixel, standardised) has lifted data {@code u + sigma}, nearly
     * constant: in K its column is almost the bias's, and FISTA's step 1/L would stall everything else;
     * in C it is its small variation. Every column is then scaled to a unit diagonal of C (the ridge, separable,
     * is applied in the prox), and A's ball
     * is projected in the scaled units ({@link #projectScaledBall}). The constraints do not change: beta
     * was free already.
     */
    private static Solved minimise(Lifted lifted, Matrix w0, int n, double[] rowCurvature, double maxCurvature,
                                   double ridge, double kappa, int iterations, double atStart) {
        Matrix g = lifted.gradient();
        Matrix k = lifted.curvature();
        int side = k.rows();
        int p = (side - 2 * n) / 2;
        int biasPlus = 2 * n + p - 1;
        int biasMinus = side - 1;
        int rows = g.rows();
        // Centred variables: the lifted columns but the bias's two, in order, then beta.
        int free = side - 2;
        int[] column = new int[free];
        for (int j = 0, c = 0; j < side; j++) {
            if (j != biasPlus && j != biasMinus) {
                column[c++] = j;
            }
        }
        // The bias's second moment (1: the weights have mean 1) and the lifted data's means over it.
        double biasMoment = k.get(biasPlus, biasPlus);
        double[] mu = new double[free];
        for (int c = 0; c < free; c++) {
            mu[c] = k.get(column[c], biasPlus) / biasMoment;
        }
        Matrix cov = Matrix.zeros(free + 1, free + 1);
        for (int b = 0; b < free; b++) {
            for (int a = 0; a < free; a++) {
                cov.set(a, b, k.get(column[a], column[b]) - biasMoment * mu[a] * mu[b]);
            }
        }
        cov.set(free, free, biasMoment);
        // Scales to a unit diagonal of the covariance. (The ridge, separable, goes into the prox below, so
        // a column of tiny variance, whose scaled ridge is large, does not shorten FISTA's step.)
        double[] d = new double[free + 1];
        for (int c = 0; c <= free; c++) {
            double v = c == free ? 1 : cov.get(c, c);
            d[c] = !(v > 1e-12) ? 1.0 : Math.sqrt(v);
        }
        Matrix t0 = split(w0, n);
        Matrix gc = Matrix.zeros(rows, free + 1);
        Matrix s0 = Matrix.zeros(rows, free + 1);
        for (int i = 0; i < rows; i++) {
            double gBias = g.get(i, biasPlus);
            double beta = t0.get(i, biasPlus) - t0.get(i, biasMinus);
            for (int c = 0; c < free; c++) {
                gc.set(i, c, (g.get(i, column[c]) - gBias * mu[c]) / d[c]);
                s0.set(i, c, t0.get(i, column[c]) * d[c]);
                beta += mu[c] * t0.get(i, column[c]);
            }
            gc.set(i, free, gBias);
            s0.set(i, free, beta);
        }
        double[] ridgeOf = new double[free + 1];
        for (int b = 0; b <= free; b++) {
            for (int a = 0; a <= free; a++) {
                cov.set(a, b, cov.get(a, b) / (d[a] * d[b]));
            }
            ridgeOf[b] = b == free ? 0 : ridge / (d[b] * d[b]);
        }
        Fista.Problem problem = new Fista.Problem() {
            @Override
            public Matrix gradient(Matrix s) {
                Matrix grad = gc.copy();
                Matrix delta = s.minus(s0).scaleRowsInPlace(rowCurvature);
                Matrix.gemm(1.0, delta, false, cov, false, 1.0, grad);
                return grad;
            }

            @Override
            public void prox(Matrix s, double step) {
                // The prox of ridgeOf/2 s^2 on s >= 0: shrink, then clip.
                for (int i = 0; i < rows; i++) {
                    for (int c = 0; c < free; c++) {
                        s.set(i, c, Math.max(0, s.get(i, c)) / (1 + step * ridgeOf[c]));
                    }
                }
                if (!Double.isNaN(kappa)) {
                    double[] row = new double[2 * n]; // the first 2n are A's split, scaled by d
                    for (int i = 0; i < rows; i++) {
                        for (int c = 0; c < 2 * n; c++) {
                            row[c] = s.get(i, c);
                        }
                        projectScaledBall(row, d, kappa);
                        for (int c = 0; c < 2 * n; c++) {
                            s.set(i, c, row[c]);
                        }
                    }
                }
            }
        };
        Matrix start = s0.copy();
        problem.prox(start, 0);
        double lipschitz = Lipschitz.ofPsd(maxCurvature, cov, 500, 0);
        Matrix s = Fista.minimise(problem, start, lipschitz, iterations);
        double before = atStart + ridgeValue(s0, ridgeOf);
        double atProjectedStart = value(atStart, gc, cov, rowCurvature, s0, start, ridgeOf);
        double after = value(atStart, gc, cov, rowCurvature, s0, s, ridgeOf);
        if (!(after <= atProjectedStart)) { // keep the start should the estimated Lipschitz constant fall short
            s = start;
            after = atProjectedStart;
        }
        // Back to the split: T = s / d off the bias, and the bias from beta - mu^T T.
        Matrix t = Matrix.zeros(rows, side);
        for (int i = 0; i < rows; i++) {
            double bias = s.get(i, free);
            for (int c = 0; c < free; c++) {
                double v = s.get(i, c) / d[c];
                t.set(i, column[c], v);
                bias -= mu[c] * v;
            }
            t.set(i, bias > 0 ? biasPlus : biasMinus, Math.abs(bias));
        }
        return new Solved(merge(t, n), before, after);
    }

    /**
     * Projects {@code v >= 0} onto {@code {s >= 0 : sum_j s_j / d_j <= kappa}} in place: the ball
     * {@code sum_j t_j <= kappa} of the unscaled {@code t = s / d}. The answer is
     * {@code s_j = max(0, v_j - theta / d_j)}, theta found from the entries sorted by {@code v_j d_j}.
     */
    static void projectScaledBall(double[] v, double[] d, double kappa) {
        double total = 0;
        for (int j = 0; j < v.length; j++) {
            total += v[j] / d[j];
        }
        if (total <= kappa) {
            return;
        }
        Integer[] order = new Integer[v.length];
        for (int j = 0; j < v.length; j++) {
            order[j] = j;
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(v[y] * d[y], v[x] * d[x]));
        double av = 0;
        double aa = 0;
        double theta = 0;
        for (int k = 0; k < v.length; k++) {
            int j = order[k];
            av += v[j] / d[j];
            aa += 1 / (d[j] * d[j]);
            theta = (av - kappa) / aa;
            double next = k + 1 < v.length ? v[order[k + 1]] * d[order[k + 1]] : Double.NEGATIVE_INFINITY;
            if (theta >= next) {
                break;
            }
        }
        for (int j = 0; j < v.length; j++) {
            v[j] = Math.max(0, v[j] - theta / d[j]);
        }
    }

    private static double value(double atStart, Matrix g, Matrix k, double[] rowCurvature, Matrix t0, Matrix t,
                                double[] ridgeOf) {
        Matrix delta = t.minus(t0);
        Matrix weighted = delta.copy().scaleRowsInPlace(rowCurvature);
        return atStart + g.dot(delta) + 0.5 * weighted.dot(delta.times(k)) + ridgeValue(t, ridgeOf);
    }

    private static double ridgeValue(Matrix t, double[] ridgeOf) {
        double v = 0;
        for (int j = 0; j < t.cols(); j++) {
            for (int i = 0; i < t.rows(); i++) {
                v += 0.5 * ridgeOf[j] * t.get(i, j) * t.get(i, j);
            }
        }
        return v;
    }

    /** {@code [W_s+ W_s- W_u+ W_u-]} for {@code W = [W_s W_u]} with n state columns. */
    static Matrix split(Matrix w, int n) {
        int p = w.cols() - n;
        Matrix out = Matrix.zeros(w.rows(), 2 * n + 2 * p);
        for (int j = 0; j < w.cols(); j++) {
            int plus = j < n ? j : 2 * n + (j - n);
            int minus = j < n ? n + j : 2 * n + p + (j - n);
            for (int i = 0; i < w.rows(); i++) {
                double v = w.get(i, j);
                out.set(i, v > 0 ? plus : minus, Math.abs(v));
            }
        }
        return out;
    }

    /** W from its split {@link #split}. */
    static Matrix merge(Matrix t, int n) {
        int p = (t.cols() - 2 * n) / 2;
        return Matrix.hstack(t.columns(0, n).minus(t.columns(n, 2 * n)),
                t.columns(2 * n, 2 * n + p).minus(t.columns(2 * n + p, 2 * n + 2 * p)));
    }
}
