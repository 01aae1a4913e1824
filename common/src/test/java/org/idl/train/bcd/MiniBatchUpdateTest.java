package org.idl.train.bcd;

import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.train.MetricSums;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The minibatch schedule's driver steps: an update whose next batch measures a jump in the loss is undone. */
class MiniBatchUpdateTest {
    private static final int N = 4;
    private static final int INPUTS = 3; // with the bias
    private static final int OUTPUTS = 2;

    private static Passes.MiniBatchStatistics batch(Random random, double meanLoss, long count) {
        return new Passes.MiniBatchStatistics(
                new ABStep.Statistics(Matrix.gaussian(N, N + INPUTS, count, random), null, null, count, count),
                new ReadoutStep.Statistics(Matrix.gaussian(OUTPUTS, N + INPUTS, count, random), null, null,
                        new MetricSums(meanLoss * count, count / 2, 0, count, OUTPUTS)), 0);
    }

    @Test
    void aLossJumpUndoesTheLastUpdateAndHalvesTheSteps() {
        Random random = new Random(3);
        BcdConfig config = BcdConfig.builder().hidden(N).schedule(Schedule.MINIBATCH).rounds(5).build();
        Matrix v = Matrix.gaussian(N + INPUTS, 50, 1.0, random);
        MiniBatchUpdate update = new MiniBatchUpdate(config, v.gram().scaleInPlace(1.0 / 50), 1);
        ImplicitModel start = new BcdTrainer(config).initialModel(INPUTS - 1, OUTPUTS);

        ImplicitModel first = update.apply(start, batch(random, 1.0, 20));
        assertNotEquals(start.b(), first.b(), "the first batch moves (A, B)");
        ImplicitModel second = update.apply(first, batch(random, 1.5, 20));
        assertNotEquals(first.b(), second.b(), "a loss within the factor is accepted");
        assertEquals(0, update.rejected());

        // The third batch, computed at `second`, finds the loss far above its running level (1.05).
        ImplicitModel third = update.apply(second, batch(random, 10.0, 20));
        assertSame(first, third, "the update that produced `second` is undone");
        assertEquals(1, update.rejected());
        assertEquals(1, update.meanSteps().undone(), "the round reports it");

        // The steps are halved from then on: the same batch moves the model less than at full length.
        Passes.MiniBatchStatistics next = batch(random, 1.0, 20);
        MiniBatchUpdate fresh = new MiniBatchUpdate(config, v.gram().scaleInPlace(1.0 / 50), 1);
        double halved = update.apply(third, next).c().minus(third.c()).frobeniusSquared();
        double full = fresh.apply(third, next).c().minus(third.c()).frobeniusSquared();
        assertTrue(halved < full, "halved step " + halved + " against " + full);
    }
}
