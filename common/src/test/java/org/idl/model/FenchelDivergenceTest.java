package org.idl.model;

import org.idl.linalg.Matrix;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Fenchel divergences (7), (8) and of leaky ReLU, and the activations' scalar solvers. */
class FenchelDivergenceTest {

    private static final double SLOPE = 0.1;
    private static final Activation LEAKY = Activation.leakyRelu(SLOPE);
    private static final Activation[] ALL = {Activation.RELU, Activation.TANH, LEAKY, Activation.SIGMOID};

    /** A point of the domain of h: x >= 0 for ReLU, |x| <= 1 for tanh, anything for leaky ReLU. */
    private static double domainPoint(Activation phi, Random random) {
        if (phi == Activation.RELU) {
            return 4 * random.nextDouble() * random.nextDouble();
        }
        if (phi == Activation.TANH) {
            return random.nextInt(20) == 0 ? (random.nextBoolean() ? 1.0 : -1.0) : 2 * random.nextDouble() - 1;
        }
        if (phi == Activation.SIGMOID) {
            return random.nextInt(20) == 0 ? (random.nextBoolean() ? 1.0 : 0.0) : random.nextDouble();
        }
        return 6 * random.nextGaussian();
    }

    @Test
    void divergenceIsNonNegativeAndStronglyConvexInX() {
        Random random = new Random(1);
        for (Activation phi : ALL) {
            for (int k = 0; k < 20000; k++) {
                double x = domainPoint(phi, random);
                double z = 8 * random.nextGaussian();
                double f = FenchelDivergence.value(phi, x, z);
                assertTrue(f >= 0, phi + " F(" + x + ", " + z + ") = " + f);
                // h is 1-strongly convex on its domain (h'' = 1, 1/slope, 1/(1-x^2)), so the divergence
                // (a Bregman divergence of h at phi(z)) is at least (x - phi(z))^2 / 2.
                double delta = x - phi.apply(z);
                double tol = 1e-12 * (1 + Math.abs(x * z) + z * z);
                assertTrue(f >= 0.5 * delta * delta - tol, phi + " F(" + x + ", " + z + ") = " + f + " < "
                        + 0.5 * delta * delta);
            }
            // A grid as well, including the kink at 0.
            for (int i = -20; i <= 20; i++) {
                for (int j = -20; j <= 20; j++) {
                    double x = phi == Activation.RELU ? Math.abs(i) / 5.0 : phi == Activation.TANH ? i / 20.0
                            : phi == Activation.SIGMOID ? (i + 20) / 40.0 : i / 5.0;
                    double z = j / 4.0;
                    assertTrue(FenchelDivergence.value(phi, x, z) >= 0);
                }
            }
        }
    }

    @Test
    void divergenceVanishesExactlyOnTheGraph() {
        Random random = new Random(2);
        for (Activation phi : ALL) {
            double tol = phi == Activation.TANH ? 1e-10 : 1e-12;
            for (int k = 0; k < 5000; k++) {
                double z = k < 100 ? (k - 50) / 10.0 : 6 * random.nextGaussian();
                double f = FenchelDivergence.value(phi, phi.apply(z), z);
                assertEquals(0.0, f, tol * Math.max(1, z * z), phi + " F(phi(z), z) at z = " + z);
            }
        }
    }

    @Test
    void divergenceIsClearlyPositiveOffTheGraph() {
        Random random = new Random(3);
        for (Activation phi : ALL) {
            int checked = 0;
            for (int k = 0; k < 20000; k++) {
                double x = domainPoint(phi, random);
                double z = 4 * random.nextGaussian();
                if (Math.abs(x - phi.apply(z)) >= 1e-2) {
                    checked++;
                    double f = FenchelDivergence.value(phi, x, z);
                    assertTrue(f > 1e-8, phi + " F(" + x + ", " + z + ") = " + f);
                }
            }
            assertTrue(checked > 10000);
        }
    }

