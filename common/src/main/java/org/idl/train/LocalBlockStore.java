package org.idl.train;

import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Blocks held in this JVM: the single-machine reference for the Spark store. A pass processes them in
 * order; a collective pass runs one thread per block, which sum through shared memory in block order,
 * the order in which a pass merges their statistics.
 */
public final class LocalBlockStore implements BlockStore {
    private final List<DataBlock> blocks;
    private final boolean collective;

    public LocalBlockStore(List<DataBlock> blocks) {
        this(blocks, true);
    }

    private LocalBlockStore(List<DataBlock> blocks, boolean collective) {
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("no data blocks");
        }
        this.blocks = new ArrayList<>(blocks);
        this.collective = collective;
    }

    /** The same blocks in a store that offers no collective passes, as a Spark store without barrier mode. */
    public LocalBlockStore withoutCollectives() {
        return new LocalBlockStore(blocks, false);
    }

    /**
     * Splits augmented inputs and targets into {@code count} contiguous blocks of near-equal size.
     */
    public static LocalBlockStore split(Matrix augmentedU, Matrix y, int count) {
        int m = augmentedU.cols();
        if (count <= 0 || count > Math.max(1, m)) {
            throw new IllegalArgumentException("cannot split " + m + " data points into " + count + " blocks");
        }
        List<DataBlock> blocks = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            int from = (int) ((long) m * b / count);
            int to = (int) ((long) m * (b + 1) / count);
            blocks.add(DataBlock.of(augmentedU.columns(from, to), y.columns(from, to), b));
        }
        return new LocalBlockStore(blocks);
    }

    @Override
    public <S extends Summable<S>> S pass(ImplicitModel parameters, Task<S> task) {
        S total = null;
        for (int i = 0; i < blocks.size(); i++) {
            Outcome<S> outcome = task.apply(parameters, blocks.get(i));
            blocks.set(i, outcome.block());
            total = total == null ? outcome.statistics() : total.merge(outcome.statistics());
        }
        return total;
    }

    @Override
    public boolean collective() {
        return collective;
    }

    @Override
    public <S extends Summable<S>> S collectivePass(ImplicitModel parameters, CollectiveTask<S> task) {
        if (!collective) {
            return BlockStore.super.collectivePass(parameters, task);
        }
        int k = blocks.size();
        SharedMemoryAllReduce reduce = new SharedMemoryAllReduce(k);
        ExecutorService threads = Executors.newFixedThreadPool(k);
        try {
            List<Future<Outcome<S>>> outcomes = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                DataBlock block = blocks.get(i);
                int rank = i;
                outcomes.add(threads.submit(() -> task.apply(parameters, block, values -> reduce.sum(rank, values))));
            }
            S total = null;
            for (Future<Outcome<S>> f : outcomes) {
                S s = f.get().statistics();
                total = total == null ? s : total.merge(s);
            }
            return total;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted in a collective pass", e);
        } catch (ExecutionException e) {
            reduce.barrier.reset(); // wakes the blocks still waiting for the one that failed
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            threads.shutdownNow();
        }
    }

    /** Each block posts its array, every block sums them all in block order, then waits before they are reused. */
    private static final class SharedMemoryAllReduce {
        private final double[][] posted;
        private final CyclicBarrier barrier;

        SharedMemoryAllReduce(int blocks) {
            posted = new double[blocks][];
            barrier = new CyclicBarrier(blocks);
        }

        void sum(int rank, double[] values) {
            posted[rank] = values.clone();
            await();
            double[] sum = posted[0].clone();
            for (int k = 1; k < posted.length; k++) {
                double[] other = posted[k];
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += other[i];
                }
            }
            System.arraycopy(sum, 0, values, 0, sum.length);
            await();
        }

        private void await() {
            try {
                barrier.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted in a collective pass", e);
            } catch (BrokenBarrierException e) {
                throw new IllegalStateException("another block of the collective pass failed", e);
            }
        }
    }
}
