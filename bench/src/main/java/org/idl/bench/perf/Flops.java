package org.idl.bench.perf;

/**
 * Floating-point operation counts of the BCD recipe's pieces, BLAS level 3 only (what the trainer
 * hands to dgemm / dsyrk). A product {@code (a x k) (k x b)} is {@code 2abk}; {@code dsyrk} of an
 * {@code a x k} matrix is counted as {@code a^2 k} (half a general product). Elementwise work
 * (activations, softmax, prox, FISTA's vector updates, the Fenchel divergence) is not counted: it is
 * O(nm) per sweep against O(n(n+p)m) for the products, but memory-bound, so it shows up as time
 * without FLOPs.
 *
 * <p>Symbols: {@code m} columns (data points) of the block, {@code n} hidden units, {@code P} inputs
 * with the bias row (p + 1), {@code q} outputs, {@code N = n + P}.
 */
public final class Flops {
    private Flops() {
    }

    public static double gemm(double a, double b, double k) {
        return 2 * a * b * k;
    }

    /**
     * Recipe state pass, before the P-step: {@code Z = BU + AX} (unless the re-sync left it:
     * {@code withZ} false), {@code DU}, {@code Yhat = DU + CX}.
     */
    public static double stateProducts(int n, int pb, int q, long m, boolean withZ) {
        return (withZ ? gemm(n, m, pb) + gemm(n, m, n) : 0) + gemm(q, m, pb) + gemm(q, m, n);
    }

    /**
     * P-step (15), {@code iterations} of accelerated proximal gradient: per iteration {@code C P}
     * and {@code C^T dL}; plus the objective before and after ({@code C P} each) and {@code C C^T} for
     * the step size.
     */
    public static double pStep(int n, int q, long m, int iterations) {
        return iterations * (gemm(q, m, n) + gemm(n, m, q)) + 2 * gemm(q, m, n) + gemm(q, q, n);
    }

    /**
     * (A,B)-step statistics (13): {@code G = [R X^T, R U^T]}, and with {@code withGram} {@code X X^T}
     * (dsyrk) and {@code X U^T}.
     */
    public static double abStatistics(int n, int pb, long m, boolean withGram) {
        return gemm(n, n, m) + gemm(n, pb, m) + (withGram ? (double) n * n * m + gemm(n, pb, m) : 0);
    }

    /** {@code B U}, the start of every fixed-point solve. */
    public static double bu(int n, int pb, long m) {
        return gemm(n, m, pb);
    }

    /** Picard iterations {@code X <- phi(AX + BU)}: one {@code A X} each. */
    public static double picard(int n, long m, long iterations) {
        return iterations * gemm(n, m, n);
    }

    /**
     * Readout (C,D)-step statistics (12): {@code Yhat = CS + DU}, {@code dL S^T}, {@code dL U^T}; with
     * the Gram blocks also {@code S S^T} (dsyrk) and {@code S U^T}.
     */
    public static double readoutStatistics(int n, int pb, int q, long m, boolean withGram) {
        double f = gemm(q, m, n) + gemm(q, m, pb) + gemm(q, n, m) + gemm(q, pb, m);
        return withGram ? f + (double) n * n * m + gemm(n, pb, m) : f;
    }

    /** {@code U U^T} (dsyrk), gathered once. */
    public static double uuGram(int pb, long m) {
        return (double) pb * pb * m;
    }

    /**
     * The (A,B)-step's driver solve, in the eigenbasis of U U^T (B free, as the profile runs it): per
     * FISTA step {@code dA K_xx}, {@code dB' M^T} and {@code dA M} with M = K_xu Q (n x n by n, n x P
     * by P, n x n by P), two more
     * for the values at the start and the end; once, the rotations {@code K_xu Q}, {@code G_B Q},
     * {@code B0 Q} and {@code B' Q^T} (n x P by P each).
     */
    public static double abSolveRotated(int n, int pb, int iterations, int powerIterations) {
        int nn = n + pb;
        double step = gemm(n, n, n) + 2 * gemm(n, pb, n);
        return (iterations + 2) * step + 4 * gemm(n, pb, pb) + powerIterations * 2.0 * nn * nn;
    }

    /**
     * One readout driver solve without penalties: {@code Theta0 S}, Cholesky of the N x N system
     * ({@code N^3/3}), the two triangular solves for q right-hand sides, and {@code Delta S}.
     */
    public static double readoutSolve(int n, int pb, int q) {
        double nn = n + pb;
        return gemm(q, nn, nn) + nn * nn * nn / 3 + 2 * q * nn * nn + gemm(q, nn, nn);
    }

    /** X-step (14), paper schedule only: per iteration {@code A X} and {@code A^T R}; objective before and after. */
    public static double xStep(int n, long m, int iterations) {
        return iterations * 2 * gemm(n, m, n) + 2 * gemm(n, m, n);
    }
}
