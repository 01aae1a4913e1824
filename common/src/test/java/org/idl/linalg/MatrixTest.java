package org.idl.linalg;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The product over the leading columns, which Picard's per-column solve packs its live columns into. */
class MatrixTest {

    @Test
    void leadingColumnsProductIsTheProductOfThoseColumnsAndLeavesTheRest() {
        Random random = new Random(4);
        Matrix a = Matrix.gaussian(5, 3, 1, random);
        Matrix b = Matrix.gaussian(3, 7, 1, random);
        for (boolean transA : new boolean[]{false, true}) {
            Matrix m = transA ? Matrix.gaussian(3, 4, 1, random) : a;
            Matrix op = transA ? m.transpose() : m;
            for (int cols : new int[]{0, 1, 4, 7}) {
                Matrix c = Matrix.gaussian(op.rows(), 7, 1, random);
                Matrix before = c.copy();
                Matrix.gemmLeadingColumns(m, transA, b, cols, c);
                Matrix expected = op.times(b.columns(0, cols));
                assertArrayEquals(expected.data(), c.columns(0, cols).data(), 1e-12, "product, " + cols + " columns");
                assertArrayEquals(before.columns(cols, 7).data(), c.columns(cols, 7).data(), 0.0,
                        "the columns after the first " + cols);
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Matrix.gemmLeadingColumns(a, false, b, 8, Matrix.zeros(5, 8)));
        assertEquals("cannot multiply 5 x 3 by the first 8 columns of 3 x 7 into 5 x 8", e.getMessage());
    }
}