    @Test
    void divergencesHaveThePapersFormulas() {
        Random random = new Random(4);
        for (int k = 0; k < 5000; k++) {
            double z = 5 * random.nextGaussian();
            // (7): 1/2 x^2 + 1/2 relu(z)^2 - x z for x >= 0, +inf below.
            double x = Math.abs(3 * random.nextGaussian());
            double relu = Math.max(z, 0);
            assertEquals(0.5 * x * x + 0.5 * relu * relu - x * z, FenchelDivergence.value(Activation.RELU, x, z),
                    1e-12 * (1 + x * x + z * z));
            assertEquals(Double.POSITIVE_INFINITY, FenchelDivergence.value(Activation.RELU, -x - 1e-9, z));
            // (8): h(x) + log cosh z - x z on |x| <= 1.
            double t = 2 * random.nextDouble() - 1;
            double h = 0.5 * ((1 + t) * Math.log(1 + t) + (1 - t) * Math.log(1 - t));
            assertEquals(h + Math.log(Math.cosh(z)) - t * z, FenchelDivergence.value(Activation.TANH, t, z),
                    1e-12 * (1 + Math.abs(z)));
            assertEquals(Double.POSITIVE_INFINITY, FenchelDivergence.value(Activation.TANH, 1 + 1e-9, z));
            // Leaky ReLU: h(x) = x^2/2 (x >= 0), x^2/(2 slope) (x < 0); h*(z) = z^2/2, slope z^2/2.
            double y = 3 * random.nextGaussian();
            double hy = y >= 0 ? 0.5 * y * y : 0.5 * y * y / SLOPE;
            double hz = z >= 0 ? 0.5 * z * z : 0.5 * SLOPE * z * z;
            assertEquals(hy + hz - y * z, FenchelDivergence.value(LEAKY, y, z), 1e-12 * (1 + y * y / SLOPE + z * z));
        }
        // Huge |z| for tanh: log cosh without overflow.
        assertEquals(0.0, FenchelDivergence.value(Activation.TANH, 1.0, 800.0), 1e-9);
        assertEquals(1600.0, FenchelDivergence.value(Activation.TANH, -1.0, 800.0), 1e-9);
    }

    @Test
    void weightedSumWeighsEachUnit() {
        Random random = new Random(5);
        Matrix z = Matrix.gaussian(3, 4, 2, random);
        Matrix x = Matrix.gaussian(3, 4, 2, random);
        double[] lambda = {0.5, 2, 0};
        double expected = 0;
        for (int i = 0; i < 3; i++) {
            for (int c = 0; c < 4; c++) {
                expected += lambda[i] * FenchelDivergence.value(LEAKY, x.get(i, c), z.get(i, c));
            }
        }
        assertEquals(expected, FenchelDivergence.weightedSum(LEAKY, x, z, lambda), 1e-12 * expected);
        assertThrows(IllegalArgumentException.class, () -> FenchelDivergence.weightedSum(LEAKY, x, z, new double[2]));
    }

    /** The P-step's column form: each entry's own prox, its row's t (ReLU's multiplies by 1/(1+t): 1 ulp). */
    @Test
    void proxOfColumnsIsEachEntrysProx() {
        Random random = new Random(8);
        double[] t = {0, 0.3, 2.5};
        for (Activation phi : ALL) {
            double[] values = new double[12];
            for (int k = 0; k < values.length; k++) {
                values[k] = 2 * random.nextGaussian();
            }
            double[] columns = values.clone();
            phi.proxHColumns(columns, t);
            for (int k = 0; k < values.length; k++) {
                double expected = phi.proxH(values[k], t[k % 3]);
                assertEquals(expected, columns[k], 2 * Math.ulp(expected), phi + " entry " + k);
            }
        }
    }

