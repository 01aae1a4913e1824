package org.idl.train.gradient;

import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.model.LowRank;
import org.idl.model.WellPosedness;

import java.util.Random;

/**
 * How the gradient solver holds A: the dense matrix, or, for a low-rank model (paper section 6.3),
 * the factors side by side, {@code [L R]} (n x 2k) with A = L R^T. Adam, the averaging and the
 * projection see one matrix either way.
 *
 * <p>Well-posedness of a low-rank A is kept by scaling L down whenever {@code ||L R^T||_inf} exceeds
 * kappa: not the Euclidean projection, but it lands in the same ball, so every model is certified
 * by {@code ||A||_inf <= kappa < 1}, and the rank-k fixed point {@code x = phi(L (R^T x) + B u)}
 * contracts as the dense one does.
 */
final class AParameter {
    private AParameter() {
    }

    /** The matrix the solver updates for A. */
    static Matrix of(ImplicitModel m) {
        return m.rank() == 0 ? m.a() : Matrix.hstack(m.left(), m.right());
    }

    /** A itself. */
    static Matrix dense(Matrix parameter, ImplicitModel like) {
        if (like.rank() == 0) {
            return parameter;
        }
        int k = like.rank();
        return parameter.columns(0, k).timesTransposed(parameter.columns(k, 2 * k));
    }

    /** dL/d[L R] = [dA R, dA^T L] from dL/dA. */
    static Matrix gradient(Matrix da, Matrix parameter, ImplicitModel like) {
        if (like.rank() == 0) {
            return da;
        }
        int k = like.rank();
        Matrix l = parameter.columns(0, k);
        Matrix r = parameter.columns(k, 2 * k);
        return Matrix.hstack(da.times(r), da.transposeTimes(l));
    }

    /** Into the ball {@code ||A||_inf <= kappa}: the exact projection, or for factors the scaling of L. */
    static void project(Matrix parameter, ImplicitModel like, double kappa) {
        if (like.rank() == 0) {
            WellPosedness.projectInfNormBall(parameter, kappa);
            return;
        }
        double norm = dense(parameter, like).infNorm();
        if (norm > kappa) {
            double scale = kappa / norm;
            double[] d = parameter.data();
            for (int i = 0, end = parameter.rows() * like.rank(); i < end; i++) {
                d[i] *= scale; // L is the first k columns
            }
        }
    }

    /** The model with these parameters, in {@code like}'s form. */
    static ImplicitModel model(ImplicitModel like, Matrix a, Matrix b, Matrix c, Matrix d) {
        if (like.rank() == 0) {
            return like.with(a, b, c, d);
        }
        int k = like.rank();
        return like.withFactors(a.columns(0, k), a.columns(k, 2 * k), b, c, d);
    }

    /**
     * The start of rank-k training from {@code start}: a zero A becomes L = 0 and R with N(0, 1/n)
     * entries (A stays 0, and L moves on the first step: with both factors 0 the gradient would
     * vanish); any other A its best rank-k approximation, scaled into the ball.
     */
    static ImplicitModel lowRankStart(ImplicitModel start, int k, double kappa, long seed) {
        int n = start.hidden();
        if (k > n) {
            throw new IllegalArgumentException("rank " + k + " exceeds the " + n + " hidden units");
        }
        ImplicitModel out;
        if (start.a().maxAbs() == 0) {
            out = ImplicitModel.lowRank(Matrix.zeros(n, k), Matrix.gaussian(n, k, 1 / Math.sqrt(n), new Random(seed + 1)),
                    start.b(), start.c(), start.d(), start.activation(), start.bias());
        } else {
            out = LowRank.of(start, k);
        }
        Matrix factors = of(out);
        project(factors, out, kappa);
        return model(out, factors, out.b(), out.c(), out.d());
    }
}
