package org.idl.robust;

import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;

/**
 * Sound bounds on an implicit model's states and outputs when every input feature may move within an
 * interval (paper section 5, the box of (16)): for inputs U and radii sigma (one per raw feature), a
 * box [lower, upper] per state and output that holds x*(u') and y(u') for every u' with
 * |u' - u| <= sigma.
 *
 * <p>The interval fixed point. Write A = A+ - A- (the positive and negative parts) and z = B u. If
 * the fixed points for the box lie in [lo, hi], then, phi being nondecreasing,
 * {@code x* = phi(A x* + B u')} lies in
 * {@code [phi(A+ lo - A- hi + z - |B| sigma), phi(A+ hi - A- lo + z + |B| sigma)]}: the map of boxes
 * keeps them containing, and iterating it from a containing box gives a containing box at every step,
 * converged or not. The start: phi is 1-Lipschitz, so |x*| <= |phi(0)| + |A| |x*| + |z| + |B| sigma,
 * hence |x*| <= (I - |A|)^-1 (|phi(0)| + |z| + |B| sigma), finite when rho(|A|) < 1 (the Perron-Frobenius
 * certificate, or a triangular A); it is intersected with the cheaper box of {@link #perronFrobenius},
 * so the result is never looser than that one. Every activation this project offers qualifies:
 * ReLU, leaky ReLU (slope in (0, 1)), tanh and the sigmoid are nondecreasing and 1-Lipschitz. The
 * map contracts when ||A||_inf < 1, so the iteration converges; the bound it converges to is sound
 * but not exact (intervals lose the correlation between states).
 */
public final class IntervalBounds {
    /** Iterations of the interval map at most; the result is sound after any number of them. */
    static final int MAX_ITERATIONS = 2000;
    /** Stop once no bound moves by more than this times the largest bound. */
    static final double TOLERANCE = 1e-10;

    private IntervalBounds() {
    }

    /** Lower and upper bounds, entry by entry, of the same shape. */
    public record Box(Matrix lower, Matrix upper) {
        /** The largest width upper - lower. */
        public double maxWidth() {
            double w = 0;
            double[] lo = lower.data();
            double[] hi = upper.data();
            for (int i = 0; i < lo.length; i++) {
                w = Math.max(w, hi[i] - lo[i]);
            }
            return w;
        }
    }

    /** The states' and outputs' boxes, and the iterations the interval map took. */
    public record Result(Box states, Box outputs, int iterations) {
    }

    /** The interval fixed point's bounds for raw inputs U (p x m) and radii sigma (length p, >= 0). */
    public static Result of(ImplicitModel model, Matrix u, double[] sigma) {
        Matrix ua = model.augment(u);
        double[] s = augmentedSigma(model, sigma);
        Matrix z = model.b().times(ua);
        double[] r = absTimes(model.b(), s);
        Box start = perronFrobeniusStates(model, ua, z, r);
        Matrix lo = start.lower().copy();
        Matrix hi = start.upper().copy();
        Matrix[] parts = parts(model.a());
        int n = model.hidden();
        int it = 0;
        for (; it < MAX_ITERATIONS; it++) {
            Matrix nextHi = parts[0].times(hi).minus(parts[1].times(lo));
            Matrix nextLo = parts[0].times(lo).minus(parts[1].times(hi));
            double[] nh = nextHi.data();
            double[] nl = nextLo.data();
            double[] zd = z.data();
            double moved = 0;
            double scale = 0;
            for (int k = 0; k < nh.length; k++) {
                int i = k % n;
                double up = Math.min(hi.data()[k], model.activation().apply(nh[k] + zd[k] + r[i]));
                double down = Math.max(lo.data()[k], model.activation().apply(nl[k] + zd[k] - r[i]));
                moved = Math.max(moved, Math.max(hi.data()[k] - up, down - lo.data()[k]));
                scale = Math.max(scale, Math.max(Math.abs(up), Math.abs(down)));
                nh[k] = up;
                nl[k] = down;
            }
            hi = nextHi;
            lo = nextLo;
            if (moved <= TOLERANCE * Math.max(1, scale)) {
                it++;
                break;
            }
        }
        Box states = new Box(lo, hi);
        return new Result(states, outputs(model, ua, s, states), it);
    }

    /**
     * The cheaper bound: phi is 1-Lipschitz, so |x*(u') - x*(u)| <= |A| |x*(u') - x*(u)| + |B| sigma,
     * hence within delta = (I - |A|)^-1 |B| sigma of the fixed point at u (rho(|A|) < 1).
     */
    public static Result perronFrobenius(ImplicitModel model, Matrix u, double[] sigma) {
        Matrix ua = model.augment(u);
        double[] s = augmentedSigma(model, sigma);
        Matrix z = model.b().times(ua);
        Box states = perronFrobeniusStates(model, ua, z, absTimes(model.b(), s));
        return new Result(states, outputs(model, ua, s, states), 0);
    }

