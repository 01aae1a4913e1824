package org.idl.train.gradient;

import org.idl.linalg.Checks;
import org.idl.linalg.Inputs;
import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.FixedPointSolver;
import org.idl.model.PicardSolver;
import org.idl.model.WellPosedness;
import org.idl.train.Loss;
import org.idl.train.MetricSums;

import java.util.Arrays;

/**
 * The gradient of the loss of problem (3) through the fixed point, by implicit differentiation, for
 * a block of columns at BLAS level 3:
 * <ol>
 *   <li>forward: {@code X = phi(A X + B U)} (Picard), {@code Z = A X + B U}, {@code Yhat = C X + D U};</li>
 *   <li>adjoint: with {@code G = dL/dYhat}, the fixed point {@code V = phi'(Z) ⊙ (A^T V + C^T G)}. It
 *       contracts in the column-wise L1 norm by {@code ||A^T||_1 = ||A||_inf}, so it is well-posed
 *       exactly when the forward map is certified through {@code ||A||_inf < 1};</li>
 *   <li>{@code dL/dA = V X^T}, {@code dL/dB = V U^T}, {@code dL/dC = G X^T}, {@code dL/dD = G U^T}.</li>
 * </ol>
 * V is {@code dL/dZ}: the total derivative, since X depends on Z and Z on X through A.
 */
public final class ImplicitGradient {
    private ImplicitGradient() {
    }

    /** Gradients summed over the block's columns (not averaged), with the loss and metrics of the forward pass. */
    public record Result(Matrix da, Matrix db, Matrix dc, Matrix dd, MetricSums metrics, Matrix states, Matrix adjoint,
                         int forwardIterations, int adjointIterations) {
    }

    /** As below, every point counting once. */
    public static Result compute(Matrix a, Matrix b, Matrix c, Matrix d, Activation phi, Loss loss, Inputs u,
                                 Matrix y, Matrix warm, Matrix warmAdjoint, double tolerance) {
        return compute(a, b, c, d, phi, loss, u, y, null, warm, warmAdjoint, tolerance);
    }

    /**
     * @param u           augmented inputs (with the bias row when the model has one), columns are points;
     *                    dense or sparse
     * @param weights     the points' weights in the loss (the gradients and the metrics' loss are of
     *                    {@code sum_j w_j L_j}), or null for all 1; the metrics' accuracy counts each point once
     * @param warm        a starting guess for the states X, or null
     * @param warmAdjoint a starting guess for the adjoint V, or null
     * @param tolerance   relative tolerance of both fixed points
     */
    public static Result compute(Matrix a, Matrix b, Matrix c, Matrix d, Activation phi, Loss loss, Inputs u,
                                 Matrix y, double[] weights, Matrix warm, Matrix warmAdjoint, double tolerance) {
        return compute(a, b, c, d, phi, loss, u, y, weights, warm, warmAdjoint, tolerance, null);
    }

    /**
     * As above, writing the four gradients into {@code into} (shaped like A, B, C, D; their old values
     * are overwritten), or into new matrices when it is null. The local mini-batch steps reuse one set:
     * on a batch of a few points a fresh dL/dB per step was most of what they allocated, and the
     * collections it caused landed on random tasks, each delaying every partition at the next average.
     */
    public static Result compute(Matrix a, Matrix b, Matrix c, Matrix d, Activation phi, Loss loss, Inputs u,
                                 Matrix y, double[] weights, Matrix warm, Matrix warmAdjoint, double tolerance,
                                 Matrix[] into) {
        Checks.sameCols("U", u, "Y", y);
        double k = a.infNorm();
        if (!(k < 1)) {
            throw new IllegalArgumentException("the implicit gradient needs ||A||_inf < 1 (its adjoint fixed point"
                    + " contracts by ||A||_inf), got " + k);
        }
        int n = a.rows();
        int m = u.cols();
        Matrix bu = u.leftProduct(b);
        FixedPointSolver.Result solved = forward(a, phi, tolerance).solve(bu, warm);
        Matrix x = solved.states();
        Matrix z = bu;
        Matrix.gemm(1.0, a, false, x, false, 1.0, z);

        Matrix yhat = Matrix.zeros(c.rows(), m);
        Matrix.gemm(1.0, c, false, x, false, 0.0, yhat);
        u.addLeftProduct(d, yhat);
        Matrix g = Matrix.zeros(y.rows(), m);
        MetricSums metrics = MetricSums.of(loss.weightedValueAndGradient(y, yhat, g, weights), y, yhat);

        // phi'(Z), then the adjoint fixed point from V = phi'(Z) ⊙ C^T G.
        double[] slope = z.data();
        for (int i = 0; i < slope.length; i++) {
            slope[i] = phi.derivative(slope[i]);
        }
        Matrix ctg = Matrix.zeros(n, m);
        Matrix.gemm(1.0, c, true, g, false, 0.0, ctg);
        Adjoint adj = adjoint(a, k, slope, ctg, warmAdjoint, tolerance);
        Matrix v = adj.v();
        Matrix[] out = into != null ? into : new Matrix[]{Matrix.zeros(n, n), Matrix.zeros(n, b.cols()),
                Matrix.zeros(c.rows(), n), Matrix.zeros(c.rows(), d.cols())};
        Matrix da = out[0];
        Matrix db = out[1];
        Matrix dc = out[2];
        Matrix dd = out[3];
        Matrix.gemm(1.0, v, false, x, true, 0.0, da);
        Matrix.gemm(1.0, g, false, x, true, 0.0, dc);
        if (into != null) {
            Arrays.fill(db.data(), 0.0);
            Arrays.fill(dd.data(), 0.0);
        }
        u.addGradientProduct(v, db);
        u.addGradientProduct(g, dd);
        return new Result(da, db, dc, dd, metrics, x, v, solved.iterations(), adj.iterations());
    }

