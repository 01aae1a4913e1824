package org.idl.train.bcd;

import org.idl.linalg.Matrix;

/**
 * Accelerated proximal gradient (FISTA, Beck and Teboulle 2009) with the gradient-based adaptive
 * restart of O'Donoghue and Candes (2015): momentum is reset whenever the last step went uphill,
 * which keeps the iteration from oscillating on the strongly convex subproblems of BCD.
 *
 * <p>For the state steps, whose problems are separable over columns (one per data point), the
 * momentum and its restarts are kept per column: each column then follows exactly the iteration it
 * would alone, so the result does not depend on how the data points are grouped into blocks.
 */
public final class Fista {
    private Fista() {
    }

    public interface Problem {
        /** The gradient of the smooth part at w. */
        Matrix gradient(Matrix w);

        /** The proximal map of step * (non-smooth part), in place (a projection for an indicator). */
        void prox(Matrix w, double step);

        /**
         * One proximal gradient step from w into {@code out} (of w's shape): {@code prox(w - step
         * gradient(w))}. A problem can override it to form the step in {@code out} without a matrix
         * for the gradient.
         */
        default void proximalStep(Matrix w, double step, Matrix out) {
            System.arraycopy(w.data(), 0, out.data(), 0, out.data().length);
            out.addInPlace(-step, gradient(w));
            prox(out, step);
        }
    }

    public static Matrix minimise(Problem problem, Matrix start, double lipschitz, int iterations) {
        return minimise(problem, start, lipschitz, iterations, false);
    }

    static Matrix minimise(Problem problem, Matrix start, double lipschitz, int iterations, boolean columnwise) {
        double step = 1.0 / lipschitz;
        int rows = Math.max(1, start.rows());
        int groups = columnwise ? start.cols() : 1;
        double[] t = new double[groups];
        java.util.Arrays.fill(t, 1.0);
        double[] uphill = new double[groups];
        Matrix x = start.copy();
        Matrix yk = start.copy();
        // Each step's x is dead once the next extrapolation is computed: its storage takes the step after.
        Matrix spare = Matrix.zeros(start.rows(), start.cols());
        // Columns are contiguous blocks of `rows` entries: loop over (group, entry) rather than
        // dividing every index (an integer division per entry cost more than the arithmetic).
        int stride = columnwise ? rows : Math.max(1, start.data().length);
        for (int it = 0; it < iterations; it++) {
            Matrix next = spare;
            problem.proximalStep(yk, step, next);
            double[] nd = next.data();
            double[] yd = yk.data();
            double[] xd = x.data();
            java.util.Arrays.fill(uphill, 0.0);
            for (int from = 0, g = 0; from < nd.length; from += stride, g++) {
                double sum = uphill[g];
                for (int k = from, end = Math.min(nd.length, from + stride); k < end; k++) {
                    sum += (yd[k] - nd[k]) * (nd[k] - xd[k]);
                }
                uphill[g] = sum;
            }
            double[] beta = new double[groups];
            for (int g = 0; g < groups; g++) {
                // Restart when the generalised gradient points against the step just taken.
                if (uphill[g] > 0) {
                    t[g] = 1;
                    beta[g] = 0;
                } else {
                    double tNext = 0.5 * (1 + Math.sqrt(1 + 4 * t[g] * t[g]));
                    beta[g] = (t[g] - 1) / tNext;
                    t[g] = tNext;
                }
            }
            // The next extrapolation point, written over the old one (no longer needed).
            for (int from = 0, g = 0; from < nd.length; from += stride, g++) {
                double b = beta[g];
                for (int k = from, end = Math.min(nd.length, from + stride); k < end; k++) {
                    yd[k] = nd[k] + b * (nd[k] - xd[k]);
                }
            }
            spare = x;
            x = next;
        }
        return x;
    }
}
