package org.idl.train;

import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.ImplicitModel;
import org.idl.model.WellPosedness;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** True-model metrics of a block, on all its points or on an evenly spaced share of them. */
class EvaluationTest {
    private static final Random RANDOM = new Random(7);
    private static final Matrix A = projected(Matrix.gaussian(6, 6, 0.5, RANDOM));
    private static final ImplicitModel MODEL = new ImplicitModel(A, Matrix.gaussian(6, 4, 1, RANDOM),
            Matrix.gaussian(3, 6, 1, RANDOM), Matrix.gaussian(3, 4, 1, RANDOM), Activation.parse("relu"), false);

    private static Matrix projected(Matrix a) {
        WellPosedness.projectInfNormBall(a, 0.9);
        return a;
    }

    /** 1,100 points with one-hot labels of 3 classes. */
    private static DataBlock block() {
        int m = 1100;
        Matrix y = Matrix.zeros(3, m);
        for (int j = 0; j < m; j++) {
            y.set(RANDOM.nextInt(3), j, 1);
        }
        return DataBlock.of(Matrix.gaussian(4, m, 1, RANDOM), y, 0);
    }

    @Test
    void aShareMeasuresExactlyItsEvenlySpacedPoints() {
        DataBlock block = block();
        MetricSums share = Evaluation.measure(MODEL, MODEL.solver(1e-12), Loss.SOFTMAX_CROSS_ENTROPY, block, 0.1);
        // Points 0, 10, 20, ...: the same metrics as a block that holds only them.
        int[] every10th = new int[110];
        for (int i = 0; i < every10th.length; i++) {
            every10th[i] = 10 * i;
        }
        DataBlock sub = DataBlock.of(block.u().columnsAt(every10th, 0, 110), block.y().columnsAt(every10th, 0, 110), 0);
        MetricSums expected = Evaluation.measure(MODEL, MODEL.solver(1e-12), Loss.SOFTMAX_CROSS_ENTROPY, sub);
        assertEquals(110, share.count());
        assertEquals(expected.correct(), share.correct());
        assertEquals(expected.loss(), share.loss(), 1e-9 * Math.abs(expected.loss()));

        MetricSums all = Evaluation.measure(MODEL, MODEL.solver(1e-12), Loss.SOFTMAX_CROSS_ENTROPY, block, 1.0);
        assertEquals(1100, all.count());
        assertEquals(all, Evaluation.measure(MODEL, MODEL.solver(1e-12), Loss.SOFTMAX_CROSS_ENTROPY, block));
        // A share too small for one point still measures one.
        assertEquals(1, Evaluation.measure(MODEL, MODEL.solver(1e-12), Loss.SOFTMAX_CROSS_ENTROPY, block, 1e-9).count());
    }

    @Test
    void aShareOutsideZeroToOneIsRefused() {
        DataBlock block = block();
        for (double bad : new double[]{0, -0.5, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Evaluation.measure(MODEL,
                    MODEL.solver(1e-12), Loss.SOFTMAX_CROSS_ENTROPY, block, bad));
            assertEquals(true, e.getMessage().contains(String.valueOf(bad)), e.getMessage());
        }
    }
}
