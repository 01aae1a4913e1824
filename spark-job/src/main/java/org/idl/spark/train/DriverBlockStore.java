package org.idl.spark.train;

import org.idl.model.ImplicitModel;
import org.idl.train.BlockStore;
import org.idl.train.DataBlock;
import org.idl.train.LocalBlockStore;
import org.idl.train.Summable;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The blocks held in the driver's JVM, for small jobs in Spark's local mode, where every task runs in
 * this JVM anyway: a pass is a {@link LocalBlockStore} pass on one thread per core instead of a Spark
 * job, so it costs no scheduling, no serialisation of the model and no task results. The arithmetic,
 * and so the model, is that of the local store, which the Spark store matches to 1e-8.
 */
final class DriverBlockStore implements TimedBlockStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DriverBlockStore.class);

    private final LocalBlockStore store;
    private final int blocks;
    private final boolean collective;
    private final ConcurrentLinkedQueue<SparkBlockStore.TaskTiming> tasks = new ConcurrentLinkedQueue<>();
    private double passSeconds;
    private double computeSeconds;
    private double slowestTaskSeconds;
    private int passes;
    private int syncs;
    private double syncSeconds;

    /**
     * @param blocks     the non-empty partitions' blocks, as collected (their indices are their partitions')
     * @param partitions the partitions they came from, empty ones included
     */
    DriverBlockStore(List<DataBlock> blocks, int partitions, int threads, Averaging averaging) {
        this.store = new LocalBlockStore(blocks, threads);
        this.blocks = blocks.size();
        this.collective = decideCollective(blocks.size(), partitions, threads, averaging);
    }

    /**
     * The rules of {@link SparkBlockStore}'s collective passes: every partition holds a block (block 0
     * leads some of them), and every block has a thread, which the memory check counted on.
     */
    private static boolean decideCollective(int blocks, int partitions, int threads, Averaging averaging) {
        if (averaging == Averaging.DRIVER) {
            return false;
        }
        String why = blocks < partitions ? (partitions - blocks) + " of the " + partitions + " partitions hold no data"
                : blocks > threads ? "the driver runs " + threads + " threads for " + blocks + " blocks" : null;
        if (why == null) {
            return true;
        }
        if (averaging == Averaging.RING) {
            throw new IllegalArgumentException("averaging = ring is not possible here: " + why
                    + "; use averaging = driver or auto");
        }
        LOG.info("the blocks meet after each pass, not among themselves: {}", why);
        return false;
    }

    @Override
    public <S extends Summable<S>> S pass(ImplicitModel parameters, Task<S> task) {
        long start = System.nanoTime();
        try {
            return store.pass(parameters, new Task<S>() {
                @Override
                public Outcome<S> apply(ImplicitModel model, DataBlock block) {
                    return timed(block, null, () -> task.apply(model, block));
                }

                @Override
                public boolean changesStates() {
                    return task.changesStates();
                }
            });
        } finally {
            record(start);
        }
    }

    @Override
    public boolean collective() {
        return collective;
    }

    @Override
    public <S extends Summable<S>> S collectivePass(ImplicitModel parameters, CollectiveTask<S> task) {
        if (!collective) {
            return TimedBlockStore.super.collectivePass(parameters, task);
        }
        long start = System.nanoTime();
        try {
            return store.collectivePass(parameters, (model, block, reduce) -> {
                TimedAllReduce timed = new TimedAllReduce(reduce, blocks > 1);
                return timed(block, timed, () -> task.apply(model, block, timed));
            });
        } finally {
            record(start);
        }
    }

    /**
     * Runs one block's work, keeping its CPU time as the task's, as a Spark task does; in a collective
     * pass less the CPU of its all-reduces ({@code reduce}, null in a plain pass), which are timed apart.
     */
    private <S extends Summable<S>> Outcome<S> timed(DataBlock block, TimedAllReduce reduce,
                                                     java.util.function.Supplier<Outcome<S>> work) {
        long t0 = SparkBlockStore.cpuNanos();
        Outcome<S> outcome = work.get();
        double cpu = (SparkBlockStore.cpuNanos() - t0) / 1e9;
        tasks.add(reduce == null ? new SparkBlockStore.TaskTiming(block.index(), cpu, 0, 0)
                : reduce.clock.taskTiming(block.index(), cpu));
        return outcome;
    }

    private void record(long start) {
        passSeconds += (System.nanoTime() - start) / 1e9;
        passes++;
        SparkBlockStore.Timings t = SparkBlockStore.Timings.of(List.copyOf(tasks));
        tasks.clear();
        computeSeconds += t.computeSeconds();
        slowestTaskSeconds += t.slowestTaskSeconds();
        syncs += t.syncs();
        syncSeconds += t.syncSeconds();
    }

    /**
     * A block's all-reduce, timed by the clock of the Spark tasks' {@link PeerAllReduce}. With one block
     * there is nothing to exchange, and, as there, nothing counted.
     */
    private static final class TimedAllReduce implements AllReduce {
        private final AllReduce reduce;
        private final boolean counted;
        private final AllReduceClock clock = new AllReduceClock();

        TimedAllReduce(AllReduce reduce, boolean counted) {
            this.reduce = reduce;
            this.counted = counted;
        }

        @Override
        public void sumInPlace(double[] values) {
            timed(() -> reduce.sumInPlace(values));
        }

        @Override
        public void roundedSumInPlace(double[] values, int exactTail) {
            timed(() -> reduce.roundedSumInPlace(values, exactTail));
        }

        private void timed(Runnable sum) {
            if (counted) {
                clock.time(sum);
            } else {
                sum.run();
            }
        }
    }

    @Override
    public SparkBlockStore.Timings takeTimings() {
        SparkBlockStore.Timings t = new SparkBlockStore.Timings(passSeconds, computeSeconds, slowestTaskSeconds, passes,
                syncs, syncSeconds);
        passSeconds = 0;
        computeSeconds = 0;
        slowestTaskSeconds = 0;
        passes = 0;
        syncs = 0;
        syncSeconds = 0;
        return t;
    }

    @Override
    public int blockCount() {
        return blocks;
    }

    @Override
    public void release() {
        store.release();
    }
}
