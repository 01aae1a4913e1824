package org.idl.train;

import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Phaser;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Blocks held in this JVM: the single-machine reference for the Spark store, and the store of small
 * jobs in Spark's local mode. A pass processes the blocks in order, or on {@code threads} threads at
 * once; either way their statistics are merged in block order, so the result does not depend on the
 * threads. A collective pass runs one thread per block, which sum through shared memory in block
 * order, the order in which a pass merges their statistics.
 */
public final class LocalBlockStore implements BlockStore {
    private final List<DataBlock> blocks;
    private final boolean collective;
    private final int threads;
    private ExecutorService pool;

    public LocalBlockStore(List<DataBlock> blocks) {
        this(blocks, true, 1);
    }

    /** Blocks whose plain passes run on up to {@code threads} threads. */
    public LocalBlockStore(List<DataBlock> blocks, int threads) {
        this(blocks, true, threads);
    }

    private LocalBlockStore(List<DataBlock> blocks, boolean collective, int threads) {
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("no data blocks");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.blocks = new ArrayList<>(blocks);
        this.collective = collective;
        this.threads = Math.min(threads, blocks.size());
    }

    /** The same blocks in a store that offers no collective passes, as a Spark store without barrier mode. */
    public LocalBlockStore withoutCollectives() {
        return new LocalBlockStore(blocks, false, threads);
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
        if (threads > 1) {
            return parallelPass(parameters, task);
        }
        S total = null;
        for (int i = 0; i < blocks.size(); i++) {
            Outcome<S> outcome = task.apply(parameters, blocks.get(i));
            blocks.set(i, outcome.block());
            total = total == null ? outcome.statistics() : total.merge(outcome.statistics());
        }
        return total;
    }

    private <S extends Summable<S>> S parallelPass(ImplicitModel parameters, Task<S> task) {
        if (pool == null) {
            pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "idl-block-pass");
                t.setDaemon(true);
                return t;
            });
        }
        List<Future<Outcome<S>>> outcomes = new ArrayList<>();
        for (DataBlock block : blocks) {
            outcomes.add(pool.submit(() -> task.apply(parameters, block)));
        }
        S total = null;
        try {
            for (int i = 0; i < outcomes.size(); i++) {
                Outcome<S> outcome = outcomes.get(i).get();
                blocks.set(i, outcome.block());
                total = total == null ? outcome.statistics() : total.merge(outcome.statistics());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted in a pass", e);
        } catch (ExecutionException e) {
            for (Future<?> f : outcomes) {
                f.cancel(true);
            }
            if (e.getCause() instanceof Error err) {
                throw err; // out of memory stays out of memory
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        return total;
    }

    @Override
    public void release() {
        if (pool != null) {
            pool.shutdownNow();
            pool = null;
        }
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
        // The first block to fail: it breaks the barrier at once, so that the others, waiting in a sum
        // for it, fail too instead of waiting for ever; its failure is the one reported.
        java.util.concurrent.atomic.AtomicReference<Throwable> first = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            List<Future<Outcome<S>>> outcomes = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                DataBlock block = blocks.get(i);
                int rank = i;
                outcomes.add(threads.submit(() -> {
                    try {
                        return task.apply(parameters, block, values -> reduce.sum(rank, values));
                    } catch (Throwable t) {
                        first.compareAndSet(null, t);
                        reduce.fail();
                        throw t;
                    }
                }));
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
            Throwable cause = first.get() != null ? first.get() : e.getCause();
            if (cause instanceof Error err) {
                throw err;
            }
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * Each block posts its array and waits once: the last to arrive sums them all, in block order, and
     * every block copies the sum out. The next sum cannot replace it early: it is made once every block
     * has arrived at the next sum, so has copied this one. (Before, every block summed all the arrays
     * itself between two waits: K times the additions, and a second wait.) The waits are a
     * {@link Phaser}'s, not a CyclicBarrier's: a failing block terminates the phaser for good, so a block
     * that reaches its next wait only afterwards fails too. (A barrier's reset frees only the blocks
     * already waiting; one arriving later waited for ever.)
     */
    private static final class SharedMemoryAllReduce {
        private final double[][] posted;
        private double[] result;
        private final Phaser phaser;
        private volatile RuntimeException failure;

        SharedMemoryAllReduce(int blocks) {
            posted = new double[blocks][];
            phaser = new Phaser(blocks) {
                @Override
                protected boolean onAdvance(int phase, int parties) {
                    // Run by the last block to arrive, before any is released: every array is posted.
                    try {
                        result = sumOfPosted();
                        return false;
                    } catch (RuntimeException e) {
                        failure = e;
                        return true;
                    }
                }
            };
        }

        void fail() {
            phaser.forceTermination();
        }

        void sum(int rank, double[] values) {
            posted[rank] = values;
            int next = phaser.arriveAndAwaitAdvance();
            // Terminated: by a failing block, or by the sum's own failure (then the last block to arrive
            // gets a phase number, not a negative one).
            if (next < 0 || phaser.isTerminated()) {
                throw failure != null ? failure
                        : new IllegalStateException("another block of the collective pass failed");
            }
            System.arraycopy(result, 0, values, 0, values.length);
        }

        private double[] sumOfPosted() {
            double[] sum = posted[0].clone();
            for (int k = 1; k < posted.length; k++) {
                double[] other = posted[k];
                if (other.length != sum.length) {
                    throw new IllegalStateException("the blocks of a collective pass sum arrays of different lengths: "
                            + sum.length + " and " + other.length);
                }
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += other[i];
                }
            }
            return sum;
        }
    }
}
