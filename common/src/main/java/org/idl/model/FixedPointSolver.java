package org.idl.model;

import org.idl.linalg.Matrix;

import java.io.Serializable;

/** Solves {@code X = phi(A X + BU)} for a block of columns at once (each column one data point). */
public interface FixedPointSolver extends Serializable {

    /** What a solve returns: the states, the iterations taken, and a certified bound on {@code ||X - X*||_inf}. */
    record Result(Matrix states, int iterations, double certifiedError) {
    }

    /**
     * @param bu   {@code B U}, n x m
     * @param warm a starting guess for X (n x m), or null to start from {@code phi(BU)}
     */
    Result solve(Matrix bu, Matrix warm);

    /**
     * As {@link #solve}, with the tolerance met by every column on its own: a column's answer then
     * depends on that column alone, not on the others in the block, however loose the tolerance.
     * (The default is {@link #solve}, right for solvers whose answer is exact.)
     */
    default Result solveEachColumn(Matrix bu, Matrix warm) {
        return solve(bu, warm);
    }

    /**
     * The solver A's structure calls for: substitution when A is triangular (exact), otherwise Picard
     * with the best contraction certificate. A matrix without a certificate is refused, never answered
     * with an unconverged state.
     */
    static FixedPointSolver forMatrix(Matrix a, Activation phi, double relativeTolerance) {
        WellPosedness.Structure structure = WellPosedness.structure(a);
        if (structure.triangular()) {
            return new SubstitutionSolver(a, phi, structure);
        }
        WellPosedness.Certificate certificate = WellPosedness.certify(a);
        if (!certificate.valid()) {
            throw new IllegalArgumentException(String.format(
                    "A (%d x %d) has no well-posedness certificate: ||A||_inf = %.6g and rho(|A|) ~ %.6g"
                            + " (best scaled contraction factor %.6g) are not below 1, and A is not triangular",
                    a.rows(), a.cols(), certificate.infNorm(), certificate.spectralRadiusEstimate(),
                    certificate.factor()));
        }
        return new PicardSolver(a, phi, certificate, relativeTolerance);
    }
}
