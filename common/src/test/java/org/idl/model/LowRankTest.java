package org.idl.model;

import org.idl.linalg.Matrix;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rank-k factors by the SVD, and the low-rank model's fixed point against the dense one. */
class LowRankTest {

    @Test
    void factorsReproduceARankKMatrixAndTheModelPredictsAsTheDenseOne() {
        Random random = new Random(2);
        int n = 30;
        Matrix a = Matrix.gaussian(n, 3, 1.0, random).timesTransposed(Matrix.gaussian(n, 3, 1.0, random));
        a.scaleInPlace(0.8 / a.infNorm());
        Matrix[] f = LowRank.factor(a, 3);
        assertEquals(3, f[0].cols());
        assertTrue(a.minus(f[0].timesTransposed(f[1])).maxAbs() <= 1e-13, "rank-3 A not reproduced");
        // Fewer factors than the rank: the best approximation, with an error of the next singular value's order.
        Matrix[] two = LowRank.factor(a, 2);
        assertTrue(a.minus(two[0].timesTransposed(two[1])).maxAbs() > 1e-6);

        Matrix b = Matrix.gaussian(n, 6, 0.5, random);
        Matrix c = Matrix.gaussian(4, n, 0.5, random);
        Matrix d = Matrix.gaussian(4, 6, 0.5, random);
        ImplicitModel dense = new ImplicitModel(a, b, c, d, Activation.TANH, true);
        ImplicitModel low = LowRank.of(dense, 3);
        assertEquals(3, low.rank());
        assertEquals(0, dense.rank());
        Matrix u = Matrix.gaussian(5, 40, 1.0, random);
        double scale = dense.predict(u).maxAbs();
        assertTrue(dense.predict(u).minus(low.predict(u)).maxAbs() <= 1e-9 * scale);
        assertThrows(IllegalStateException.class, dense::left);
        assertThrows(IllegalArgumentException.class, () -> LowRank.factor(a, 0));
        assertThrows(IllegalArgumentException.class, () -> LowRank.factor(a, n + 1));
    }
}
