package org.idl.linalg;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sparse inputs give the products of their dense copy. */
public class SparseColumnsTest {

    /** A random p x m matrix with about {@code density} of its entries nonzero, built column by column with a ones row. */
    public static SparseColumns random(int p, int m, double density, Random random) {
        SparseColumns.Builder builder = new SparseColumns.Builder(p + 1);
        int[] idx = new int[p];
        double[] val = new double[p];
        for (int c = 0; c < m; c++) {
            int count = 0;
            for (int i = 0; i < p; i++) {
                if (random.nextDouble() < density) {
                    idx[count] = i;
                    val[count++] = random.nextGaussian();
                }
            }
            builder.add(idx, val, count, true);
        }
        return builder.build();
    }

    @Test
    void productsEqualTheDenseOnes() {
        Random random = new Random(3);
        SparseColumns s = random(40, 23, 0.1, random);
        Matrix dense = s.toDense();
        assertEquals(41, s.rows());
        assertEquals(23, s.cols());
        for (int c = 0; c < 23; c++) {
            assertEquals(1.0, dense.get(40, c), "the ones row");
        }
        Matrix w = Matrix.gaussian(7, 41, 1.0, random);
        Matrix g = Matrix.gaussian(7, 23, 1.0, random);
        assertArrayEquals(dense.leftProduct(w).data(), s.leftProduct(w).data(), 1e-12);
        assertArrayEquals(w.times(dense).data(), s.leftProduct(w).data(), 1e-12);
        assertArrayEquals(g.timesTransposed(dense).data(), s.gradientProduct(g).data(), 1e-12);
        Matrix out = Matrix.gaussian(7, 41, 1.0, random);
        Matrix expected = out.plus(g.timesTransposed(dense));
        s.addGradientProduct(g, out);
        assertArrayEquals(expected.data(), out.data(), 1e-12);

        int[] order = {5, 0, 22, 5, 9};
        assertArrayEquals(dense.columnsAt(order, 1, 5).data(), s.columnsAt(order, 1, 5).toDense().data());
        assertTrue(s.isFinite());
    }

    @Test
    void zerosAreNotStoredAndBadStructureIsRefused() {
        SparseColumns s = new SparseColumns.Builder(5).add(new int[]{1, 3}, new double[]{0.0, 2.0}, 2, false).build();
        assertEquals(1, s.entries());
        assertThrows(IllegalArgumentException.class,
                () -> new SparseColumns(5, new int[]{0, 2}, new int[]{3, 1}, new double[]{1, 1}));
        assertThrows(IllegalArgumentException.class,
                () -> new SparseColumns(5, new int[]{0, 1}, new int[]{5}, new double[]{1}));
        assertFalse(new SparseColumns(5, new int[]{0, 1}, new int[]{2}, new double[]{Double.NaN}).isFinite());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.dense("BCD"));
        assertTrue(e.getMessage().contains("BCD needs dense inputs"), e.getMessage());
    }
}
