package org.idl.train.sim;

import org.idl.linalg.Lipschitz;
import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.model.WellPosedness;
import org.idl.train.BlockStore;
import org.idl.train.DataBlock;
import org.idl.train.Summable;
import org.idl.train.bcd.Fista;

import java.io.Serializable;

/**
 * State-driven implicit modelling (Tsai, Decugis, El Ghaoui and Atamturk 2022): fit a sparse,
 * well-posed (A, B, C, D) to a teacher's states, not to labels. The teacher (an imported perceptron,
 * or any implicit model) gives, for every point, its states X, pre-activations Z = A_t X + B_t U and
 * outputs Yhat = C_t X + D_t U. With W = [X; U], the student solves two convex problems that separate
 * by rows and need only sums over the data:
 * <ul>
 *   <li>{@code min_[A B] 1/2m ||Z - [A B] W||^2 + l1AB ||[A B]||_1}, each row of A in the L1 ball of
 *       radius kappa (well-posedness, {@code ||A||_inf <= kappa});</li>
 *   <li>{@code min_[C D] 1/2m ||Yhat - [C D] W||^2 + l1CD ||[C D]||_1}.</li>
 * </ul>
 * Both depend on the data through {@code G = W W^T}, {@code Z W^T} and {@code Yhat W^T} alone
 * ({@link Statistics}), summed in one pass over the blocks; the rows are solved on the driver by FISTA
 * on all rows at once, then refitted without the L1 term on the entries it kept (the relaxed lasso,
 * which undoes its shrinkage). The bias column is not penalised. When the teacher is exactly an implicit model
 * of this form and G is invertible, l1 = 0 recovers it. This is SIM's least-squares form, fitting
 * pre-activations the teacher provides; the paper's own programs constrain the states through the
 * activation's inverse instead.
 */
public final class StateDrivenFit {
    private StateDrivenFit() {
    }

    /**
     * @param kappa      bound on each row's L1 norm of the student's A, in (0, 1)
     * @param l1AB       L1 weight on [A B] (>= 0), per point (the objective is a mean over points)
     * @param l1CD       L1 weight on [C D] (>= 0)
     * @param groupC     weight of the column-group penalty {@code sum_j ||C_j||_2} on C's columns (>= 0): a
     *                   unit whose column of C it empties is read by no output, and is then kept out of A's
     *                   columns too, so that compaction removes it (section 6.2)
     * @param iterations FISTA iterations of each problem (>= 1)
     */
    public record Config(double kappa, double l1AB, double l1CD, double groupC, int iterations) implements Serializable {
        /** Without the group penalty. */
        public Config(double kappa, double l1AB, double l1CD, int iterations) {
            this(kappa, l1AB, l1CD, 0, iterations);
        }

        public Config {
            if (!(groupC >= 0) || !Double.isFinite(groupC)) {
                throw new IllegalArgumentException("groupC must be finite and >= 0, got " + groupC);
            }
            if (!(kappa > 0 && kappa < 1)) {
                throw new IllegalArgumentException("kappa must be in (0, 1), got " + kappa);
            }
            if (!(l1AB >= 0) || !(l1CD >= 0) || !Double.isFinite(l1AB) || !Double.isFinite(l1CD)) {
                throw new IllegalArgumentException("the L1 weights must be finite and >= 0, got " + l1AB + " and " + l1CD);
            }
            if (iterations < 1) {
                throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
            }
        }
    }

    /** The sums over the data: G = W W^T, Z W^T, Yhat W^T (W = [X; U]), and the number of points. */
    public record Statistics(Matrix gram, Matrix preActivations, Matrix outputs, long count)
            implements Serializable, Summable<Statistics> {
        @Override
        public Statistics merge(Statistics o) {
            return new Statistics(gram.plus(o.gram), preActivations.plus(o.preActivations), outputs.plus(o.outputs),
                    count + o.count);
        }
    }

    /** One pass: the teacher's states, pre-activations and outputs on each block, summed. Blocks unchanged. */
    public record TeacherStatistics(double tolerance) implements BlockStore.Task<Statistics> {
        @Override
        public boolean changesStates() {
            return false;
        }

        @Override
        public BlockStore.Outcome<Statistics> apply(ImplicitModel teacher, DataBlock block) {
            Matrix u = block.u();
            if (u.rows() != teacher.b().cols()) {
                throw new IllegalArgumentException("the teacher takes " + teacher.b().cols() + " input rows (bias"
                        + " included), the data has " + u.rows());
            }
            Matrix bu = teacher.b().times(u);
            Matrix x = teacher.solver(tolerance).solve(bu, null).states();
            Matrix z = bu;
            Matrix.gemm(1.0, teacher.a(), false, x, false, 1.0, z);
            Matrix yhat = teacher.readout(x, u);
            Matrix w = Matrix.vstack(x, u);
            return new BlockStore.Outcome<>(block, new Statistics(w.gram(), z.timesTransposed(w), yhat.timesTransposed(w),
                    block.size()));
        }
    }

