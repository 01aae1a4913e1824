package org.idl.train.bcd;

import org.idl.linalg.Checks;
import org.idl.linalg.Lipschitz;
import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.ImplicitModel;
import org.idl.robust.IntervalBounds;
import org.idl.train.Loss;
import org.idl.train.gradient.IntervalTraining;

import java.io.Serializable;

/**
 * The robust counterpart (paper section 5.3, (18)) of the recipe's relaxed steps, for inputs known up
 * to the box {@code |u' - u| <= sigma}: each step's objective is replaced by a bound on its worst case
 * over the box, with the states held fixed (as (18) holds X), mixed with the nominal objective by a
 * weight w.
 *
 * <p><b>The bounds.</b> The divergence term of unit i, {@code g(z; p) = h*(z) - p z} at
 * {@code z = a x + b u'}, has {@code z} within {@code b u +- r}, {@code r = |b| sigma}. Bounding its two
 * terms separately, as the paper bounds the loss at the end of 5.4: {@code h*} is nondecreasing when
 * phi >= 0 (ReLU, sigmoid), so its worst case is at {@code z + r}; {@code -p z} with p >= 0 is worst at
 * {@code z - r}. The (A,B)-step minimises {@code h*(z + r) - p z + p r}. For the readout, the
 * cross-entropy's worst case is bounded by {@code log sum_j exp(yhat_j + |d_j| sigma) - y^T yhat
 * + y^T |D| sigma} (5.4, with no recourse). Both bounds are convex in the parameters but hold |B| and
 * |D| inside; writing {@code B = B+ - B-} with {@code B+, B- >= 0} makes them linear in the split
 * parameters ({@code b u + |b| sigma = b+ (u + sigma) + b- (sigma - u)}), so each step is the nominal
 * step on lifted data {@code v = [s; u + sigma; sigma - u]} with the split block kept >= 0, and the
 * same statistics serve: the lifted gradient and curvature follow from the nominal ones, a per-unit
 * sum {@code gamma}, and the means of the data, which K holds in its bias column. (When B+ and B-
 * overlap, {@code B+ + B- >= |B|}, and the bound only grows: each step still lowers the objective.)
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

        /** {@code |W| sigma} over W's columns {@code [from, from + sigma.length)}: how far the box moves each row. */
        public double[] shift(Matrix w, int from) {
            Checks.shape("parameter block", w, w.rows(), from + sigma.length);
            double[] r = new double[w.rows()];
            for (int k = 0; k < sigma.length; k++) {
                if (sigma[k] != 0) {
                    for (int i = 0; i < r.length; i++) {
                        r[i] += Math.abs(w.get(i, from + k)) * sigma[k];
                    }
                }
            }
            return r;
        }
    }

    /**
     * The readout's box: the states' radius {@code (I - |A|)^-1 |B| sigma} (Perron-Frobenius: no state
     * moves further over the input box), then the inputs'. The readout's bound then covers every pair
     * of state and input the box allows, where (18) would hold the states fixed and leave C unguarded.
     */
    static Box readoutBox(ImplicitModel model, Box box) {
        double[] states = IntervalBounds.stateRadius(model, box.sigma());
        double[] sigma = new double[states.length + box.sigma().length];
        System.arraycopy(states, 0, sigma, 0, states.length);
        System.arraycopy(box.sigma(), 0, sigma, states.length, box.sigma().length);
        return new Box(sigma, box.weight());
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
            throw new IllegalArgumentException("robust BCD needs the bias input (bias = true): the lifted curvature"
                    + " reads the data's means from its row");
        }
    }

    /**
     * The (A,B)-step's per-point terms under the box: writes into {@code residual} the (unweighted by
     * lambda) derivative mix {@code (1 - w) phi(z) + w phi(z + r) - p} and returns this point-unit's
     * divergence mix {@code (1 - w) F(p, z) + w (F(p, z + r) + 2 p r)}; {@code gamma} accumulates
     * {@code w (phi(z + r) + p)} scaled by {@code scale}.
     */
    static double abTerm(Activation phi, double z, double p, double r, double w, double scale, double[] gamma, int unit,
                         double[] residual, int at) {
        double zr = z + r;
        double phiShifted = phi.apply(zr);
        residual[at] = scale * ((1 - w) * phi.apply(z) + w * phiShifted - p);
        gamma[unit] += scale * w * (phiShifted + p);
        return scale * ((1 - w) * org.idl.model.FenchelDivergence.value(phi, p, z)
                + w * (org.idl.model.FenchelDivergence.value(phi, p, zr) + 2 * p * r));
    }

    /**
     * The readout's statistics under its box ({@link #readoutBox}, over {@code theta = [C D]}): the mixed
     * gradient, {@code gamma} and the mixed loss bound; the metrics are the nominal predictions'.
     */
    static ReadoutStep.Statistics readoutStatistics(Loss loss, Matrix s, Matrix u, Matrix y, Matrix yhat,
                                                     double[] weights, boolean withGram, Matrix theta, Box box) {
        double w = box.weight();
        double[] shift = box.shift(theta, 0);
        Matrix shifted = yhat.copy();
        double[] sd = shifted.data();
        int q = y.rows();
        for (int k = 0; k < sd.length; k++) {
            sd[k] += shift[k % q];
        }
        Matrix dl0 = Matrix.zeros(q, y.cols());
        double nominal = loss.weightedValueAndGradient(y, yhat, dl0, weights);
        Matrix dl1 = Matrix.zeros(q, y.cols());
        double atShift = loss.weightedValueAndGradient(y, shifted, dl1, weights);
        // The bound is CE(yhat + |D| sigma) + 2 y^T |D| sigma; its gradient's spread is w sum (softmax + y),
        // and since dl1 = weight (softmax - y), weight (softmax + y) = dl1 + 2 weight y.
        double[] yd = y.data();
        double[] d1 = dl1.data();
        double[] gamma = new double[q];
        double targetShift = 0;
        for (int k = 0; k < yd.length; k++) {
            double pw = weights == null ? 1 : weights[k / q];
            targetShift += pw * yd[k] * shift[k % q];
            gamma[k % q] += w * (d1[k] + 2 * pw * yd[k]);
        }
        Matrix dl = dl0.scaleInPlace(1 - w).addInPlace(w, dl1);
        ReadoutStep.Statistics st = ReadoutStep.statisticsFrom(dl, nominal, s, u, y, yhat, weights, withGram);
        return st.withRobust(gamma, (1 - w) * nominal + w * (atShift + 2 * targetShift));
    }

    /** The robust (A,B)-step on the driver: the nominal step's FISTA over {@code [A B+ B-]}, B's split kept >= 0. */
    static ABStep.Result solveAB(ABStep.Statistics s, Matrix uu, Matrix a0, Matrix b0, double[] lambda, double kappa,
                                 int iterations, Box box) {
        int n = a0.rows();
        Checks.shape("U U^T", uu, b0.cols(), b0.cols());
        requireSpread(s.spread(), n);
        double inv = 1.0 / s.count();
        Matrix k = lift(Matrix.symmetricBlocks(s.xx(), s.xu(), uu).scaleInPlace(inv), n, box);
        Matrix g = liftGradient(s.g().copy().scaleInPlace(inv), s.spread(), inv, n, box.sigma());
        double[] scale = jacobi(k, n);
        precondition(g, k, scale);
        double lipschitz = Lipschitz.ofPsd(ABStep.maxOf(lambda), k, 500, 0);
        Matrix b0Split = split(b0);
        scaleColumns(b0Split, scale, n, true);
        ABStep.Result r = ABStep.minimise(g, s.divergence() * inv, k, lipschitz, 0.0, a0, b0Split, lambda, kappa,
                NON_NEGATIVE, 2 * b0.cols(), null, iterations, null);
        Matrix bSplit = r.b().copy();
        scaleColumns(bSplit, scale, n, false);
        return new ABStep.Result(r.a(), merge(bSplit), r.before(), r.after());
    }

    /**
     * Column scales that equalise the lifted curvature's diagonal over the split block (columns from
     * {@code from}; the others keep scale 1, since A's ball is stated in its own units). A feature
     * whose radius is many times its spread (a nearly constant pixel, standardised) puts
     * {@code sigma^2} on K's diagonal; unscaled, FISTA's step 1/L would then stall every other entry.
     */
    static double[] jacobi(Matrix k, int from) {
        double[] d = new double[k.rows()];
        for (int j = 0; j < d.length; j++) {
            double kjj = k.get(j, j);
            d[j] = j < from || !(kjj > 1e-300) ? 1.0 : Math.sqrt(kjj);
        }
        return d;
    }

    /** In the variables {@code W' = W diag(d)}: the gradient {@code G diag(d)^-1} and curvature {@code diag(d)^-1 K diag(d)^-1}, in place. */
    static void precondition(Matrix g, Matrix k, double[] d) {
        for (int j = 0; j < k.cols(); j++) {
            for (int i = 0; i < g.rows(); i++) {
                g.set(i, j, g.get(i, j) / d[j]);
            }
            for (int i = 0; i < k.rows(); i++) {
                k.set(i, j, k.get(i, j) / (d[i] * d[j]));
            }
        }
    }

    /** Multiplies (or divides) the columns of a split block, which sit at {@code offset} in the lifted order, by their scales. */
    static void scaleColumns(Matrix block, double[] d, int offset, boolean multiply) {
        for (int j = 0; j < block.cols(); j++) {
            double f = multiply ? d[offset + j] : 1.0 / d[offset + j];
            for (int i = 0; i < block.rows(); i++) {
                block.set(i, j, block.get(i, j) * f);
            }
        }
    }

    /**
     * The robust readout step on the driver, under its box ({@link #readoutBox}): FISTA over
     * {@code [C+ D+ C- D-]} with ridge, kept >= 0.
     */
    static ReadoutStep.Result solveReadout(ReadoutStep.Statistics st, Matrix ss, Matrix su, Matrix uu, Matrix c0,
                                           Matrix d0, Loss loss, double ridge, int iterations, Box box) {
        int n = c0.cols();
        int q = c0.rows();
        requireSpread(st.spread(), q);
        double inv = 1.0 / st.metrics().count();
        Matrix s = lift(Matrix.symmetricBlocks(ss, su, uu).scaleInPlace(inv), 0, box);
        Matrix g = liftGradient(st.gradient().copy().scaleInPlace(inv), st.spread(), inv, 0, box.sigma());
        Matrix theta0 = Matrix.hstack(c0, d0);
        // In the scaled split variables T = [Theta+ Theta-] diag(d): the bound's majoriser
        // <G', T - T0> + c/2 tr((T - T0) S' (T - T0)^T) + ridge/2 sum_j (T_j / d_j)^2, with T >= 0.
        double[] d = jacobi(s, 0);
        precondition(g, s, d);
        double[] ridgeOf = new double[d.length];
        double largestRidge = 0;
        for (int j = 0; j < d.length; j++) {
            ridgeOf[j] = ridge / (d[j] * d[j]);
            largestRidge = Math.max(largestRidge, ridgeOf[j]);
        }
        double curvature = loss.curvature();
        Matrix t0 = split(theta0);
        scaleColumns(t0, d, 0, true);
        Fista.Problem problem = new Fista.Problem() {
            @Override
            public Matrix gradient(Matrix t) {
                Matrix grad = g.copy();
                Matrix.gemm(curvature, t.minus(t0), false, s, false, 1.0, grad);
                for (int j = 0; j < t.cols(); j++) {
                    for (int i = 0; i < t.rows(); i++) {
                        grad.set(i, j, grad.get(i, j) + ridgeOf[j] * t.get(i, j));
                    }
                }
                return grad;
            }

            @Override
            public void prox(Matrix t, double step) {
                NON_NEGATIVE.prox(t, step, null);
            }
        };
        double lipschitz = Lipschitz.ofPsd(curvature, s, 500, largestRidge);
        Matrix t = Fista.minimise(problem, t0, lipschitz, iterations);
        double atStart = st.robustLoss() * inv;
        double before = atStart + ridgeValue(t0, ridgeOf);
        Matrix delta = t.minus(t0);
        double after = atStart + g.dot(delta) + 0.5 * curvature * delta.times(s).dot(delta) + ridgeValue(t, ridgeOf);
        if (!(after <= before)) { // keep the start should the estimated Lipschitz constant fall short
            t = t0;
            after = before;
        }
        scaleColumns(t, d, 0, false);
        Matrix theta = merge(t);
        return new ReadoutStep.Result(theta.columns(0, n), theta.columns(n, theta.cols()), before, after);
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

    private static void requireSpread(double[] spread, int rows) {
        if (spread == null || spread.length != rows) {
            throw new IllegalArgumentException("robust step needs statistics gathered under the box (gamma of length "
                    + rows + "), got " + (spread == null ? "nominal statistics" : "length " + spread.length));
        }
    }

    /** {@code [W+ W-]}, the split of W into its positive and negative parts. */
    static Matrix split(Matrix w) {
        int p = w.cols();
        Matrix out = Matrix.zeros(w.rows(), 2 * p);
        for (int j = 0; j < p; j++) {
            for (int i = 0; i < w.rows(); i++) {
                double v = w.get(i, j);
                out.set(i, v > 0 ? j : p + j, Math.abs(v));
            }
        }
        return out;
    }

    /** {@code W+ - W-} from {@code [W+ W-]}. */
    static Matrix merge(Matrix split) {
        int p = split.cols() / 2;
        return split.columns(0, p).minus(split.columns(p, 2 * p));
    }

    /**
     * The lifted gradient {@code [G_s, G_u + gamma sigma^T, -G_u + gamma sigma^T]} for the first
     * {@code free} columns of G (the states') kept whole; gamma is multiplied by {@code scale}.
     */
    static Matrix liftGradient(Matrix g, double[] gamma, double scale, int free, double[] sigma) {
        int p = g.cols() - free;
        Checks.shape("gradient", g, gamma.length, free + sigma.length);
        Matrix out = Matrix.zeros(g.rows(), free + 2 * p);
        out.setBlock(0, 0, g.columns(0, free));
        for (int j = 0; j < p; j++) {
            for (int i = 0; i < g.rows(); i++) {
                double gu = g.get(i, free + j);
                double spread = scale * gamma[i] * sigma[j];
                out.set(i, free + j, gu + spread);
                out.set(i, free + p + j, -gu + spread);
            }
        }
        return out;
    }

    /**
     * The lifted curvature {@code E[v^ v^T] + w (m c^T + c m^T + c c^T)} of the per-sample K over
     * {@code v = [s; u]}: {@code v^ = [s; u; -u]} is the nominal data in split coordinates,
     * {@code c = [0; sigma; sigma]} the box's shift, {@code m = E[v^]}. The means are K's last column,
     * since u's last row (the bias) is 1.
     */
    static Matrix lift(Matrix k, int free, Box box) {
        double[] sigma = box.sigma();
        int p = sigma.length;
        int side = free + 2 * p;
        Checks.shape("K", k, free + p, free + p);
        if (sigma[p - 1] != 0) {
            throw new IllegalArgumentException("the last input row must be the bias, with radius 0");
        }
        int last = free + p - 1;
        int[] from = new int[side];
        double[] sign = new double[side];
        double[] c = new double[side];
        for (int i = 0; i < side; i++) {
            from[i] = i < free ? i : i < free + p ? i : i - p;
            sign[i] = i < free + p ? 1 : -1;
            c[i] = i < free ? 0 : sigma[(i - free) % p];
        }
        double w = box.weight();
        Matrix out = Matrix.zeros(side, side);
        for (int j = 0; j < side; j++) {
            double mj = sign[j] * k.get(from[j], last);
            for (int i = 0; i < side; i++) {
                double mi = sign[i] * k.get(from[i], last);
                out.set(i, j, sign[i] * sign[j] * k.get(from[i], from[j]) + w * (mi * c[j] + c[i] * mj + c[i] * c[j]));
            }
        }
        return out;
    }

    /** Keeps a block >= 0: the split parts' constraint, as a penalty whose prox is the projection. */
    static final Penalty NON_NEGATIVE = new NonNegative();

    record NonNegative() implements Penalty {
        @Override
        public double value(Matrix w, Matrix coupled) {
            return 0; // the iterates are projected, so they never leave the orthant
        }

        @Override
        public void prox(Matrix w, double t, Matrix coupled) {
            double[] d = w.data();
            for (int k = 0; k < d.length; k++) {
                d[k] = Math.max(0, d[k]);
            }
        }
    }
}
