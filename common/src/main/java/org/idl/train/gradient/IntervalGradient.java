package org.idl.train.gradient;

import org.idl.linalg.Checks;
import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.FixedPointSolver;
import org.idl.robust.IntervalBounds;

/**
 * The gradient of a sound bound on the worst-case cross-entropy over an input box (paper section 5),
 * for interval-bound training.
 *
 * <p><b>The interval model is itself an implicit model.</b> Over the box {@code |u' - u| <= sigma}, the
 * states lie in [lo, hi], the fixed point of
 * {@code hi = phi(A+ hi - A- lo + B u + |B| sigma)}, {@code lo = phi(A+ lo - A- hi + B u - |B| sigma)}
 * ({@link org.idl.robust.IntervalBounds} says why it is sound). Stacked, s = [hi; lo] solves
 * {@code s = phi(Abar s + [Bu + r; Bu - r])} with {@code Abar = [A+ -A-; -A- A+]} and r = |B| sigma, and
 * {@code ||Abar||_inf = ||A||_inf < 1}: the same Picard solver and the same adjoint apply, certified
 * by the same bound.
 *
 * <p><b>The worst-case logits</b> (for a point of class t): for every other class j, the upper bound of
 * the margin {@code yhat_j - yhat_t = w x + e u'} over the box, with w = c_j - c_t and e = d_j - d_t, is
 * {@code zhat_j = w+ hi - w- lo + e u + |e| sigma}; {@code zhat_t = 0}. Bounding the margins, not each
 * output, keeps the correlation between the two rows. The loss is the cross-entropy of zhat for class t,
 * {@code logsumexp(zhat)}, which bounds the cross-entropy of every input in the box from above (the
 * elision of Gowal et al. 2018's interval bound propagation); when it is below log 2 the point is
 * certified.
 *
 * <p><b>The gradient.</b> With {@code g = softmax(zhat) - e_t}: {@code dL/dhi = sum_j g_j w_j+},
 * {@code dL/dlo = -sum_j g_j w_j-}; {@code dL/dc_j = g_j s_j} and {@code dL/dc_t = -sum_j g_j s_j} with
 * {@code s_j = hi where w_j > 0, lo elsewhere}; likewise D with {@code u + sign(e) sigma}. The adjoint
 * V = [Vh; Vl] of the stacked model gives {@code dL/dAbar = V s^T}, hence
 * {@code dL/dA = [A > 0] (Vh hi^T + Vl lo^T) + [A < 0] (Vh lo^T + Vl hi^T)} and
 * {@code dL/dB = (Vh + Vl) u^T + sign(B) ⊙ (Vh - Vl) 1 sigma^T}. (At an entry A_ij = 0 the one-sided
 * derivative towards A_ij > 0 is taken; at B_ij = 0 the subgradient 0 of |B_ij|.)
 */
public final class IntervalGradient {
    private IntervalGradient() {
    }

    /** Gradients of the summed bound (not averaged), the bound's sum, and how many points it certifies. */
    public record Result(Matrix da, Matrix db, Matrix dc, Matrix dd, double loss, int certified,
                         int forwardIterations, int adjointIterations) {
    }

    /**
     * @param u     augmented inputs (with the bias row when the model has one), columns are points
     * @param y     one-hot labels, q x m
     * @param sigma the box's radius per row of u (0 for the bias row), >= 0
     */
    public static Result compute(Matrix a, Matrix b, Matrix c, Matrix d, Activation phi, Matrix u, Matrix y,
                                 double[] sigma, double tolerance) {
        return compute(a, b, c, d, phi, u, y, null, sigma, tolerance);
    }