    /**
     * Per column, whether the prediction cannot change within the box: the lower bound of the predicted
     * class's margin over every other class, {@code (c_k - c_j) x + (d_k - d_j) u'}, is positive.
     */
    public static boolean[] certified(ImplicitModel model, Matrix u, double[] sigma, Result bounds) {
        Matrix ua = model.augment(u);
        double[] s = augmentedSigma(model, sigma);
        Matrix y = model.predict(u);
        Matrix lo = bounds.states().lower();
        Matrix hi = bounds.states().upper();
        Matrix c = model.c();
        Matrix d = model.d();
        int q = model.outputs();
        boolean[] out = new boolean[u.cols()];
        for (int col = 0; col < u.cols(); col++) {
            int k = y.argmaxInColumn(col);
            boolean sure = q > 1;
            for (int j = 0; j < q && sure; j++) {
                if (j == k) {
                    continue;
                }
                double margin = 0;
                for (int i = 0; i < c.cols(); i++) {
                    double w = c.get(k, i) - c.get(j, i);
                    margin += w > 0 ? w * lo.get(i, col) : w * hi.get(i, col);
                }
                for (int i = 0; i < d.cols(); i++) {
                    double v = d.get(k, i) - d.get(j, i);
                    margin += v * ua.get(i, col) - Math.abs(v) * s[i];
                }
                sure = margin > 0;
            }
            out[col] = sure;
        }
        return out;
    }

    private static Box perronFrobeniusStates(ImplicitModel model, Matrix ua, Matrix z, double[] r) {
        Matrix absA = abs(model.a());
        int n = model.hidden();
        int m = ua.cols();
        // delta = (I - |A|)^-1 r, and per column the a priori bound (I - |A|)^-1 (|z| + r + |phi(0)|) on |x*|.
        Matrix x = model.solver(1e-12).solve(z, null).states();
        double[] delta = neumann(absA, Matrix.wrap(n, 1, r.clone())).data();
        Matrix rhs = Matrix.zeros(n, m);
        double offset = Math.abs(model.activation().apply(0)); // |phi(w)| <= |phi(0)| + |w|: 1/2 for the sigmoid
        for (int k = 0; k < rhs.data().length; k++) {
            rhs.data()[k] = Math.abs(z.data()[k]) + r[k % n] + offset;
        }
        Matrix bound = neumann(absA, rhs);
        Matrix lo = Matrix.zeros(n, m);
        Matrix hi = Matrix.zeros(n, m);
        for (int k = 0; k < lo.data().length; k++) {
            int i = k % n;
            double xk = x.data()[k];
            // x is the fixed point at u to a relative 1e-12: pad by more than that.
            double pad = delta[i] + 1e-9 * (1 + Math.abs(xk));
            lo.data()[k] = Math.max(-bound.data()[k], xk - pad);
            hi.data()[k] = Math.min(bound.data()[k], xk + pad);
        }
        return new Box(lo, hi);
    }

    /**
     * {@code (I - M)^-1 V} for M >= 0 with rho(M) < 1 and V >= 0, all columns at once, by the series
     * V + M V + M^2 V + ..., rounded up by a relative 1e-9 so that stopping the series early keeps the
     * bound above the true value.
     */
    static Matrix neumann(Matrix m, Matrix v) {
        Matrix sum = v.copy();
        Matrix term = v.copy();
        double[] s = sum.data();
        for (int it = 0; it < 100_000; it++) {
            term = m.times(term);
            double[] t = term.data();
            // Each entry's own tail, not the largest entry's, decides: a small bound must stay a bound.
            boolean converged = true;
            boolean finite = true;
            for (int k = 0; k < s.length; k++) {
                s[k] += t[k];
                converged &= t[k] <= 1e-15 * s[k];
                finite &= Double.isFinite(s[k]);
            }
            if (converged) {
                break;
            }
            if (it == 99_999 || !finite) {
                throw new IllegalArgumentException("the bound needs rho(|A|) < 1, and the series for (I - |A|)^-1 does"
                        + " not converge");
            }
        }
        for (int k = 0; k < s.length; k++) {
            s[k] *= 1 + 1e-9;
        }
        return sum;
    }

    private static Box outputs(ImplicitModel model, Matrix ua, double[] s, Box states) {
        Matrix[] c = parts(model.c());
        Matrix du = model.d().times(ua);
        double[] rd = absTimes(model.d(), s);
        Matrix hi = c[0].times(states.upper()).minus(c[1].times(states.lower())).plus(du);
        Matrix lo = c[0].times(states.lower()).minus(c[1].times(states.upper())).plus(du);
        int q = model.outputs();
        for (int k = 0; k < hi.data().length; k++) {
            hi.data()[k] += rd[k % q];
            lo.data()[k] -= rd[k % q];
        }
        return new Box(lo, hi);
    }

    private static double[] augmentedSigma(ImplicitModel model, double[] sigma) {
        if (sigma.length != model.inputs()) {
            throw new IllegalArgumentException(sigma.length + " radii for " + model.inputs() + " inputs");
        }
        double[] s = java.util.Arrays.copyOf(sigma, model.inputs() + (model.bias() ? 1 : 0));
        for (double v : sigma) {
            if (!(v >= 0) || !Double.isFinite(v)) {
                throw new IllegalArgumentException("an interval radius must be finite and >= 0, got " + v);
            }
        }
        return s; // the bias input does not move
    }

    /** |M| sigma. */
    public static double[] absTimes(Matrix m, double[] sigma) {
        double[] out = new double[m.rows()];
        for (int i = 0; i < m.rows(); i++) {
            for (int j = 0; j < m.cols(); j++) {
                out[i] += Math.abs(m.get(i, j)) * sigma[j];
            }
        }
        return out;
    }

    private static Matrix abs(Matrix m) {
        Matrix out = m.copy();
        double[] d = out.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.abs(d[i]);
        }
        return out;
    }

    /** {M+, M-}: M = M+ - M-, both >= 0. */
    public static Matrix[] parts(Matrix m) {
        Matrix plus = m.copy();
        Matrix minus = m.copy();
        double[] p = plus.data();
        double[] n = minus.data();
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.max(p[i], 0);
            n[i] = Math.max(-n[i], 0);
        }
        return new Matrix[]{plus, minus};
    }
}
