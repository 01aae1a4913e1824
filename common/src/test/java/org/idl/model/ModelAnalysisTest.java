package org.idl.model;

import org.idl.linalg.Matrix;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    void nonzerosCountEveryEntryThatIsNotExactlyZero() {
        Matrix m = Matrix.zeros(2, 3);
        m.set(0, 1, 1e-300);
        m.set(1, 2, -2);
        assertEquals(2, ModelAnalysis.nonzeros(m));
        assertEquals(2.0 / 6, ModelAnalysis.density(m), 1e-15);
        assertEquals(0, ModelAnalysis.density(Matrix.zeros(0, 0)));
    }
}