    /** As above, the gradients of {@code sum_j w_j bound_j} for the points' weights (null: all 1). */
    public static Result compute(Matrix a, Matrix b, Matrix c, Matrix d, Activation phi, Matrix u, Matrix y,
                                 double[] weights, double[] sigma, double tolerance) {
        Checks.sameCols("U", u, "Y", y);
        if (sigma.length != u.rows()) {
            throw new IllegalArgumentException("sigma has " + sigma.length + " radii for " + u.rows() + " input rows");
        }
        double k = a.infNorm();
        if (!(k < 1)) {
            throw new IllegalArgumentException("interval training needs ||A||_inf < 1, got " + k);
        }
        int n = a.rows();
        int m = u.cols();
        int q = c.rows();
        Matrix abar = stacked(a);
        Matrix input = intervalInput(b, u, sigma);
        FixedPointSolver.Result solved = ImplicitGradient.forward(abar, phi, tolerance).solve(input, null);
        Matrix s = solved.states();
        Matrix pre = input;
        Matrix.gemm(1.0, abar, false, s, false, 1.0, pre);

        // The worst-case logits, their loss, and its gradient in hi, lo, C and D, point by point.
        double[] sd = s.data();
        double[] ud = u.data();
        double[] cd = c.data();
        double[] dd = d.data();
        int p = u.rows();
        Matrix rhs = Matrix.zeros(2 * n, m);
        double[] rd = rhs.data();
        Matrix dc = Matrix.zeros(q, n);
        Matrix ddm = Matrix.zeros(q, p);
        double[] dcd = dc.data();
        double[] ddd = ddm.data();
        double[] zhat = new double[q];
        double[] w = new double[n];
        double[] e = new double[p];
        double loss = 0;
        int certified = 0;
        for (int col = 0; col < m; col++) {
            int t = y.argmaxInColumn(col);
            int hiAt = col * 2 * n;
            int loAt = hiAt + n;
            int uAt = col * p;
            double max = 0; // zhat_t = 0
            for (int j = 0; j < q; j++) {
                if (j == t) {
                    zhat[j] = 0;
                    continue;
                }
                double v = 0;
                for (int i = 0; i < n; i++) {
                    double wi = cd[i * q + j] - cd[i * q + t];
                    v += wi > 0 ? wi * sd[hiAt + i] : wi * sd[loAt + i];
                }
                for (int i = 0; i < p; i++) {
                    double ei = dd[i * q + j] - dd[i * q + t];
                    v += ei * ud[uAt + i] + Math.abs(ei) * sigma[i];
                }
                zhat[j] = v;
                max = Math.max(max, v);
            }
            if (allBelowZero(zhat, t)) {
                certified++;
            }
            double sum = 0;
            for (int j = 0; j < q; j++) {
                sum += Math.exp(zhat[j] - max);
            }
            double lse = max + Math.log(sum);
            loss += lse;
            for (int j = 0; j < q; j++) {
                if (j == t) {
                    continue;
                }
                double g = (weights == null ? 1 : weights[col]) * Math.exp(zhat[j] - lse);
                for (int i = 0; i < n; i++) {
                    double wi = cd[i * q + j] - cd[i * q + t];
                    double si;
                    if (wi > 0) {
                        rd[hiAt + i] += g * wi;
                        si = sd[hiAt + i];
                    } else {
                        rd[loAt + i] += g * wi;
                        si = sd[loAt + i];
                    }
                    dcd[i * q + j] += g * si;
                    dcd[i * q + t] -= g * si;
                }
                for (int i = 0; i < p; i++) {
                    double ei = dd[i * q + j] - dd[i * q + t];
                    double si = ud[uAt + i] + Math.signum(ei) * sigma[i];
                    ddd[i * q + j] += g * si;
                    ddd[i * q + t] -= g * si;
                }
            }
        }

        double[] slope = pre.data();
        for (int i = 0; i < slope.length; i++) {
            slope[i] = phi.derivative(slope[i]);
        }
        ImplicitGradient.Adjoint adjoint = ImplicitGradient.adjoint(abar, k, slope, rhs, null, tolerance);
        Matrix v = adjoint.v();
        Matrix dabar = v.timesTransposed(s);
        Matrix da = Matrix.zeros(n, n);
        double[] ad = a.data();
        double[] dad = da.data();
        double[] dbar = dabar.data();
        int n2 = 2 * n;
        for (int col = 0; col < n; col++) {
            for (int i = 0; i < n; i++) {
                double aij = ad[col * n + i];
                // At 0 the derivative of A+ (moving up) is taken: with 0 there, a model that starts at
                // A = 0 would never leave it under the bound alone (robustWeight = 1).
                if (aij >= 0) { // hh + ll blocks
                    dad[col * n + i] = dbar[col * n2 + i] + dbar[(col + n) * n2 + n + i];
                } else if (aij < 0) { // hl + lh blocks
                    dad[col * n + i] = dbar[(col + n) * n2 + i] + dbar[col * n2 + n + i];
                }
            }
        }
        // dB = (Vh + Vl) u^T + sign(B) ⊙ (Vh - Vl) 1 sigma^T
        Matrix vsum = Matrix.zeros(n, m);
        double[] vs = vsum.data();
        double[] vd = v.data();
        double[] vdiff = new double[n];
        for (int col = 0; col < m; col++) {
            for (int i = 0; i < n; i++) {
                double h = vd[col * n2 + i];
                double l = vd[col * n2 + n + i];
                vs[col * n + i] = h + l;
                vdiff[i] += h - l;
            }
        }
        Matrix db = vsum.timesTransposed(u);
        double[] bd = b.data();
        double[] dbd = db.data();
        for (int col = 0; col < p; col++) {
            if (sigma[col] == 0) {
                continue;
            }
            for (int i = 0; i < n; i++) {
                dbd[col * n + i] += Math.signum(bd[col * n + i]) * vdiff[i] * sigma[col];
            }
        }
        return new Result(da, db, dc, ddm, loss, certified, solved.iterations(), adjoint.iterations());
    }