    /** The student: the teacher's activation, bias convention and number of hidden units. */
    public static ImplicitModel fit(ImplicitModel teacher, Statistics s, Config config) {
        if (s.count() == 0) {
            throw new IllegalArgumentException("no data: the statistics sum over no points");
        }
        int n = teacher.hidden();
        double inverse = 1.0 / s.count();
        Matrix g = s.gram().copy().scaleInPlace(inverse);
        double lipschitz = Lipschitz.ofPsd(1.0, g, 100, 0);
        int biasColumn = teacher.bias() ? g.rows() - 1 : -1;
        Matrix hz = s.preActivations().copy().scaleInPlace(inverse);
        Matrix hy = s.outputs().copy().scaleInPlace(inverse);
        Matrix cd = solve(g, hy, config.l1CD(), config.groupC(), n, lipschitz, config.iterations(), biasColumn, 0, 0,
                null);
        // Units that no output reads any more are kept out of A's columns as well: nothing reads them.
        Matrix allowed = null;
        if (config.groupC() > 0) {
            allowed = Matrix.zeros(n, g.rows());
            java.util.Arrays.fill(allowed.data(), 1.0);
            for (int j = 0; j < n; j++) {
                if (cd.columnIsZero(j)) {
                    for (int i = 0; i < n; i++) {
                        allowed.set(i, j, 0);
                    }
                }
            }
        }
        Matrix ab = solve(g, hz, config.l1AB(), 0, 0, lipschitz, config.iterations(), biasColumn, n, config.kappa(),
                allowed);
        // The penalties chose which entries are zero, and shrank the others towards 0 as well: refit the
        // chosen entries without them (the relaxed lasso), keeping the zeros and the L1 ball of A.
        if (config.l1AB() > 0 || allowed != null) {
            ab = solve(g, hz, 0, 0, 0, lipschitz, config.iterations(), biasColumn, n, config.kappa(), ab);
        }
        if (config.l1CD() > 0 || config.groupC() > 0) {
            cd = solve(g, hy, 0, 0, 0, lipschitz, config.iterations(), biasColumn, 0, 0, cd);
        }
        int width = g.rows();
        return new ImplicitModel(ab.block(0, n, 0, n), ab.block(0, n, n, width), cd.block(0, cd.rows(), 0, n),
                cd.block(0, cd.rows(), n, width), teacher.activation(), teacher.bias());
    }

    /**
     * {@code min_V 1/2 tr(V G V^T) - tr(V H^T) + l1 ||V||_1 + group sum_{j < groupColumns} ||V_j||_2} (bias
     * column free), the first {@code aColumns} columns of each row in the L1 ball of radius {@code kappa},
     * and, given a {@code support}, zero where it is zero (starting from it). The prox of the L1 term plus
     * the column groups is the soft threshold then the group shrink (the sparse-group lasso's); the ball's
     * projection follows, a function of the same L1 geometry.
     */

    private static Matrix solve(Matrix g, Matrix h, double l1, double group, int groupColumns, double lipschitz,
                                int iterations, int biasColumn, int aColumns, double kappa, Matrix support) {
        int rows = h.rows();
        Fista.Problem problem = new Fista.Problem() {
            @Override
            public Matrix gradient(Matrix v) {
                Matrix grad = v.times(g);
                return grad.addInPlace(-1.0, h);
            }

            @Override
            public void prox(Matrix v, double step) {
                double t = step * l1;
                double[] d = v.data();
                if (t > 0) {
                    for (int col = 0; col < v.cols(); col++) {
                        if (col == biasColumn) {
                            continue;
                        }
                        for (int i = col * rows, end = i + rows; i < end; i++) {
                            d[i] = Math.signum(d[i]) * Math.max(0, Math.abs(d[i]) - t);
                        }
                    }
                }
                double tg = step * group;
                for (int col = 0; tg > 0 && col < groupColumns; col++) {
                    double norm = 0;
                    for (int i = col * rows, end = i + rows; i < end; i++) {
                        norm += d[i] * d[i];
                    }
                    norm = Math.sqrt(norm);
                    double shrink = norm <= tg ? 0 : 1 - tg / norm;
                    for (int i = col * rows, end = i + rows; i < end; i++) {
                        d[i] *= shrink;
                    }
                }
                if (support != null) {
                    double[] keep = support.data();
                    for (int k = 0; k < d.length; k++) {
                        if (keep[k] == 0) {
                            d[k] = 0;
                        }
                    }
                }
                if (aColumns > 0) {
                    Matrix a = v.block(0, rows, 0, aColumns);
                    WellPosedness.projectInfNormBall(a, kappa);
                    v.setBlock(0, 0, a);
                }
            }
        };
        return Fista.minimise(problem, support == null ? Matrix.zeros(rows, g.rows()) : support, lipschitz, iterations);
    }
}
