package org.idl.linalg;

/** Argument checks whose messages name the argument and the offending value. */
public final class Checks {
    private Checks() {
    }

    public static void nonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
    }

    public static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }

    public static void nonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value);
        }
    }

    public static void positive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and > 0, got " + value);
        }
    }

    /** kappa, the bound on ||A||_inf, must lie strictly between 0 and 1. */
    public static void openUnitInterval(String name, double value) {
        if (!(value > 0 && value < 1)) {
            throw new IllegalArgumentException(name + " must be in (0, 1), got " + value);
        }
    }

    public static void square(String name, Matrix m) {
        if (m.rows() != m.cols()) {
            throw new IllegalArgumentException(name + " must be square, got " + m.shape());
        }
    }

    public static void sameShape(String a, Matrix x, String b, Matrix y) {
        if (x.rows() != y.rows() || x.cols() != y.cols()) {
            throw new IllegalArgumentException(a + " is " + x.shape() + " but " + b + " is " + y.shape());
        }
    }

    public static void sameRows(String a, Matrix x, String b, Matrix y) {
        if (x.rows() != y.rows()) {
            throw new IllegalArgumentException(a + " has " + x.rows() + " rows but " + b + " has " + y.rows()
                    + " (" + a + " is " + x.shape() + ", " + b + " is " + y.shape() + ")");
        }
    }

    public static void sameCols(String a, Inputs x, String b, Inputs y) {
        if (x.cols() != y.cols()) {
            throw new IllegalArgumentException(a + " has " + x.cols() + " columns but " + b + " has " + y.cols()
                    + " (" + a + " is " + x.rows() + " x " + x.cols() + ", " + b + " is " + y.rows() + " x " + y.cols()
                    + ")");
        }
    }

    public static void shape(String name, Matrix m, int rows, int cols) {
        if (m.rows() != rows || m.cols() != cols) {
            throw new IllegalArgumentException(name + " must be " + rows + " x " + cols + ", got " + m.shape());
        }
    }

    public static double[] finite(String name, double[] v) {
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new IllegalArgumentException(name + "[" + i + "] is " + v[i]);
            }
        }
        return v;
    }
}
