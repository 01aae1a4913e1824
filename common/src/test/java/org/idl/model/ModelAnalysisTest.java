package org.idl.model;

import org.idl.linalg.Matrix;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelAnalysisTest {

    /** n = 4 hidden units, p = 4 inputs and a bias, q = 2 outputs; every entry nonzero unless set to 0 below. */
    private static ImplicitModel model() {
        Matrix a = Matrix.zeros(4, 4);
        Matrix b = Matrix.zeros(4, 5);
        Matrix c = Matrix.zeros(2, 4);
        Matrix d = Matrix.zeros(2, 5);
        for (Matrix m : List.of(a, b, c, d)) {
            for (int k = 0; k < m.data().length; k++) {
                m.data()[k] = 0.01 * (k + 1);
            }
        }
        for (int i = 0; i < 4; i++) {
            b.set(i, 1, 0);     // input 1: B's column is zero, D's is not
            b.set(i, 3, 0);     // input 3: zero in B and D: ignored
            b.set(i, 2, 0);     // input 2: zero in B, a tiny D entry below
        }
        d.set(0, 3, 0);
        d.set(1, 3, 0);
        d.set(0, 2, 0);
        d.set(1, 2, 1e-15);
        for (int j = 0; j < 5; j++) {
            b.set(2, j, 0);      // unit 2: zero row of (A, B)
        }
        for (int j = 0; j < 4; j++) {
            a.set(2, j, 0);
        }
        for (int i = 0; i < 4; i++) {
            a.set(i, 0, 0);      // unit 0: zero column of (A; C)
        }
        c.set(0, 0, 0);
        c.set(1, 0, 0);
        a.set(3, 3, 0);          // unit 3: a zero on A's diagonal alone does not free it
        return new ImplicitModel(a.scaleInPlace(0.1), b, c, d, Activation.RELU, true);
    }

    @Test
    void anInputIsIgnoredOnlyWhenItsColumnsOfBAndDAreExactlyZero() {
        assertEquals(List.of(3), ModelAnalysis.ignoredInputs(model()));
    }

    @Test
    void aUnitIsRemovableWhenNothingDrivesItOrNothingReadsIt() {
        assertEquals(List.of(0, 2), ModelAnalysis.removableHiddenUnits(model()));
    }

    @Test
    void compactionRemovesWhatCannotChangeAPredictionAndPredictsTheSame() {
        ImplicitModel model = model();
        ModelAnalysis.Compaction small = ModelAnalysis.compact(model);
        assertEquals(List.of(1, 3), java.util.Arrays.stream(small.keptHidden()).boxed().toList());
        assertEquals(List.of(0, 1, 2), java.util.Arrays.stream(small.keptInputs()).boxed().toList());
        assertEquals(2, small.model().hidden());
        assertEquals(3, small.model().inputs());
        assertSamePredictions(model, small, new java.util.Random(3));
        // The sigmoid's unit 2 sits at phi(0) = 1/2 and still reaches the others: it stays; unit 0 still goes.
        ImplicitModel sigmoid = new ImplicitModel(model.a(), model.b(), model.c(), model.d(), Activation.SIGMOID, true);
        ModelAnalysis.Compaction kept = ModelAnalysis.compact(sigmoid);
        assertEquals(List.of(1, 2, 3), java.util.Arrays.stream(kept.keptHidden()).boxed().toList());
        assertSamePredictions(sigmoid, kept, new java.util.Random(4));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"relu", "tanh"})
    void compactionOfASparseRandomModelCascadesAndPredictsTheSame(String activation) {
        // Unit k's row of (A, B) reads only unit k + 1, and the last unit has a zero row: removing it frees the
        // one before, and so on down the chain of the first 5 units. Inputs 0-3 feed nothing.
        java.util.Random random = new java.util.Random(9);
        int n = 12;
        int p = 8;
        Matrix a = Matrix.gaussian(n, n, 0.3, random);
        Matrix b = Matrix.gaussian(n, p + 1, 0.5, random);
        Matrix c = Matrix.gaussian(3, n, 0.5, random);
        Matrix d = Matrix.gaussian(3, p + 1, 0.5, random);
        for (int k = 0; k < 5; k++) {
            for (int j = 0; j < n; j++) {
                a.set(k, j, k < 4 && j == k + 1 ? 0.4 : 0);
            }
            for (int j = 0; j <= p; j++) {
                b.set(k, j, 0);
            }
        }
        for (int j = 0; j < 4; j++) {
            for (int i = 0; i < n; i++) {
                b.set(i, j, 0);
            }
            for (int i = 0; i < 3; i++) {
                d.set(i, j, 0);
            }
        }
        WellPosedness.projectInfNormBall(a, 0.9);
        ImplicitModel model = new ImplicitModel(a, b, c, d, Activation.parse(activation), true);
        ModelAnalysis.Compaction small = ModelAnalysis.compact(model);
        assertEquals(n - 5, small.model().hidden());
        assertEquals(p - 4, small.model().inputs());
        assertTrue(small.model().a().infNorm() <= model.a().infNorm());
        assertSamePredictions(model, small, random);
    }

    private static void assertSamePredictions(ImplicitModel model, ModelAnalysis.Compaction small,
                                              java.util.Random random) {
        Matrix u = Matrix.gaussian(model.inputs(), 50, 1.0, random);
        Matrix full = predictions(model, u);
        Matrix reduced = predictions(small.model(), small.selectInputs(u));
        double scale = Math.max(1e-300, full.maxAbs());
        assertTrue(full.minus(reduced).maxAbs() <= 1e-10 * scale,
                "relative difference " + full.minus(reduced).maxAbs() / scale);
    }

    /** Predictions from fixed points solved to 1e-14, so the comparison sees the rule, not the solver's stop. */
    private static Matrix predictions(ImplicitModel model, Matrix u) {
        Matrix ua = model.augment(u);
        return model.readout(model.solver(1e-14).solve(model.b().times(ua), null).states(), ua);
    }

    @Test
    void nonzerosCountEveryEntryThatIsNotExactlyZero() {
        Matrix m = Matrix.zeros(2, 3);
        m.set(0, 1, 1e-300);
        m.set(1, 2, -2);
        assertEquals(2, ModelAnalysis.nonzeros(m));
        assertEquals(2.0 / 6, ModelAnalysis.density(m), 1e-15);
        assertEquals(0, ModelAnalysis.density(Matrix.zeros(0, 0)));
    }
}