    /** The interval model's input {@code [B u + |B| sigma; B u - |B| sigma]}, a column per point. */
    private static Matrix intervalInput(Matrix b, Matrix u, double[] sigma) {
        int n = b.rows();
        int m = u.cols();
        double[] r = IntervalBounds.absTimes(b, sigma);
        Matrix bu = b.times(u);
        Matrix input = Matrix.zeros(2 * n, m);
        double[] in = input.data();
        double[] bud = bu.data();
        for (int col = 0; col < m; col++) {
            for (int i = 0; i < n; i++) {
                double z = bud[col * n + i];
                in[col * 2 * n + i] = z + r[i];
                in[col * 2 * n + n + i] = z - r[i];
            }
        }
        return input;
    }

    /**
     * The interval model's states {@code [hi; lo]} (2n x m) for inputs U (with the bias row) and radii
     * sigma per row of U, each point's fixed point solved to the relative {@code tolerance} on its own,
     * so that they do not depend on which points share a block.
     */
    public static Matrix intervalStates(Matrix a, Matrix b, Activation phi, Matrix u, double[] sigma,
                                        double tolerance) {
        if (sigma.length != u.rows()) {
            throw new IllegalArgumentException("sigma has " + sigma.length + " radii for " + u.rows() + " input rows");
        }
        return ImplicitGradient.forward(stacked(a), phi, tolerance).solveEachColumn(intervalInput(b, u, sigma), null)
                .states();
    }

    /** {@code [A+ -A-; -A- A+]}: the interval map's matrix on [hi; lo]. */
    static Matrix stacked(Matrix a) {
        int n = a.rows();
        Matrix[] parts = IntervalBounds.parts(a);
        Matrix minus = parts[1].scaleInPlace(-1);
        Matrix out = Matrix.zeros(2 * n, 2 * n);
        out.setBlock(0, 0, parts[0]);
        out.setBlock(n, n, parts[0]);
        out.setBlock(0, n, minus);
        out.setBlock(n, 0, minus);
        return out;
    }

    private static boolean allBelowZero(double[] zhat, int t) {
        for (int j = 0; j < zhat.length; j++) {
            if (j != t && !(zhat[j] < 0)) {
                return false;
            }
        }
        return true;
    }

}
