package org.idl.linalg;

/**
 * The Lipschitz constant of a gradient {@code weight * M (T - T0) + shift * T}, the step size of every
 * proximal-gradient step (P, X, (A,B), readout). M's largest eigenvalue comes from power iteration,
 * which approaches it from below, so the estimate is padded by 2%: a step too long by a hair breaks
 * FISTA's descent, one 2% short costs nothing measurable.
 */
public final class Lipschitz {
    private static final double MARGIN = 1.02;
    private static final double FLOOR = 1e-12;

    private Lipschitz() {
    }

    /** For M = {@code psd}, symmetric positive semi-definite. */
    public static double ofPsd(double weight, Matrix psd, int iterations, double shift) {
        return weight * psd.largestEigenvaluePsd(iterations) * MARGIN + shift + FLOOR;
    }

    /** For M = {@code m}^T {@code m} (or {@code m m}^T: the same largest eigenvalue). */
    public static double ofGram(double weight, Matrix m, int iterations, double shift) {
        return weight * m.spectralNormSquared(iterations) * MARGIN + shift + FLOOR;
    }
}
