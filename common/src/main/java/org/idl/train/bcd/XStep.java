package org.idl.train.bcd;

import org.idl.linalg.Checks;
import org.idl.linalg.Lipschitz;
import org.idl.linalg.Matrix;
import org.idl.model.Activation;

/**
 * The X-step (14), separable over columns:
 * {@code min_X sum_i lambda_i F(P_i, (A X + B U)_i) + mu/2 ||X - P||^2}. Smooth and strongly convex
 * (F is convex in z through h*), with gradient {@code A^T Lam (phi(AX + BU) - P) + mu (X - P)} and
 * Lipschitz constant {@code max(lambda) ||A||_2^2 + mu}; solved by accelerated gradient. Used by the
 * paper's schedule only: the recipe re-syncs X to the true fixed point instead.
 */
public final class XStep {
    private XStep() {
    }

    public static StepResult solve(Activation phi, double[] lambda, double mu,
                                   Matrix a, Matrix bu, Matrix p, Matrix start, int iterations) {
        int n = a.rows();
        Checks.square("A", a);
        Checks.sameShape("BU", bu, "P", p);
        Checks.sameShape("start", start, "P", p);
        Checks.sameRows("A", a, "P", p);
        PStep.requireLambda(lambda, n);
        Checks.nonNegative("mu", mu);
        double[] before = columnObjectives(phi, lambda, mu, a, bu, p, start);
        double maxLambda = 0;
        for (double l : lambda) {
            maxLambda = Math.max(maxLambda, l);
        }
        double lipschitz = Lipschitz.ofGram(maxLambda, a, 200, mu);
        Fista.Problem problem = new Fista.Problem() {
            @Override
            public Matrix gradient(Matrix x) {
                Matrix r = bu.copy();
                Matrix.gemm(1.0, a, false, x, false, 1.0, r);
                double[] rd = r.data();
                double[] pd = p.data();
                for (int k = 0; k < rd.length; k++) {
                    rd[k] = lambda[k % n] * (phi.apply(rd[k]) - pd[k]);
                }
                Matrix g = x.minus(p).scaleInPlace(mu);
                Matrix.gemm(1.0, a, true, r, false, 1.0, g);
                return g;
            }

            @Override
            public void prox(Matrix x, double step) {
            }
        };
        Matrix x = Fista.minimise(problem, start, lipschitz, iterations, true);
        double[] after = columnObjectives(phi, lambda, mu, a, bu, p, x);
        return PStep.keepBetterColumns(start, before, x, after);
    }

    /** {@code sum_i lambda_i F(P_i, (A X + B U)_i) + mu/2 ||X - P||^2}, summed over columns. */
    public static double objective(Activation phi, double[] lambda, double mu, Matrix a, Matrix bu, Matrix p, Matrix x) {
        double total = 0;
        for (double v : columnObjectives(phi, lambda, mu, a, bu, p, x)) {
            total += v;
        }
        return total;
    }

    static double[] columnObjectives(Activation phi, double[] lambda, double mu, Matrix a, Matrix bu, Matrix p,
                                     Matrix x) {
        Matrix z = bu.copy();
        Matrix.gemm(1.0, a, false, x, false, 1.0, z);
        double[] values = new double[x.cols()];
        PStep.addRelaxationTerms(values, phi, lambda, mu, p, z, x);
        return values;
    }
}
