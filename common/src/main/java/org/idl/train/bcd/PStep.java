package org.idl.train.bcd;

import org.idl.linalg.Checks;
import org.idl.linalg.Lipschitz;
import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.FenchelDivergence;
import org.idl.train.Loss;

/**
 * The P-step (15), separable over columns:
 * {@code min_P L(Y, C P + D U) + sum_i lambda_i F(P_i, Z_i) + mu/2 ||X - P||^2} with {@code Z = A X + B U}.
 * Solved by accelerated proximal gradient: the smooth part is the loss, {@code -lambda_i P_i Z_i} and
 * the proximal term; {@code lambda_i h(P_i)} goes into the prox, which for ReLU includes the
 * indicator of {@code P >= 0}, so P stays exactly non-negative (the divergence (7) is +inf below 0).
 */
public final class PStep {
    private PStep() {
    }

    /**
     * Columns solved together. The problem and its accelerated iteration are separable by column, so
     * solving chunks one after the other changes nothing but memory traffic: a chunk's matrices stay
     * in cache through all the iterations, where a 100 x 30000 block streams from memory each time.
     */
    static final int CHUNK_COLUMNS = 256;

    public static StepResult solve(Activation phi, Loss loss, double[] lambda, double mu,
                                   Matrix z, Matrix x, Matrix y, Matrix c, Matrix du, Matrix start, int iterations) {
        int n = x.rows();
        int m = x.cols();
        Checks.sameShape("Z", z, "X", x);
        Checks.sameShape("start", start, "X", x);
        Checks.sameCols("Y", y, "X", x);
        Checks.shape("C", c, y.rows(), n);
        Checks.sameShape("DU", du, "Y", y);
        requireLambda(lambda, n);
        Checks.nonNegative("mu", mu);
        double lipschitz = Lipschitz.ofGram(loss.curvature(), c, 200, mu);
        if (m <= CHUNK_COLUMNS) {
            return solveChunk(phi, loss, lambda, mu, z, x, y, c, du, start, iterations, lipschitz);
        }
        Matrix solved = Matrix.zeros(n, m);
        double before = 0;
        double after = 0;
        for (int from = 0; from < m; from += CHUNK_COLUMNS) {
            int to = Math.min(m, from + CHUNK_COLUMNS);
            StepResult r = solveChunk(phi, loss, lambda, mu, z.columns(from, to), x.columns(from, to),
                    y.columns(from, to), c, du.columns(from, to), start.columns(from, to), iterations, lipschitz);
            System.arraycopy(r.value().data(), 0, solved.data(), from * n, r.value().data().length);
            before += r.before();
            after += r.after();
        }
        return new StepResult(solved, before, after);
    }

    /** The solve on columns already checked by {@link #solve}, with its Lipschitz constant. */
    private static StepResult solveChunk(Activation phi, Loss loss, double[] lambda, double mu, Matrix z, Matrix x,
                                         Matrix y, Matrix c, Matrix du, Matrix start, int iterations,
                                         double lipschitz) {
        int n = x.rows();
        double[] before = columnObjectives(phi, loss, lambda, mu, start, z, x, y, c, du);
        Fista.Problem problem = new Fista.Problem() {
            @Override
            public Matrix gradient(Matrix p) {
                Matrix g = Matrix.zeros(p.rows(), p.cols());
                gradientInto(p, g);
                return g;
            }

            /**
             * {@code mu (P - X) - lambda Z + C^T dL(C P + DU)} into {@code out}: C^T dL by BLAS, then the
             * element-wise terms in one pass over it.
             */
            private void gradientInto(Matrix p, Matrix out) {
                Matrix yhat = du.copy();
                Matrix.gemm(1.0, c, false, p, false, 1.0, yhat);
                Matrix dl = Matrix.zeros(y.rows(), y.cols());
                loss.valueAndGradient(y, yhat, dl);
                Matrix.gemm(1.0, c, true, dl, false, 0.0, out);
                double[] od = out.data();
                double[] pd = p.data();
                double[] xd = x.data();
                double[] zd = z.data();
                for (int col = 0; col < od.length; col += n) {
                    for (int i = 0; i < n; i++) {
                        int k = col + i;
                        od[k] += mu * (pd[k] - xd[k]) - lambda[i] * zd[k];
                    }
                }
            }

            @Override
            public void prox(Matrix p, double step) {
                double[] weights = new double[n];
                for (int i = 0; i < n; i++) {
                    weights[i] = step * lambda[i];
                }
                phi.proxHColumns(p.data(), weights);
            }

            /**
             * The step computed in the step's own matrix (the P-step is the largest share of a minibatch
             * batch's work, and the gradient's copies and passes were most of it).
             */
            @Override
            public void proximalStep(Matrix p, double step, Matrix out) {
                gradientInto(p, out);
                double[] od = out.data();
                double[] pd = p.data();
                for (int k = 0; k < od.length; k++) {
                    od[k] = pd[k] - step * od[k];
                }
                prox(out, step);
            }
        };
        Matrix feasible = start.copy();
        problem.prox(feasible, 0.0);
        Matrix p = Fista.minimise(problem, feasible, lipschitz, iterations, true);
        double[] after = columnObjectives(phi, loss, lambda, mu, p, z, x, y, c, du);
        return keepBetterColumns(start, before, p, after);
    }

