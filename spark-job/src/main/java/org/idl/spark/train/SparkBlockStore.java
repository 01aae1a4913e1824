package org.idl.spark.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.idl.model.ImplicitModel;
import org.idl.train.BlockStore;
import org.idl.train.DataBlock;
import org.idl.train.Summable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Data blocks partitioned across Spark executors, one block per partition (the design card: data
 * columns partitioned, X- and P-steps local to each partition). A pass broadcasts an immutable
 * snapshot of the parameters and the task ({@link PassSnapshot}), runs the task on every partition, and sums the statistics with
 * {@code treeReduce}. A read-only pass destroys its broadcast at once. A pass that changes the states
 * leaves a new persisted RDD, named with its pass number (the previous one is released), whose
 * lineage needs that pass's broadcast to recompute a lost partition: such broadcasts live until a
 * checkpoint cuts the lineage (every {@code checkpointInterval} rounds when a checkpoint directory
 * is set, as ALS does) or the store is released.
 */
public final class SparkBlockStore implements BlockStore {
    private static final Logger LOG = LoggerFactory.getLogger(SparkBlockStore.class);

    private final JavaSparkContext sc;
    private final int aggregationDepth;
    private final int checkpointInterval;
    private final StorageLevel storageLevel;
    private final List<JavaRDD<?>> persisted = new ArrayList<>();
    private final List<Broadcast<?>> lineageBroadcasts = new ArrayList<>();
    private JavaRDD<DataBlock> blocks;
    private int passes;
    private int round;
    private boolean checkpointDue;
    /** The files of the newest RDD checkpoint, deleted when a newer one or the end of training makes it useless. */
    private String checkpointFile;
    private boolean released;

    /** Each task's own compute seconds in the current pass (in the closure, not the broadcast: Spark registers it per task). */
    private final CollectionAccumulator<Double> taskSeconds;
    /** Since the last {@link #takeTimings}: seconds in passes (partition work plus aggregation), the tasks' compute
     * summed, the slowest task's compute summed over passes, and the passes. */
    private double passSeconds;
    private double computeSeconds;
    private double slowestTaskSeconds;
    private int timedPasses;

    public SparkBlockStore(JavaRDD<DataBlock> blocks, int aggregationDepth, int checkpointInterval,
                           StorageLevel storageLevel) {
        this.sc = JavaSparkContext.fromSparkContext(blocks.context());
        this.aggregationDepth = aggregationDepth;
        this.checkpointInterval = checkpointInterval;
        this.storageLevel = storageLevel;
        this.taskSeconds = sc.sc().collectionAccumulator("idl task compute seconds");
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
            CollectionAccumulator<Double> seconds = taskSeconds;
            seconds.reset();
            JavaRDD<Outcome<S>> out = blocks.map(block -> {
                long t0 = System.nanoTime();
                Outcome<S> outcome = apply(snapshot.value(), block);
                seconds.add((System.nanoTime() - t0) / 1e9);
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
            passSeconds += (System.nanoTime() - start) / 1e9;
            timedPasses++;
            double slowest = 0;
            for (double t : taskSeconds.value()) {
                computeSeconds += t;
                slowest = Math.max(slowest, t);
            }
            slowestTaskSeconds += slowest;
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

    /** What the passes since the last call took; a task retried after a failure counts once per run. */
    public record Timings(double passSeconds, double computeSeconds, double slowestTaskSeconds, int passes) {
    }

    /** The timings since the last call, for the split of a round's time. */
    public Timings takeTimings() {
        Timings t = new Timings(passSeconds, computeSeconds, slowestTaskSeconds, timedPasses);
        passSeconds = 0;
        computeSeconds = 0;
        slowestTaskSeconds = 0;
        timedPasses = 0;
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
