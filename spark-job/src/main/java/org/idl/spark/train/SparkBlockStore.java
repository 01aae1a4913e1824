package org.idl.spark.train;

import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.idl.model.ImplicitModel;
import org.idl.spark.SparkInternals;
import org.idl.train.BlockStore;
import org.idl.train.DataBlock;
import org.idl.train.Summable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Data blocks partitioned across Spark executors, one block per partition (the design card: data
 * columns partitioned, X- and P-steps local to each partition). A pass broadcasts an immutable
 * snapshot of the parameters and the task ({@link PassSnapshot}), runs the task on every partition, and sums the statistics with
 * {@code treeReduce}. A read-only pass destroys its broadcast at once. A pass that changes the states
 * leaves a new persisted RDD, named with its pass number (the previous one is released), whose
 * lineage needs that pass's broadcast to recompute a lost partition: such broadcasts live until a
 * checkpoint cuts the lineage (every {@code checkpointInterval} rounds when a checkpoint directory
 * is set, as ALS does) or the store is released.
 * <p>
 * A collective pass runs as one barrier-mode stage whose tasks sum among themselves over a
 * {@link PeerAllReduce}; {@link Averaging} says whether it is used.
 */
public final class SparkBlockStore implements TimedBlockStore {
    private static final Logger LOG = LoggerFactory.getLogger(SparkBlockStore.class);

    private final JavaSparkContext sc;
    private final int aggregationDepth;
    private final int checkpointInterval;
    private final StorageLevel storageLevel;
    private final Averaging averaging;
    /** Whether collective passes run here, decided when first asked. */
    private Boolean collective;
    private final List<JavaRDD<?>> persisted = new ArrayList<>();
    private final List<Broadcast<?>> lineageBroadcasts = new ArrayList<>();
    private JavaRDD<DataBlock> blocks;
    private int passes;
    private int round;
    private boolean checkpointDue;
    /** The files of the newest RDD checkpoint, deleted when a newer one or the end of training makes it useless. */
    private String checkpointFile;
    private boolean released;

    /** Each task's timings in the current pass (in the closure, not the broadcast: Spark registers it per task). */
    private final CollectionAccumulator<TaskTiming> taskTimings;
    /** Since the last {@link #takeTimings}: seconds in passes (partition work plus aggregation), the tasks' compute
     * summed, the slowest task's compute summed over passes, and the passes. */
    private double passSeconds;
    private double computeSeconds;
    private double slowestTaskSeconds;
    private int timedPasses;
    private double syncSeconds;
    private int syncs;

    public SparkBlockStore(JavaRDD<DataBlock> blocks, int aggregationDepth, int checkpointInterval,
                           StorageLevel storageLevel) {
        this(blocks, aggregationDepth, checkpointInterval, storageLevel, Averaging.DRIVER);
    }

    public SparkBlockStore(JavaRDD<DataBlock> blocks, int aggregationDepth, int checkpointInterval,
                           StorageLevel storageLevel, Averaging averaging) {
        this.sc = JavaSparkContext.fromSparkContext(blocks.context());
        this.aggregationDepth = aggregationDepth;
        this.checkpointInterval = checkpointInterval;
        this.storageLevel = storageLevel;
        this.averaging = averaging;
        this.taskTimings = sc.sc().collectionAccumulator("idl task timings");
        this.blocks = blocks.persist(storageLevel).setName("idl-data-blocks");
        persisted.add(this.blocks);
    }

    @Override
    public <S extends Summable<S>> S pass(ImplicitModel parameters, Task<S> task) {
        if (released) {
            throw new IllegalStateException("the block store has been released");
        }
        long start = System.nanoTime();
        passes++;
        Broadcast<PassSnapshot> snapshot = sc.broadcast(new PassSnapshot(parameters, task));
        boolean keep = false;
        try {
            CollectionAccumulator<TaskTiming> timings = taskTimings;
            timings.reset();
            JavaRDD<Outcome<S>> out = blocks.map(block -> {
                long t0 = cpuNanos();
                Outcome<S> outcome = apply(snapshot.value(), block);
                timings.add(new TaskTiming(block.index(), (cpuNanos() - t0) / 1e9, 0, 0));
                return outcome;
            });
            S total;
            if (task.changesStates()) {
                out.persist(storageLevel).setName("idl-states-round-" + round + "-pass-" + passes);
                // Spark checkpoints an RDD only if asked before its first job; the job below writes it.
                boolean checkpoint = checkpointDue;
                if (checkpoint) {
                    out.checkpoint();
                    checkpointDue = false;
                }
                total = out.map(Outcome::statistics).treeReduce(Summable::merge, aggregationDepth);
                if (checkpoint) {
                    // The lineage now starts at this pass's RDD: only its own broadcast is still referenced,
                    // and only its checkpoint is still needed (each holds the whole training set).
                    destroyLineageBroadcasts();
                    deleteCheckpoint();
                    checkpointFile = out.getCheckpointFile().orElse(null);
                    LOG.info("checkpointed the states of pass {} (round {}) to {}", passes, round,
                            sc.getCheckpointDir().get());
                }
                JavaRDD<?> previous = persisted.size() > 1 ? persisted.remove(persisted.size() - 1) : null;
                persisted.add(out);
                blocks = out.map(Outcome::block);
                lineageBroadcasts.add(snapshot);
                keep = true;
                if (previous != null) {
                    previous.unpersist(false);
                }
            } else {
                total = out.map(Outcome::statistics).treeReduce(Summable::merge, aggregationDepth);
            }
            return total;
        } finally {
            if (!keep) {
                snapshot.destroy();
            }
            recordTimings(start);
        }
    }

