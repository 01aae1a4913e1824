package org.idl.train;

import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.ImplicitModel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The in-JVM store: threaded passes merge in block order, and a failing block ends a collective pass. */
class LocalBlockStoreTest {
    private static final ImplicitModel MODEL = new ImplicitModel(Matrix.zeros(2, 2), Matrix.zeros(2, 2),
            Matrix.zeros(1, 2), Matrix.zeros(1, 2), Activation.parse("relu"), false);

    private static List<DataBlock> blocks(int k) {
        return java.util.stream.IntStream.range(0, k)
                .mapToObj(i -> DataBlock.of(Matrix.zeros(2, i + 1), Matrix.zeros(1, i + 1), i)).toList();
    }

    @Test
    void threadedPassesCountEveryBlockOnce() {
        LocalBlockStore store = new LocalBlockStore(blocks(5), 3);
        GradientCount count = store.pass(MODEL, new CountTask());
        assertEquals(15, count.points);
        store.release();
    }

    @Test
    void aBlockThatFailsEndsTheCollectivePassInsteadOfLeavingTheOthersWaiting() {
        assertFailingBlockEndsThePass(0);
    }

    @Test
    void aBlockThatFailsBeforeTheOthersWaitStillEndsThePass() {
        // Blocks 0 and 1 reach their sum only after block 2 has failed: they must fail too, not wait.
        assertFailingBlockEndsThePass(300);
    }

    /**
     * Many sums in a row, each block at its own pace: every block gets every sum exactly, in block
     * order, however far one runs ahead of the others.
     */
    @Test
    void everyBlockGetsEverySumOfAManySumPass() {
        int k = 3;
        int sums = 300;
        LocalBlockStore store = new LocalBlockStore(blocks(k));
        GradientCount wrong = assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
                store.collectivePass(MODEL, (model, block, reduce) -> {
                    java.util.Random pace = new java.util.Random(block.index());
                    long mismatches = 0;
                    for (int s = 0; s < sums; s++) {
                        double[] values = new double[50 + s % 7];
                        for (int i = 0; i < values.length; i++) {
                            values[i] = 0.1 * (block.index() + 1) * (s + 1) + i;
                        }
                        if (pace.nextInt(10) == 0) {
                            Thread.onSpinWait();
                            Thread.yield();
                        }
                        reduce.sumInPlace(values);
                        for (int i = 0; i < values.length; i++) {
                            double expected = 0;
                            for (int b = 0; b < k; b++) {
                                expected += 0.1 * (b + 1) * (s + 1) + i;
                            }
                            mismatches += values[i] == expected ? 0 : 1;
                        }
                    }
                    return new BlockStore.Outcome<>(block, new GradientCount(mismatches));
                }));
        assertEquals(0, wrong.points, "entries that differ from the sum in block order");
    }

    @Test
    void arraysOfDifferentLengthsFailTheSumOnEveryBlock() {
        LocalBlockStore store = new LocalBlockStore(blocks(2));
        IllegalStateException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(
                IllegalStateException.class, () -> store.collectivePass(MODEL, (model, block, reduce) -> {
                    reduce.sumInPlace(new double[1 + block.index()]);
                    return new BlockStore.Outcome<>(block, new GradientCount(block.size()));
                })));
        assertEquals("the blocks of a collective pass sum arrays of different lengths: 1 and 2", e.getMessage());
    }

    /** Block 2 fails at once; the others sum (and wait for block 2, which never comes) after {@code delayMillis}. */
    private static void assertFailingBlockEndsThePass(long delayMillis) {
        LocalBlockStore store = new LocalBlockStore(blocks(3));
        IllegalStateException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(
                IllegalStateException.class, () -> store.collectivePass(MODEL, (model, block, reduce) -> {
                    if (block.index() == 2) {
                        throw new IllegalStateException("block 2 failed");
                    }
                    if (delayMillis > 0) {
                        try {
                            Thread.sleep(delayMillis);
                        } catch (InterruptedException interrupted) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    reduce.sumInPlace(new double[]{1.0});
                    return new BlockStore.Outcome<>(block, new GradientCount(block.size()));
                })));
        assertEquals("block 2 failed", e.getMessage());
    }

    record GradientCount(long points) implements Summable<GradientCount> {
        @Override
        public GradientCount merge(GradientCount o) {
            return new GradientCount(points + o.points);
        }
    }

    record CountTask() implements BlockStore.Task<GradientCount> {
        @Override
        public BlockStore.Outcome<GradientCount> apply(ImplicitModel parameters, DataBlock block) {
            return new BlockStore.Outcome<>(block, new GradientCount(block.size()));
        }
    }
}
