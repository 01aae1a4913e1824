package org.idl.spark.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import org.idl.model.ImplicitModel;
import org.idl.model.WellPosedness;
import org.idl.spark.ml.TrainingSummary;
import org.idl.train.BlockStore;
import org.idl.train.DataBlock;
import org.idl.train.EarlyStopping;
import org.idl.train.Evaluation;
import org.idl.train.ImplicitTrainer;
import org.idl.train.MetricSums;
import org.idl.train.Round;
import org.idl.train.Summable;
import org.idl.train.TrainingListener;
import org.idl.train.TrainingResult;
import org.idl.train.bcd.BcdConfig;
import org.idl.train.gradient.GradientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Distributed training: common/'s trainers (BCD, implicit gradients, or both, as {@link ImplicitTrainer}
 * chooses) driving a {@link SparkBlockStore}. Logs one line
 * per round and gathers the {@link TrainingSummary}. The store's caches are released when training
 * ends, also when it fails.
 */
public final class DistributedTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(DistributedTrainer.class);

    public record Result(ImplicitModel model, TrainingSummary summary) {
    }

    private DistributedTrainer() {
    }

    /**
     * @param classification whether the model classifies (its metric is the accuracy, whatever its loss; else the RMSE)
     * @param inProcess hold the blocks in the driver's JVM and run passes on its threads instead of as
     *                  Spark jobs ({@link DriverBlockStore}; Spark's local mode only, see {@link InProcess})
     */
    public static Result fit(JavaRDD<DataBlock> blocks, JavaRDD<DataBlock> validationBlocks, int inputs, int outputs,
                      boolean classification, BcdConfig config, ImplicitTrainer trainer, int aggregationDepth,
                      int checkpointInterval, Averaging averaging, int earlyStoppingRounds,
                      EarlyStopping.Metric stoppingMetric, int validationEvery,
                      TrainingCheckpoints checkpoints, boolean inProcess) {
        long start = System.nanoTime();
        int threads = blocks.context().defaultParallelism();
        TimedStore store = new TimedStore(inProcess
                ? new DriverBlockStore(blocks.collect(), blocks.getNumPartitions(), threads, averaging)
                : new SparkBlockStore(blocks, aggregationDepth, checkpointInterval, StorageLevel.MEMORY_AND_DISK(),
                averaging));
        if (inProcess) {
            LOG.info("local mode: the {} blocks are held in the driver, and each pass runs on {} threads without a"
                    + " Spark job (spark.idl.inProcess = false to train through Spark jobs)", store.store.blockCount(),
                    threads);
        }
        List<Round> rounds = new ArrayList<>();
        // Validation metrics per round number (rounds restored from a checkpoint have none).
        java.util.Map<Integer, MetricSums> validation = new java.util.HashMap<>();
        BlockStore validationStore = validationBlocks == null ? null : inProcess
                ? new DriverBlockStore(validationBlocks.collect(), validationBlocks.getNumPartitions(), threads,
                Averaging.DRIVER)
                : new SparkBlockStore(validationBlocks, aggregationDepth, -1, StorageLevel.MEMORY_AND_DISK());
        try {
            if (!inProcess) {
                // Build and cache the blocks now (the stores persisted them), so that the first pass is
                // training only and the blocks' seconds are reported on their own.
                blocks.count();
                if (validationBlocks != null) {
                    validationBlocks.count();
                }
            }
            double dataSeconds = (System.nanoTime() - start) / 1e9;
            long trainingStart = System.nanoTime();
            TrainingResult resume = checkpoints == null ? null : checkpoints.resumePoint();
            if (resume != null) {
                LOG.info("resuming after round {} from {}", resume.rounds().size(), checkpoints.directory());
            }
            EarlyStopping stopping = new EarlyStopping(earlyStoppingRounds, stoppingMetric);
            TrainingListener listener = new TrainingListener() {
                @Override
                public void roundCompleted(Round round, TrainingResult state) {
                    if (checkpoints != null) {
                        checkpoints.roundCompleted(state);
                    }
                    String held = "";
                    // Every validationEvery rounds, and the last (early stopping measures every round).
                    if (validationStore != null && (round.round() % validationEvery == 0
                            || round.round() == trainer.totalRounds())) {
                        long t0 = System.nanoTime();
                        MetricSums v = validationStore.pass(state.model(), new Evaluation(config.model()));
                        store.validationSeconds += (System.nanoTime() - t0) / 1e9;
                        validation.put(round.round(), v);
                        held = String.format(", validation %s %.4f", classification ? "accuracy" : "rmse",
                                classification ? v.accuracy() : v.rmse());
                    }
                    int undone = round.steps() == null ? 0 : round.steps().undone();
                    LOG.info(String.format("round %d/%d: objective %.6g, true-model train loss %.6g, %s %.4f on %d points%s,"
                                    + " %.2f s%s",
                            round.round(), trainer.totalRounds(), round.objective(), round.train().meanLoss(),
                            classification ? "accuracy" : "rmse",
                            classification ? round.train().accuracy() : round.train().rmse(), round.train().count(),
                            held, round.seconds(), undone == 0 ? "" : String.format("; %d batch update%s undone (the"
                                    + " next batch's loss jumped), the steps halved as often", undone,
                                    undone == 1 ? "" : "s")));
                    if (validation.containsKey(round.round())) {
                        stopping.record(round.round(), validation.get(round.round()), state.model());
                    }
                }

                @Override
                public boolean stopRequested() {
                    return stopping.stop();
                }

                @Override
                public void epochPlanned(long points, int partitions, int steps, int perSync) {
                    LOG.info(String.format("gradient epochs: %d steps of about %.1f points (at most batchSize, and at"
                                    + " least %d steps an epoch where every partition holds as many points), %d"
                                    + " partitions averaged every %d steps",
                            steps, (double) points / steps, GradientConfig.MIN_STEPS_PER_EPOCH, partitions, perSync));
                }
            };
            TrainingResult result = trainer.fit(store, inputs, outputs, listener, resume);
            List<Round> done = result.rounds();
            int keptRound = done.isEmpty() ? 0 : done.get(done.size() - 1).round();
            if (stopping.enabled() && stopping.best() != null) {
                keptRound = stopping.bestRound();
                LOG.info("early stopping: round {} was the best ({}); keeping its model", stopping.bestRound(),
                        stopping.describeBest());
                result = new TrainingResult(stopping.best(), result.initial(), result.rounds());
            }
            rounds.addAll(result.rounds());
            int r = rounds.size();
            double[] objective = new double[r];
            double[] seconds = new double[r];
            double[] loss = new double[r];
            double[] metric = new double[r];
            double[] driver = new double[r];
            // Rounds restored from a checkpoint were timed by the earlier run: their split is not known (0).
            int restored = r - store.timings.size();
            double[] pass = new double[r];
            double[] validating = new double[r];
            double[] computed = new double[r];
            double[] slowest = new double[r];
            int[] passes = new int[r];
            int[] syncs = new int[r];
            double[] syncSeconds = new double[r];
            for (int i = restored; i < r; i++) {
                SparkBlockStore.Timings t = store.timings.get(i - restored);
                pass[i] = t.passSeconds();
                computed[i] = t.computeSeconds();
                slowest[i] = t.slowestTaskSeconds();
                passes[i] = t.passes();
                syncs[i] = t.syncs();
                syncSeconds[i] = t.syncSeconds();
                validating[i] = store.validationSecondsPerRound.get(i - restored);
            }
            int[] undone = new int[r];
            double[] validationLoss = validationStore == null ? null : new double[r];
            double[] validationMetric = validationStore == null ? null : new double[r];
            for (int i = 0; i < r; i++) {
                Round round = rounds.get(i);
                if (validationStore != null) {
                    MetricSums v = validation.get(round.round());
                    validationLoss[i] = v == null ? Double.NaN : v.meanLoss();
                    validationMetric[i] = v == null ? Double.NaN : classification ? v.accuracy() : v.rmse();
                }
                objective[i] = round.objective();
                seconds[i] = round.seconds();
                loss[i] = round.train().meanLoss();
                metric[i] = classification ? round.train().accuracy() : round.train().rmse();
                driver[i] = i < restored ? 0 : Math.max(0, seconds[i] - pass[i] - validating[i]);
                undone[i] = round.steps() == null ? 0 : round.steps().undone();
            }
            WellPosedness.Certificate wp = WellPosedness.certify(result.model().a());
            double trainingSeconds = (System.nanoTime() - trainingStart) / 1e9;
            // Without a round (none asked for, or all restored from a checkpoint) it was all set-up.
            double setUpSeconds = store.roundBegan ? (store.firstRoundStart - trainingStart) / 1e9 : trainingSeconds;
            TrainingSummary summary = new TrainingSummary(objective, seconds, pass, computed, slowest, passes, syncs, syncSeconds, validating,
                    driver, loss,
                    metric,
                    validationLoss, validationMetric,
                    classification ? "accuracy" : "rmse", result.initial().meanLoss(),
                    classification ? result.initial().accuracy() : result.initial().rmse(), wp.infNorm(),
                    wp.spectralRadiusEstimate(), wp.factor(), dataSeconds, trainingSeconds, setUpSeconds,
                    store.store.blockCount(), undone, keptRound);
            LOG.info(String.format("trained in %.1f s after %.1f s building the blocks: ||A||_inf = %.4f, rho(|A|) ~ %.4f",
                    summary.trainingSeconds(), summary.dataSeconds(), wp.infNorm(), wp.spectralRadiusEstimate()));
            return new Result(result.model(), summary);
        } finally {
            store.release();
            if (validationStore != null) {
                validationStore.release();
            }
        }
    }

    /** Wraps the store to keep each round's pass timings. */
    private static final class TimedStore implements BlockStore {
        private final TimedBlockStore store;
        final List<SparkBlockStore.Timings> timings = new ArrayList<>();
        final List<Double> validationSecondsPerRound = new ArrayList<>();
        /** Seconds of validation passes (on their own store) since the round began. */
        double validationSeconds;
        /** Whether a round of this run began, and when the first did ({@link System#nanoTime}). */
        boolean roundBegan;
        long firstRoundStart;

        TimedStore(TimedBlockStore store) {
            this.store = store;
        }

        @Override
        public <S extends Summable<S>> S pass(ImplicitModel parameters, Task<S> task) {
            return store.pass(parameters, task);
        }

        /** Drops what was timed before a round began: the set-up passes, or the last round's evaluation. */
        @Override
        public void roundStarted(int round) {
            if (!roundBegan) {
                roundBegan = true;
                firstRoundStart = System.nanoTime();
            }
            store.roundStarted(round);
            store.takeTimings();
            validationSeconds = 0;
        }

        @Override
        public void roundCompleted(int round) {
            store.roundCompleted(round);
            timings.add(store.takeTimings());
            validationSecondsPerRound.add(validationSeconds);
        }

        @Override
        public boolean collective() {
            return store.collective();
        }

        @Override
        public <S extends Summable<S>> S collectivePass(ImplicitModel parameters, CollectiveTask<S> task) {
            return store.collectivePass(parameters, task);
        }

        @Override
        public void release() {
            store.release();
        }
    }
}