    private void recordTimings(long start) {
        passSeconds += (System.nanoTime() - start) / 1e9;
        timedPasses++;
        add(Timings.of(taskTimings.value()));
    }

    private void add(Timings t) {
        computeSeconds += t.computeSeconds();
        slowestTaskSeconds += t.slowestTaskSeconds();
        syncs += t.syncs();
        syncSeconds += t.syncSeconds();
    }

    /** The current thread's CPU time: a task's own compute, even when more tasks than cores share the machine. */
    static long cpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : System.nanoTime();
    }

    @Override
    public boolean collective() {
        if (collective == null) {
            collective = decideCollective();
        }
        return collective;
    }

    /** Ring averaging needs every partition's task running at once, each with a block to average. */
    private boolean decideCollective() {
        if (averaging == Averaging.DRIVER) {
            return false;
        }
        int partitions = blocks.getNumPartitions();
        int slots = SparkInternals.taskSlots(sc.sc());
        String why = null;
        if (sc.getConf().getBoolean("spark.dynamicAllocation.enabled", false)) {
            why = "dynamic allocation is on, and barrier stages need a fixed set of executors";
        } else if (slots < partitions) {
            why = "the cluster has " + slots + " task slots for " + partitions + " partitions";
        } else {
            long withData = blocks.count(); // one block per non-empty partition
            if (withData < partitions) {
                why = (partitions - withData) + " of the " + partitions + " partitions hold no data";
            }
        }
        if (why == null) {
            LOG.info("the {} partitions meet among themselves by an all-reduce between their tasks ({}, {} on the wire),"
                    + " one barrier job per epoch", partitions, PeerAllReduce.isPowerOfTwo(partitions)
                    ? "recursive halving and doubling" : "a ring", wire().name().toLowerCase(java.util.Locale.ROOT));
            return true;
        }
        if (averaging == Averaging.RING) {
            throw new IllegalArgumentException("averaging = ring is not possible here: " + why
                    + "; use averaging = driver or auto");
        }
        LOG.info("the partitions meet on the driver, one Spark job per average or batch: {}", why);
        return false;
    }

    @Override
    public <S extends Summable<S>> S collectivePass(ImplicitModel parameters, CollectiveTask<S> task) {
        if (released) {
            throw new IllegalStateException("the block store has been released");
        }
        if (!collective()) {
            throw new IllegalStateException("collective passes are off (averaging = " + averaging.spec() + ")");
        }
        long start = System.nanoTime();
        passes++;
        Broadcast<PassSnapshot> snapshot = sc.broadcast(new PassSnapshot(parameters, task));
        try (PeerTracker tracker = new PeerTracker(blocks.getNumPartitions(), sc.getConf().get("spark.driver.host"))) {
            taskTimings.reset();
            @SuppressWarnings("unchecked")
            ClassTag<Outcome<S>> tag = (ClassTag<Outcome<S>>) (ClassTag<?>) ClassTag$.MODULE$.apply(Outcome.class);
            RDD<Outcome<S>> out = blocks.rdd().barrier().mapPartitions(
                    new CollectiveRun<S>(snapshot, tracker.address(), wire(), taskTimings), false, tag);
            return out.toJavaRDD().map(Outcome::statistics).treeReduce(Summable::merge, aggregationDepth);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("could not open the peer tracker on the driver: " + e.getMessage(), e);
        } finally {
            snapshot.destroy();
            recordTimings(start);
        }
    }

    /** The all-reduce's wire: the session's {@link PeerAllReduce#CONF} (set at start or at run time), else float64. */
    private PeerAllReduce.Wire wire() {
        // The thread's active session, else the default one (fit may run on a thread of its own).
        scala.Option<org.apache.spark.sql.SparkSession> session = org.apache.spark.sql.SparkSession.getActiveSession();
        if (session.isEmpty()) {
            session = org.apache.spark.sql.SparkSession.getDefaultSession();
        }
        String v = session.isDefined() && session.get().conf().contains(PeerAllReduce.CONF)
                ? session.get().conf().get(PeerAllReduce.CONF) : sc.getConf().get(PeerAllReduce.CONF, "float64");
        return PeerAllReduce.Wire.parse(v);
    }

    /** A barrier task: joins the all-reduce, runs the collective task on its partition's block, reports its timings. */
    private static final class CollectiveRun<S extends Summable<S>>
            extends AbstractFunction1<scala.collection.Iterator<DataBlock>, scala.collection.Iterator<Outcome<S>>>
            implements Serializable {
        private final Broadcast<PassSnapshot> snapshot;
        private final String tracker;
        private final PeerAllReduce.Wire wire;
        private final CollectionAccumulator<TaskTiming> timings;

        CollectiveRun(Broadcast<PassSnapshot> snapshot, String tracker, PeerAllReduce.Wire wire,
                      CollectionAccumulator<TaskTiming> timings) {
            this.snapshot = snapshot;
            this.tracker = tracker;
            this.wire = wire;
            this.timings = timings;
        }

        @Override
        @SuppressWarnings("unchecked")
        public scala.collection.Iterator<Outcome<S>> apply(scala.collection.Iterator<DataBlock> blocks) {
            DataBlock block = blocks.next(); // every partition holds one: decideCollective checked
            PassSnapshot s = snapshot.value();
            try (PeerAllReduce peers = PeerAllReduce.connect(BarrierTaskContext.get(), tracker, wire)) {
                long t0 = cpuNanos();
                Outcome<S> outcome = ((CollectiveTask<S>) s.task()).apply(s.parameters(), block, peers);
                double cpu = (cpuNanos() - t0) / 1e9;
                timings.add(peers.clock().taskTiming(block.index(), cpu));
                return scala.collection.Iterator$.MODULE$.single(outcome);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <S extends Summable<S>> Outcome<S> apply(PassSnapshot snapshot, DataBlock block) {
        return ((Task<S>) snapshot.task()).apply(snapshot.parameters(), block);
    }

    @Override
    public void roundStarted(int round) {
        this.round = round;
    }

    /** Every {@code checkpointInterval} rounds, the next pass's states are checkpointed. */
    @Override
    public void roundCompleted(int round) {
        if (checkpointInterval > 0 && round % checkpointInterval == 0 && sc.getCheckpointDir().isPresent()) {
            checkpointDue = true;
        }
    }

    /**
     * One task's timings: its partition, its own compute (CPU seconds; in a collective pass, outside
     * the all-reduces, whose CPU is part of their own cost), and in a collective pass its seconds in
     * the all-reduces (waiting for the others included) and how many it took.
     */
    public record TaskTiming(int partition, double computeSeconds, double syncSeconds, int syncs)
            implements Serializable {
    }

    /**
     * What the passes since the last call took; a task run more than once counts once.
     * {@code syncs} counts the averages taken inside collective passes, and {@code syncSeconds} is what
     * they cost: the least time any task of a pass spent in them.
     */
    public record Timings(double passSeconds, double computeSeconds, double slowestTaskSeconds, int passes, int syncs,
                          double syncSeconds) {
        /**
         * One pass's figures from its tasks' timings, one per partition: a task run twice (a lost
         * partition recomputed, a speculative copy) counts once. The task that waited least in its
         * all-reduces came last to each: its time there is what the sums cost.
         */
        static Timings of(List<TaskTiming> tasks) {
            Map<Integer, TaskTiming> byPartition = new HashMap<>();
            for (TaskTiming t : tasks) {
                byPartition.put(t.partition(), t);
            }
            double compute = 0;
            double slowest = 0;
            double least = Double.POSITIVE_INFINITY;
            int syncs = 0;
            for (TaskTiming t : byPartition.values()) {
                compute += t.computeSeconds();
                slowest = Math.max(slowest, t.computeSeconds());
                least = Math.min(least, t.syncSeconds());
                syncs = t.syncs();
            }
            return new Timings(0, compute, slowest, 0, syncs, syncs > 0 ? least : 0);
        }
    }

    @Override
    public int blockCount() {
        return blocks.getNumPartitions();
    }

    /** The timings since the last call, for the split of a round's time. */
    @Override
    public Timings takeTimings() {
        Timings t = new Timings(passSeconds, computeSeconds, slowestTaskSeconds, timedPasses, syncs, syncSeconds);
        passSeconds = 0;
        computeSeconds = 0;
        slowestTaskSeconds = 0;
        timedPasses = 0;
        syncs = 0;
        syncSeconds = 0;
        return t;
    }

    public int passes() {
        return passes;
    }

    private void destroyLineageBroadcasts() {
        for (Broadcast<?> b : lineageBroadcasts) {
            b.destroy();
        }
        lineageBroadcasts.clear();
    }

    private void deleteCheckpoint() {
        if (checkpointFile == null) {
            return;
        }
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(checkpointFile);
        try {
            path.getFileSystem(sc.hadoopConfiguration()).delete(path, true);
        } catch (java.io.IOException e) {
            LOG.warn("could not delete the RDD checkpoint {}: {}", checkpointFile, e.getMessage());
        }
        checkpointFile = null;
    }

    @Override
    public void release() {
        released = true;
        destroyLineageBroadcasts();
        deleteCheckpoint();
        for (JavaRDD<?> rdd : persisted) {
            rdd.unpersist(false);
        }
        persisted.clear();
    }
}
