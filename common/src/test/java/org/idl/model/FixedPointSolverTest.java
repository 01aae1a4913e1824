package org.idl.model;

import org.idl.linalg.Matrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.idl.linalg.TestMatrices.gaussianWithInfNorm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Picard with a certificate against exact substitution, and the certified stop itself. */
class FixedPointSolverTest {

    private static final Activation[] ACTIVATIONS = {Activation.RELU, Activation.TANH, Activation.leakyRelu(0.1)};
    private static final int N = 8;
    private static final int M = 20;

    enum Shape { STRICTLY_UPPER, STRICTLY_LOWER, UPPER_WITH_DIAGONAL }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"STRICTLY_UPPER, STRICTLY_UPPER, 1", "STRICTLY_LOWER, STRICTLY_LOWER, 2",
            "UPPER_WITH_DIAGONAL, UPPER_DIAGONAL_BELOW_ONE, 3"})
    void picardAndSubstitutionAgree(Shape shape, WellPosedness.Structure expected, long seed) {
        Random random = new Random(seed);
        for (Activation phi : ACTIVATIONS) {
            for (int trial = 0; trial < 3; trial++) {
                Matrix a = triangular(random, shape);
                assertTrue(a.infNorm() < 1);
                assertEquals(expected, WellPosedness.structure(a));
                Matrix bu = Matrix.gaussian(N, M, 2.0, random);

                FixedPointSolver chosen = FixedPointSolver.forMatrix(a, phi, 1e-10);
                assertInstanceOf(SubstitutionSolver.class, chosen);
                FixedPointSolver.Result exact = new SubstitutionSolver(a, phi, expected).solve(bu, null);
                WellPosedness.Certificate certificate = WellPosedness.certify(a);
                assertTrue(certificate.valid(), "certificate " + certificate.factor());
                FixedPointSolver.Result picard = new PicardSolver(a, phi, certificate, 1e-12).solve(bu, null);

                String what = shape + " " + phi + " trial " + trial;
                double diff = picard.states().minus(exact.states()).maxAbs();
                assertTrue(diff <= 1e-9, what + ": Picard and substitution differ by " + diff);
                // The substitution really solves the fixed point.
                assertTrue(residual(a, phi, bu, exact.states()) <= 1e-12 * Math.max(1, exact.states().maxAbs()), what);
                assertTrue(exact.states().maxAbs() > 0.1, what);
            }
        }
    }

    /** Random triangular A with ||A||_inf <= 0.95; with a diagonal in (-0.5, 0.9) for UPPER_WITH_DIAGONAL. */
    private static Matrix triangular(Random random, Shape shape) {
        Matrix a = Matrix.zeros(N, N);
        for (int i = 0; i < N; i++) {
            double diagonal = shape == Shape.UPPER_WITH_DIAGONAL ? -0.5 + 1.4 * random.nextDouble() : 0.0;
            // Keep the diagonal strictly inside (-0.5, 0.9).
            diagonal = Math.max(-0.49, Math.min(0.89, diagonal));
            double budget = (0.95 - Math.abs(diagonal)) * (0.3 + 0.7 * random.nextDouble());
            double[] row = new double[N];
            double total = 0;
            for (int j = 0; j < N; j++) {
                boolean allowed = shape == Shape.STRICTLY_LOWER ? j < i : j > i;
                if (allowed) {
                    row[j] = random.nextGaussian();
                    total += Math.abs(row[j]);
                }
            }
            for (int j = 0; j < N; j++) {
                if (total > 0) {
                    a.set(i, j, row[j] * budget / total);
                }
            }
            a.set(i, i, diagonal);
        }
        return a;
    }

    /** max |X - phi(A X + BU)|. */
    private static double residual(Matrix a, Activation phi, Matrix bu, Matrix x) {
        Matrix z = a.times(x).plus(bu);
        double r = 0;
        for (int k = 0; k < z.data().length; k++) {
            r = Math.max(r, Math.abs(x.data()[k] - phi.apply(z.data()[k])));
        }
        return r;
    }

    /** Plain Picard, no stopping rule: the reference fixed point. */
    private static Matrix referenceFixedPoint(Matrix a, Activation phi, Matrix bu, int iterations) {
        Matrix x = Matrix.zeros(bu.rows(), bu.cols());
        for (int t = 0; t < iterations; t++) {
            x = a.times(x).plus(bu);
            phi.applyInPlace(x.data());
        }
        return x;
    }

    @Test
    void certifiedErrorBoundsTheActualError() {
        Random random = new Random(4);
        for (Activation phi : ACTIVATIONS) {
            Matrix a = gaussianWithInfNorm(N, 0.95, random);
            assertEquals(0.95, a.infNorm(), 1e-15);
            assertEquals(WellPosedness.Structure.GENERAL, WellPosedness.structure(a));
            Matrix bu = Matrix.gaussian(N, M, 2.0, random);
            // ||A||_inf = 0.95: 3000 plain steps contract by 0.95^3000, far below rounding.
            Matrix truth = referenceFixedPoint(a, phi, bu, 3000);
            assertTrue(residual(a, phi, bu, truth) <= 1e-13 * Math.max(1, truth.maxAbs()));
            double tightError = FixedPointSolver.forMatrix(a, phi, 1e-13).solve(bu, null).states().minus(truth).maxAbs();
            assertTrue(tightError <= 1e-11 * Math.max(1, truth.maxAbs()), phi + ": tight solve off by " + tightError);

            FixedPointSolver solver = FixedPointSolver.forMatrix(a, phi, 1e-6);
            assertInstanceOf(PicardSolver.class, solver);
            FixedPointSolver.Result loose = solver.solve(bu, null);
            double actual = loose.states().minus(truth).maxAbs();
            assertTrue(loose.iterations() > 1, phi + ": iterations " + loose.iterations());
            assertTrue(actual <= loose.certifiedError(),
                    phi + ": actual error " + actual + " above certified " + loose.certifiedError());
            assertTrue(loose.certifiedError() <= 1e-6 * loose.states().maxAbs(),
                    phi + ": certified " + loose.certifiedError() + " above the tolerance");
            assertTrue(actual > 0, phi + ": a loose solve should not be exact");
        }
    }

    @Test
    void diagonalScalingCertifiesAMatrixWithLargeInfNorm() {
        Random random = new Random(5);
        for (Activation phi : ACTIVATIONS) {
            Matrix mm = gaussianWithInfNorm(N, 0.9, random);
            double[] d = new double[N];
            for (int i = 0; i < N; i++) {
                d[i] = Math.pow(10, 2.0 * i / (N - 1)); // 1 .. 100
            }
            // A = D^-1 M D: rho(|A|) = rho(|M|) <= 0.9, but ||A||_inf is large.
            Matrix a = Matrix.zeros(N, N);
            for (int i = 0; i < N; i++) {
                for (int j = 0; j < N; j++) {
                    a.set(i, j, mm.get(i, j) * d[j] / d[i]);
                }
            }
            assertTrue(a.infNorm() > 1, "||A||_inf = " + a.infNorm());
            WellPosedness.Certificate certificate = WellPosedness.certify(a);
            assertTrue(certificate.valid());
            assertTrue(certificate.factor() < 1, "factor " + certificate.factor());
            assertTrue(certificate.spectralRadiusEstimate() <= 0.9 + 1e-9);
            assertEquals(a.infNorm(), certificate.infNorm(), 1e-15);

            Matrix bu = Matrix.gaussian(N, M, 2.0, random);
            FixedPointSolver solver = FixedPointSolver.forMatrix(a, phi, 1e-12);
            assertInstanceOf(PicardSolver.class, solver);
            FixedPointSolver.Result result = solver.solve(bu, null);
            Matrix truth = referenceFixedPoint(a, phi, bu, 5000);
            double diff = result.states().minus(truth).maxAbs();
            assertTrue(diff <= 1e-9 * Math.max(1, truth.maxAbs()), phi + ": off by " + diff);
            assertTrue(residual(a, phi, bu, result.states()) <= 1e-9 * Math.max(1, truth.maxAbs()));
        }
    }

    @Test
    void reducibleBlockTriangularMatrixIsSolvedToTheDefaultTolerance() {
        // A = [A2, X; 0, A1] with rho(|A2|) = 0.6 > rho(|A1|) = 0.3 and a large coupling X, the shape of a
        // cascade: the Perron vector of |A| vanishes on the lower block, so a scaling built from it
        // alone spans many orders of magnitude and the certified stop cannot be met in floating point.
        Random random = new Random(6);
        int h = 4;
        for (Activation phi : ACTIVATIONS) {
            Matrix a = Matrix.zeros(2 * h, 2 * h);
            for (int i = 0; i < h; i++) {
                double[] top = new double[h];
                double[] bottom = new double[h];
                double st = 0;
                double sb = 0;
                for (int j = 0; j < h; j++) {
                    top[j] = random.nextGaussian();
                    bottom[j] = random.nextGaussian();
                    st += Math.abs(top[j]);
                    sb += Math.abs(bottom[j]);
                }
                for (int j = 0; j < h; j++) {
                    a.set(i, j, 0.6 * top[j] / st);
                    a.set(h + i, h + j, 0.3 * bottom[j] / sb);
                    a.set(i, h + j, 3 * random.nextGaussian());
                }
            }
            assertTrue(a.infNorm() > 1);
            assertEquals(WellPosedness.Structure.GENERAL, WellPosedness.structure(a));
            WellPosedness.Certificate certificate = WellPosedness.certify(a);
            assertTrue(certificate.valid(), "factor " + certificate.factor());
            Matrix bu = Matrix.gaussian(2 * h, M, 2.0, random);
            FixedPointSolver.Result result = FixedPointSolver.forMatrix(a, phi, ImplicitModel.DEFAULT_TOLERANCE)
                    .solve(bu, null);
            Matrix truth = referenceFixedPoint(a, phi, bu, 3000);
            double diff = result.states().minus(truth).maxAbs();
            assertTrue(diff <= result.certifiedError() + 1e-13 * truth.maxAbs(), phi + ": off by " + diff);
            assertTrue(diff <= 1e-9 * Math.max(1, truth.maxAbs()), phi + ": off by " + diff);
        }
    }

    @Test
    void matrixWithoutCertificateIsRefused() {
        Matrix a = Matrix.zeros(4, 4);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                a.set(i, j, 0.5);
            }
        }
        WellPosedness.Certificate certificate = WellPosedness.certify(a);
        assertTrue(!certificate.valid());
        assertEquals(2.0, certificate.spectralRadiusEstimate(), 1e-9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FixedPointSolver.forMatrix(a, Activation.RELU, 1e-10));
        assertTrue(e.getMessage().contains("no well-posedness certificate"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new PicardSolver(a, Activation.RELU, certificate, 1e-10));
    }

    @Test
    void zeroDriveGivesTheZeroStateAlsoFromAWarmStart() {
        // phi(BU) = 0 makes x = 0 the fixed point; Picard from a warm start shrinks towards it
        // geometrically, and its relative stop alone would never be met.
        Random random = new Random(8);
        Matrix a = gaussianWithInfNorm(N, 0.95, random);
        Matrix negative = Matrix.gaussian(N, M, 1.0, random);
        for (int k = 0; k < negative.data().length; k++) {
            negative.data()[k] = -Math.abs(negative.data()[k]);
        }
        for (Activation phi : ACTIVATIONS) {
            FixedPointSolver solver = FixedPointSolver.forMatrix(a, phi, 1e-10);
            Matrix warm = Matrix.gaussian(N, M, 1.0, random);
            FixedPointSolver.Result zero = solver.solve(Matrix.zeros(N, M), warm);
            assertEquals(0.0, zero.states().maxAbs(), phi + ": zero drive");
            if (phi == Activation.RELU) {
                // relu(BU) = 0 for a non-positive drive: x = 0 again.
                assertEquals(0.0, solver.solve(negative, warm).states().maxAbs());
            }
        }
    }

    @Test
    void warmStartFromTheSolutionTakesFewIterations() {
        Random random = new Random(7);
        for (Activation phi : ACTIVATIONS) {
            Matrix a = gaussianWithInfNorm(N, 0.9, random);
            Matrix bu = Matrix.gaussian(N, M, 2.0, random);
            FixedPointSolver solver = FixedPointSolver.forMatrix(a, phi, 1e-10);
            FixedPointSolver.Result cold = solver.solve(bu, null);
            assertTrue(cold.iterations() > 5, phi + ": cold start took " + cold.iterations());
            FixedPointSolver.Result warm = solver.solve(bu, cold.states());
            assertTrue(warm.iterations() <= 2, phi + ": warm start took " + warm.iterations());
            assertTrue(warm.states().minus(cold.states()).maxAbs() <= 1e-9 * cold.states().maxAbs());
            // A warm start from a perturbed solution also converges, to the same point.
            Matrix perturbed = cold.states().plus(Matrix.gaussian(N, M, 1e-3, random));
            FixedPointSolver.Result near = solver.solve(bu, perturbed);
            assertTrue(near.iterations() < cold.iterations(), phi + ": " + near.iterations() + " vs " + cold.iterations());
            assertTrue(near.states().minus(cold.states()).maxAbs() <= 1e-8 * cold.states().maxAbs());
        }
    }

    /**
     * A loose tolerance met per column: a column's answer is the same whatever block it is solved in,
     * and still within the tolerance of the exact fixed point; the block-wide stop does not give that.
     */
    @Test
    void aStopPerColumnMakesTheAnswerIndependentOfTheBlock() {
        Random random = new Random(17);
        Matrix a = gaussianWithInfNorm(N, 0.95, random);
        // Columns of very different sizes, so that one block-wide stop fits none of them well.
        Matrix bu = Matrix.gaussian(N, M, 1.0, random);
        for (int c = 0; c < M; c++) {
            double scale = Math.pow(10, (c % 4) - 2);
            for (int i = 0; i < N; i++) {
                bu.set(i, c, bu.get(i, c) * scale);
            }
        }
        FixedPointSolver loose = FixedPointSolver.forMatrix(a, Activation.RELU, 1e-3);
        Matrix exact = FixedPointSolver.forMatrix(a, Activation.RELU, 1e-13).solve(bu, null).states();
        Matrix whole = loose.solveEachColumn(bu, null).states();
        Matrix first = loose.solveEachColumn(bu.columns(0, 7), null).states();
        Matrix rest = loose.solveEachColumn(bu.columns(7, M), null).states();
        for (int c = 0; c < M; c++) {
            Matrix alone = c < 7 ? first.columns(c, c + 1) : rest.columns(c - 7, c - 6);
            assertEquals(0.0, alone.minus(whole.columns(c, c + 1)).maxAbs(), 1e-15 * (1 + alone.maxAbs()),
                    "column " + c + " depends on its block");
            double size = exact.columns(c, c + 1).maxAbs();
            double error = whole.columns(c, c + 1).minus(exact.columns(c, c + 1)).maxAbs();
            assertTrue(error <= 1e-2 * size + 1e-300, "column " + c + ": error " + error + " for size " + size);
        }
        // The block-wide stop, by contrast: the same columns, split the same way, come out differently.
        Matrix blockwise = loose.solve(bu, null).states();
        Matrix blockFirst = loose.solve(bu.columns(0, 7), null).states();
        double moved = blockFirst.minus(blockwise.columns(0, 7)).maxAbs();
        assertTrue(moved > 1e-9, "the block-wide stop gave the same answer in both blocks (" + moved + ")");
    }

    /** A block larger than the solver's chunks: each column still comes out as if solved on its own. */
    @Test
    void aLargeBlockSolvedInChunksGivesEachColumnItsOwnAnswer() {
        Random random = new Random(19);
        Matrix a = gaussianWithInfNorm(N, 0.95, random);
        int m = 2 * PicardSolver.CHUNK + 77;
        Matrix bu = Matrix.gaussian(N, m, 1.0, random);
        FixedPointSolver loose = FixedPointSolver.forMatrix(a, Activation.RELU, 1e-3);
        Matrix warm = Matrix.gaussian(N, m, 0.1, random);
        Matrix whole = loose.solveEachColumn(bu, warm).states();
        // Columns across the first chunk boundary, in a small block of their own.
        int from = PicardSolver.CHUNK - 5;
        int to = PicardSolver.CHUNK + 5;
        Matrix alone = loose.solveEachColumn(bu.columns(from, to), warm.columns(from, to)).states();
        assertEquals(0.0, alone.minus(whole.columns(from, to)).maxAbs(), 1e-15 * (1 + alone.maxAbs()));
        Matrix last = loose.solveEachColumn(bu.columns(m - 3, m), warm.columns(m - 3, m)).states();
        assertEquals(0.0, last.minus(whole.columns(m - 3, m)).maxAbs(), 1e-15 * (1 + last.maxAbs()));
    }
}
