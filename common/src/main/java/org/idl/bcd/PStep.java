package org.idl.bcd;

import org.idl.linalg.Checks;
import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.FenchelDivergence;

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

    public static StepResult solve(Activation phi, Loss loss, double[] lambda, double mu,
                                   Matrix z, Matrix x, Matrix y, Matrix c, Matrix du, Matrix start, int iterations) {
        int n = x.rows();
        Checks.sameShape("Z", z, "X", x);
        Checks.sameShape("start", start, "X", x);
        Checks.sameCols("Y", y, "X", x);
        Checks.shape("C", c, y.rows(), n);
        Checks.sameShape("DU", du, "Y", y);
        requireLambda(lambda, n);
        Checks.nonNegative("mu", mu);
        double[] before = columnObjectives(phi, loss, lambda, mu, start, z, x, y, c, du);
        double lipschitz = loss.curvature() * c.spectralNormSquared(200) * 1.02 + mu + 1e-12;
        Fista.Problem problem = new Fista.Problem() {
            @Override
            public Matrix gradient(Matrix p) {
                Matrix yhat = du.copy();
                Matrix.gemm(1.0, c, false, p, false, 1.0, yhat);
                Matrix dl = Matrix.zeros(y.rows(), y.cols());
                loss.valueAndGradient(y, yhat, dl);
                Matrix g = p.minus(x).scaleInPlace(mu);
                Matrix.gemm(1.0, c, true, dl, false, 1.0, g);
                double[] gd = g.data();
                double[] zd = z.data();
                for (int k = 0; k < gd.length; k++) {
                    gd[k] -= lambda[k % n] * zd[k];
                }
                return g;
            }

            @Override
            public void prox(Matrix p, double step) {
                double[] pd = p.data();
                for (int k = 0; k < pd.length; k++) {
                    pd[k] = phi.proxH(pd[k], step * lambda[k % n]);
                }
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
        for (int k = 0; k < pd.length; k++) {
            double d = xd[k] - pd[k];
            values[k / n] += lambda[k % n] * FenchelDivergence.value(phi, pd[k], zd[k]) + 0.5 * mu * d * d;
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