    @Test
    void proxMatchesBruteForceMinimisation() {
        Random random = new Random(6);
        for (Activation phi : ALL) {
            for (int k = 0; k < 300; k++) {
                double v = 3 * random.nextGaussian();
                double t = k % 10 == 0 ? 0 : Math.exp(2 * random.nextGaussian());
                double p = phi.proxH(v, t);
                assertTrue(phi.h(p) < Double.POSITIVE_INFINITY, phi + " prox outside the domain: " + p);
                boolean sigmoid = phi == Activation.SIGMOID;
                double lo = phi == Activation.TANH ? -1 : (phi == Activation.RELU || sigmoid ? 0 : -Math.abs(v) - 1);
                double hi = phi == Activation.TANH || sigmoid ? 1 : Math.abs(v) + 1;
                double brute = goldenSection(q -> 0.5 * (q - v) * (q - v) + t * phi.h(q), lo, hi);
                String what = phi + " prox(v = " + v + ", t = " + t + ")";
                assertEquals(brute, p, 1e-6, what);
                double fp = 0.5 * (p - v) * (p - v) + t * phi.h(p);
                double fb = 0.5 * (brute - v) * (brute - v) + t * phi.h(brute);
                assertTrue(fp <= fb + 1e-12 * (1 + Math.abs(fb)), what + ": " + fp + " > " + fb);
                // Optimality: p - v + t h'(p) = 0 where h is differentiable (away from the ReLU boundary).
                // For tanh with 1 - |p| below 1e-12 the root can lie beyond double resolution (atanh
                // grows only logarithmically); the objective comparison above covers those cases.
                boolean resolvable = sigmoid ? p > 1e-12 && 1 - p > 1e-12
                        : phi != Activation.TANH || 1 - Math.abs(p) > 1e-12;
                if (t > 0 && (phi != Activation.RELU || p > 0) && resolvable) {
                    double hPrime = phi == Activation.TANH ? 0.5 * Math.log((1 + p) / (1 - p))
                            : sigmoid ? Math.log(p / (1 - p)) : p >= 0 ? p : p / SLOPE;
                    // Near the ends of tanh's domain an error e in p moves the residual by e (1 + t h''(p)).
                    double hSecond = phi == Activation.TANH ? 1 / (1 - p * p) : sigmoid ? 1 / (p * (1 - p))
                            : p >= 0 ? 1 : 1 / SLOPE;
                    double conditioning = 1e-14 * (1 + t * hSecond); // p within 1e-14 of the root
                    assertEquals(0.0, p - v + t * hPrime, 1e-12 * (1 + Math.abs(v)) + conditioning, what);
                }
            }
        }
    }

    private static double goldenSection(java.util.function.DoubleUnaryOperator f, double lo, double hi) {
        double g = (Math.sqrt(5) - 1) / 2;
        double a = lo;
        double b = hi;
        double c = b - g * (b - a);
        double d = a + g * (b - a);
        double fc = f.applyAsDouble(c);
        double fd = f.applyAsDouble(d);
        for (int it = 0; it < 200; it++) {
            if (fc <= fd) {
                b = d;
                d = c;
                fd = fc;
                c = b - g * (b - a);
                fc = f.applyAsDouble(c);
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + g * (b - a);
                fd = f.applyAsDouble(d);
            }
        }
        // The end points too: the minimiser may sit on the boundary of the domain.
        double mid = 0.5 * (a + b);
        double best = mid;
        for (double cand : new double[]{lo, hi}) {
            if (f.applyAsDouble(cand) < f.applyAsDouble(best)) {
                best = cand;
            }
        }
        return best;
    }

    @Test
    void solveScalarSolvesTheScalarFixedPoint() {
        Random random = new Random(7);
        for (Activation phi : ALL) {
            for (int k = 0; k < 5000; k++) {
                double a = k % 7 == 0 ? 0 : -3 + 3.95 * random.nextDouble(); // (-3, 0.95)
                double s = 3 * random.nextGaussian();
                double x = phi.solveScalar(a, s);
                double rhs = phi.apply(a * x + s);
                assertEquals(rhs, x, 1e-12 * Math.max(1, Math.abs(x)), phi + " x = phi(a x + s), a = " + a + ", s = " + s);
                if (a == 0) {
                    assertEquals(phi.apply(s), x, 1e-15);
                }
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> phi.solveScalar(1.0, 0.3));
            assertTrue(e.getMessage().contains("1.0"), e.getMessage());
        }
        // Close to a = 1 the ReLU and leaky solutions blow up as s / (1 - a).
        assertEquals(2.0 / (1 - 0.999), Activation.RELU.solveScalar(0.999, 2.0), 1e-9);
        assertEquals(SLOPE * -2.0 / (1 - SLOPE * 0.999), LEAKY.solveScalar(0.999, -2.0), 1e-12);
    }
}
