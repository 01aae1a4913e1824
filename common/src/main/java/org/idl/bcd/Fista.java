package org.idl.bcd;

import org.idl.linalg.Matrix;

/**
 * Accelerated proximal gradient (FISTA, Beck and Teboulle 2009) with the gradient-based adaptive
 * restart of O'Donoghue and Candes (2015): momentum is reset whenever the last step went uphill,
 * which keeps the iteration from oscillating on the strongly convex subproblems of BCD.
 */
final class Fista {
    private Fista() {
    }

    interface Problem {
        /** The gradient of the smooth part at w. */
        Matrix gradient(Matrix w);

        /** The proximal map of step * (non-smooth part), in place (a projection for an indicator). */
        void prox(Matrix w, double step);
    }

    static Matrix minimise(Problem problem, Matrix start, double lipschitz, int iterations) {
        double step = 1.0 / lipschitz;
        Matrix x = start.copy();
        Matrix yk = start.copy();
        double t = 1;
        for (int it = 0; it < iterations; it++) {
            Matrix g = problem.gradient(yk);
            Matrix next = yk.copy().addInPlace(-step, g);
            problem.prox(next, step);
            // Restart when the generalised gradient points against the step just taken.
            double[] nd = next.data();
            double[] yd = yk.data();
            double[] xd = x.data();
            double uphill = 0;
            for (int k = 0; k < nd.length; k++) {
                uphill += (yd[k] - nd[k]) * (nd[k] - xd[k]);
            }
            double tNext;
            if (uphill > 0) {
                tNext = 1;
                yk = next.copy();
            } else {
                tNext = 0.5 * (1 + Math.sqrt(1 + 4 * t * t));
                double beta = (t - 1) / tNext;
                yk = next.copy();
                double[] ykd = yk.data();
                for (int k = 0; k < nd.length; k++) {
                    ykd[k] += beta * (nd[k] - xd[k]);
                }
            }
            t = tNext;
            x = next;
        }
        return x;
    }
}
