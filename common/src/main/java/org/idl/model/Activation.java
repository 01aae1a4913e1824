package org.idl.model;

import java.io.Serializable;
import java.util.Locale;

/**
 * A non-expansive, monotone activation phi together with the convex pair that defines its Fenchel
 * divergence: {@code phi = (h*)'}, so that {@code F(x, z) = h(x) + h*(z) - x z >= 0} with equality
 * exactly when {@code x = phi(z)} (paper section 4.1, (7) for ReLU, (8) for tanh).
 *
 * <p>Every activation here is 1-Lipschitz, so {@code ||A||_inf < 1} makes the model well-posed. All but
 * the sigmoid have phi(0) = 0.
 */
public abstract sealed class Activation implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final Activation RELU = new Relu();
    public static final Activation TANH = new Tanh();
    public static final Activation SIGMOID = new Sigmoid();

    public static Activation leakyRelu(double slope) {
        return new LeakyRelu(slope);
    }

    /** Parses {@code relu}, {@code tanh}, {@code sigmoid}, {@code leaky_relu} (slope 0.01) or {@code leaky_relu:<slope>}. */
    public static Activation parse(String spec) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("relu")) {
            return RELU;
        }
        if (s.equals("tanh")) {
            return TANH;
        }
        if (s.equals("sigmoid")) {
            return SIGMOID;
        }
        if (s.equals("leaky_relu")) {
            return leakyRelu(0.01);
        }
        if (s.startsWith("leaky_relu:")) {
            try {
                return leakyRelu(Double.parseDouble(s.substring("leaky_relu:".length())));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("activation '" + spec + "' has a slope that is not a number");
            }
        }
        throw new IllegalArgumentException("unknown activation '" + spec
                + "'; expected relu, tanh, sigmoid, leaky_relu or leaky_relu:<slope>");
    }

    /** The name {@link #parse} reads back. */
    public abstract String spec();

    public abstract double apply(double z);

    /** phi'(z) (a subgradient at kinks). */
    public abstract double derivative(double z);

    /** h(x), +infinity outside its domain. */
    public abstract double h(double x);

    /** h*(z), whose derivative is phi. */
    public abstract double hStar(double z);

    /** {@code argmin_p 1/2 (p - v)^2 + t h(p)}, for t >= 0: the proximal map of t h. */
    public abstract double proxH(double v, double t);

    /**
     * {@link #proxH} in place on every entry of column-major {@code values} with {@code t.length} rows,
     * row i with {@code t[i]}.
     */
    public void proxHColumns(double[] values, double[] t) {
        int n = t.length;
        for (int col = 0; col < values.length; col += n) {
            for (int i = 0; i < n; i++) {
                values[col + i] = proxH(values[col + i], t[i]);
            }
        }
    }

    /**
     * The unique x with {@code x = phi(a x + s)}, for a < 1: one row of a substitution solve when A
     * is triangular with diagonal entry a.
     */
    public abstract double solveScalar(double a, double s);

    /** Applies phi to every entry of {@code values} in place. */
    public void applyInPlace(double[] values) {
        for (int k = 0; k < values.length; k++) {
            values[k] = apply(values[k]);
        }
    }

    @Override
    public String toString() {
        return spec();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Activation a && a.spec().equals(spec());
    }

    @Override
    public int hashCode() {
        return spec().hashCode();
    }

    static void requireBelowOne(double a) {
        if (!(a < 1)) {
            throw new IllegalArgumentException("diagonal entry " + a + " must be < 1 for a unique scalar fixed point");
        }
    }

    /** ReLU: h(x) = x^2/2 on x >= 0, h*(z) = relu(z)^2/2; F is (7). */
    static final class Relu extends Activation {
        private static final long serialVersionUID = 1L;

        @Override
        public String spec() {
            return "relu";
        }

        @Override
        public double apply(double z) {
            // Math.max, not a conditional: C2 turns it into vector max instructions (3-4x faster on
            // 100 x 128 blocks, measured), and it keeps a NaN a NaN.
            return Math.max(z, 0.0);
        }

        @Override
        public void applyInPlace(double[] values) {
            for (int k = 0; k < values.length; k++) {
                values[k] = Math.max(values[k], 0.0);
            }
        }

        @Override
        public double derivative(double z) {
            return z > 0 ? 1.0 : 0.0;
        }

        @Override
        public double h(double x) {
            return x >= 0 ? 0.5 * x * x : Double.POSITIVE_INFINITY;
        }

        @Override
        public double hStar(double z) {
            double r = Math.max(z, 0.0);
            return 0.5 * r * r;
        }

        @Override
        public double proxH(double v, double t) {
            // Branch-free, as apply: the P-step takes this for every entry in every iteration, and
            // with v > 0 for about half the entries, a conditional mispredicted on half of them
            // (a fifth of the P-step's time on MNIST). The same values, but that a NaN now stays NaN.
            return Math.max(v, 0.0) / (1 + t);
        }

        @Override
        public void proxHColumns(double[] values, double[] t) {
            // One division per row, not per entry: the P-step applies this to every entry in every iteration.
            int n = t.length;
            double[] scale = new double[n];
            for (int i = 0; i < n; i++) {
                scale[i] = 1 / (1 + t[i]);
            }
            for (int col = 0; col < values.length; col += n) {
                for (int i = 0; i < n; i++) {
                    values[col + i] = Math.max(values[col + i], 0.0) * scale[i];
                }
            }
        }

        @Override
        public double solveScalar(double a, double s) {
            requireBelowOne(a);
            // x = relu(a x + s): positive root s / (1 - a) if s > 0, else x = 0.
            return s > 0 ? s / (1 - a) : 0.0;
        }

        private Object readResolve() {
            return RELU;
        }
    }

    /** tanh: h(x) = ((1+x)log(1+x) + (1-x)log(1-x))/2 on |x| <= 1, h*(z) = log cosh z; F is (8). */
    static final class Tanh extends Activation {
        private static final long serialVersionUID = 1L;

        @Override
        public String spec() {
            return "tanh";
        }

        @Override
        public double apply(double z) {
            return Math.tanh(z);
        }

        @Override
        public double derivative(double z) {
            double t = Math.tanh(z);
            return 1 - t * t;
        }

        @Override
        public double h(double x) {
            double ax = Math.abs(x);
            if (ax > 1) {
                return Double.POSITIVE_INFINITY;
            }
            return 0.5 * (xlogx(1 + x) + xlogx(1 - x));
        }

        private static double xlogx(double y) {
            return y == 0 ? 0.0 : y * Math.log(y);
        }

        @Override
        public double hStar(double z) {
            double a = Math.abs(z);
            // log cosh z without overflow: |z| + log(1 + e^{-2|z|}) - log 2.
            return a + Math.log1p(Math.exp(-2 * a)) - Math.log(2);
        }

        @Override
        public double proxH(double v, double t) {
            // Solve p + t atanh(p) = v on (-1, 1): strictly increasing, so bisection then Newton.
            if (t == 0) {
                return Math.max(-1, Math.min(1, v));
            }
            double lo = -1, hi = 1;
            double p = Math.max(-0.999999, Math.min(0.999999, v / (1 + t)));
            for (int it = 0; it < 200; it++) {
                double g = p + t * atanh(p) - v;
                if (g > 0) {
                    hi = p;
                } else {
                    lo = p;
                }
                double next = p - g / (1 + t / (1 - p * p));
                if (!(next > lo && next < hi)) {
                    next = 0.5 * (lo + hi);
                }
                if (Math.abs(next - p) <= 1e-15 * Math.max(1, Math.abs(p)) || hi - lo <= 1e-16) {
                    return next;
                }
                p = next;
            }
            return p;
        }

        private static double atanh(double p) {
            return 0.5 * Math.log((1 + p) / (1 - p));
        }

        @Override
        public double solveScalar(double a, double s) {
            requireBelowOne(a);
            // g(x) = x - tanh(a x + s) is strictly increasing (g' = 1 - a tanh' > 0) with its root in [-1, 1].
            double lo = -1, hi = 1;
            double x = Math.tanh(s);
            for (int it = 0; it < 200; it++) {
                double th = Math.tanh(a * x + s);
                double g = x - th;
                if (g > 0) {
                    hi = x;
                } else {
                    lo = x;
                }
                double next = x - g / (1 - a * (1 - th * th));
                if (!(next >= lo && next <= hi)) {
                    next = 0.5 * (lo + hi);
                }
                if (Math.abs(next - x) <= 1e-16 * Math.max(1, Math.abs(x)) || hi - lo <= 1e-16) {
                    return next;
                }
                x = next;
            }
            return x;
        }

        private Object readResolve() {
            return TANH;
        }
    }

    /**
     * The logistic sigmoid 1 / (1 + e^-z), Spark MLlib's hidden-layer activation: h*(z) = log(1 + e^z)
     * (softplus), h(x) = x log x + (1 - x) log(1 - x) on [0, 1]. It is 1/4-Lipschitz and phi(0) = 1/2.
     */
    static final class Sigmoid extends Activation {
        private static final long serialVersionUID = 1L;

        @Override
        public String spec() {
            return "sigmoid";
        }

        @Override
        public double apply(double z) {
            return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
        }

        @Override
        public double derivative(double z) {
            double s = apply(z);
            return s * (1 - s);
        }

        @Override
        public double h(double x) {
            if (x < 0 || x > 1) {
                return Double.POSITIVE_INFINITY;
            }
            return xlogx(x) + xlogx(1 - x);
        }

        private static double xlogx(double y) {
            return y == 0 ? 0.0 : y * Math.log(y);
        }

        @Override
        public double hStar(double z) {
            // log(1 + e^z) without overflow.
            return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
        }

        @Override
        public double proxH(double v, double t) {
            // Solve p + t logit(p) = v on (0, 1): strictly increasing, so bisection then Newton.
            if (t == 0) {
                return Math.max(0, Math.min(1, v));
            }
            double lo = 0, hi = 1;
            double p = Math.max(1e-12, Math.min(1 - 1e-12, apply(v / t)));
            for (int it = 0; it < 200; it++) {
                double g = p + t * Math.log(p / (1 - p)) - v;
                if (g > 0) {
                    hi = p;
                } else {
                    lo = p;
                }
                double next = p - g / (1 + t / (p * (1 - p)));
                if (!(next > lo && next < hi)) {
                    next = 0.5 * (lo + hi);
                }
                if (Math.abs(next - p) <= 1e-15 * Math.max(1e-300, p) || hi - lo <= 1e-16) {
                    return next;
                }
                p = next;
            }
            return p;
        }

        @Override
        public double solveScalar(double a, double s) {
            requireBelowOne(a);
            // g(x) = x - sigmoid(a x + s) is strictly increasing (g' >= 1 - a/4 > 0) with its root in [0, 1].
            double lo = 0, hi = 1;
            double x = apply(s);
            for (int it = 0; it < 200; it++) {
                double sx = apply(a * x + s);
                double g = x - sx;
                if (g > 0) {
                    hi = x;
                } else {
                    lo = x;
                }
                double next = x - g / (1 - a * sx * (1 - sx));
                if (!(next >= lo && next <= hi)) {
                    next = 0.5 * (lo + hi);
                }
                if (Math.abs(next - x) <= 1e-16 * Math.max(1, Math.abs(x)) || hi - lo <= 1e-16) {
                    return next;
                }
                x = next;
            }
            return x;
        }

        private Object readResolve() {
            return SIGMOID;
        }
    }

    /** Leaky ReLU with slope 0 < alpha < 1: h*(z) = z^2/2 (z >= 0), alpha z^2/2 (z < 0). */
    static final class LeakyRelu extends Activation {
        private static final long serialVersionUID = 1L;
        private final double slope;

        LeakyRelu(double slope) {
            if (!(slope > 0 && slope < 1)) {
                throw new IllegalArgumentException("leaky ReLU slope must be in (0, 1), got " + slope);
            }
            this.slope = slope;
        }

        public double slope() {
            return slope;
        }

        @Override
        public String spec() {
            return "leaky_relu:" + slope;
        }

        @Override
        public double apply(double z) {
            return z >= 0 ? z : slope * z;
        }

        @Override
        public double derivative(double z) {
            return z >= 0 ? 1.0 : slope;
        }

        @Override
        public double h(double x) {
            return x >= 0 ? 0.5 * x * x : 0.5 * x * x / slope;
        }

        @Override
        public double hStar(double z) {
            return z >= 0 ? 0.5 * z * z : 0.5 * slope * z * z;
        }

        @Override
        public double proxH(double v, double t) {
            return v >= 0 ? v / (1 + t) : v / (1 + t / slope);
        }

        @Override
        public double solveScalar(double a, double s) {
            requireBelowOne(a);
            // Positively homogeneous: x >= 0 iff s >= 0; then x = s/(1-a), else x = slope s/(1 - slope a).
            return s >= 0 ? s / (1 - a) : slope * s / (1 - slope * a);
        }
    }
}