    /**
     * Per column, the better of the start and the solve: a short accelerated run that ends above its
     * start leaves that column as it was, so the step never raises its objective.
     */
    static StepResult keepBetterColumns(Matrix start, double[] before, Matrix solved, double[] after) {
        int n = start.rows();
        double totalBefore = 0;
        double totalAfter = 0;
        for (int col = 0; col < before.length; col++) {
            totalBefore += before[col];
            if (after[col] <= before[col]) {
                totalAfter += after[col];
            } else {
                totalAfter += before[col];
                System.arraycopy(start.data(), col * n, solved.data(), col * n, n);
            }
        }
        return new StepResult(solved, totalBefore, totalAfter);
    }

    /** {@code L(Y, C P + D U) + sum_i lambda_i F(P_i, Z_i) + mu/2 ||X - P||^2}, summed over columns. */
    public static double objective(Activation phi, Loss loss, double[] lambda, double mu,
                                   Matrix p, Matrix z, Matrix x, Matrix y, Matrix c, Matrix du) {
        double total = 0;
        for (double v : columnObjectives(phi, loss, lambda, mu, p, z, x, y, c, du)) {
            total += v;
        }
        return total;
    }

    static double[] columnObjectives(Activation phi, Loss loss, double[] lambda, double mu,
                                     Matrix p, Matrix z, Matrix x, Matrix y, Matrix c, Matrix du) {
        Matrix yhat = du.copy();
        Matrix.gemm(1.0, c, false, p, false, 1.0, yhat);
        double[] values = loss.columnValues(y, yhat, null);
        addRelaxationTerms(values, phi, lambda, mu, p, z, x);
        return values;
    }

    /** Adds {@code sum_i lambda_i F(P_i, Z_i) + mu/2 ||X - P||^2} of each column to {@code values}. */
    static void addRelaxationTerms(double[] values, Activation phi, double[] lambda, double mu, Matrix p, Matrix z,
                                   Matrix x) {
        int n = p.rows();
        double[] pd = p.data();
        double[] zd = z.data();
        double[] xd = x.data();
        for (int col = 0, j = 0; col < pd.length; col += n, j++) {
            double sum = values[j];
            for (int i = 0; i < n; i++) {
                int k = col + i;
                double d = xd[k] - pd[k];
                sum += lambda[i] * FenchelDivergence.value(phi, pd[k], zd[k]) + 0.5 * mu * d * d;
            }
            values[j] = sum;
        }
    }

    static void requireLambda(double[] lambda, int n) {
        if (lambda.length != n) {
            throw new IllegalArgumentException(lambda.length + " weights lambda for " + n + " hidden units");
        }
        for (int i = 0; i < n; i++) {
            if (!(lambda[i] >= 0) || Double.isInfinite(lambda[i])) {
                throw new IllegalArgumentException("lambda[" + i + "] must be finite and >= 0, got " + lambda[i]);
            }
        }
    }
}