    /** The adjoint fixed point's solution and the iterations it took. */
    record Adjoint(Matrix v, int iterations) {
    }

    /**
     * The adjoint fixed point {@code V = phi'(Z) ⊙ (A^T V + R)} for the slopes {@code phi'(Z)} (n x m,
     * column-major, in place of Z) and the right-hand side R = dL/dX, from {@code warm} or, when it is
     * null, from {@code phi'(Z) ⊙ R}. Certified by {@code k = ||A||_inf}: one step contracts by k in the
     * column-wise L1 norm.
     */
    static Adjoint adjoint(Matrix a, double k, double[] slope, Matrix rhs, Matrix warm, double tolerance) {
        int n = a.rows();
        int m = rhs.cols();
        Matrix v;
        if (warm == null || k == 0) {
            // Cold start; when A = 0 this is the answer itself.
            v = rhs.copy();
            multiplyInPlace(v.data(), slope);
        } else {
            Checks.sameShape("warm adjoint", warm, "dL/dX", rhs);
            v = warm.copy();
        }
        int iterations = 0;
        if (k > 0) {
            Matrix next = Matrix.zeros(n, m);
            double[] cd = rhs.data();
            int limit = iterationLimit(k, tolerance);
            while (true) {
                Matrix.gemm(1.0, a, true, v, false, 0.0, next);
                iterations++;
                // One sweep: next <- phi'(Z) ⊙ (A^T V + R), and the step and size for the certified
                // stop in the column-wise L1 norm, where one step contracts by k.
                double step = 0;
                double size = 0;
                double[] nd = next.data();
                double[] vd = v.data();
                for (int col = 0; col < m; col++) {
                    double s = 0;
                    double l1 = 0;
                    for (int i = col * n, end = i + n; i < end; i++) {
                        double w = slope[i] * (nd[i] + cd[i]);
                        nd[i] = w;
                        s += Math.abs(w - vd[i]);
                        l1 += Math.abs(w);
                    }
                    step = Math.max(step, s);
                    size = Math.max(size, l1);
                }
                Matrix swap = v;
                v = next;
                next = swap;
                if (k / (1 - k) * step <= tolerance * size) {
                    break;
                }
                if (!Double.isFinite(step) || iterations >= limit) {
                    throw new IllegalStateException("the adjoint fixed point did not reach relative tolerance "
                            + tolerance + " in " + iterations + " iterations (||A||_inf = " + k + ")");
                }
            }
        }
        return new Adjoint(v, iterations);
    }

    /**
     * Picard for {@code X = phi(A X + BU)} certified by {@code ||A||_inf < 1} alone: the training steps
     * keep A in that ball, and a solver per mini-batch cannot afford the Perron certificate's search.
     */
    public static FixedPointSolver forward(Matrix a, Activation phi, double tolerance) {
        double k = a.infNorm();
        double[] ones = new double[a.rows()];
        Arrays.fill(ones, 1.0);
        return new PicardSolver(a, phi, new WellPosedness.Certificate(k, ones, k, Double.NaN), tolerance);
    }

    private static void multiplyInPlace(double[] target, double[] factors) {
        for (int i = 0; i < target.length; i++) {
            target[i] *= factors[i];
        }
    }

    /** As many iterations as the a-priori bound needs for a unit first step, with room to spare. */
    private static int iterationLimit(double k, double tolerance) {
        double needed = Math.log(tolerance * (1 - k) / 1e6) / Math.log(k);
        return (int) Math.min(1_000_000, Math.max(100, Math.ceil(needed)));
    }
}
