package org.idl.train.gradient;

import java.io.Serializable;

/**
 * Settings of the implicit-gradient solver.
 *
 * @param rounds    gradient rounds: one epoch (pass over the data) each
 * @param stepSize  Adam's step size
 * @param batchSize 0 for full-batch steps (one gradient per pass, one Adam step on the driver); otherwise
 *                  the global mini-batch, at most: the points of one step summed over all partitions (data of
 *                  fewer than {@link #MIN_STEPS_PER_EPOCH} x batchSize points takes that many smaller ones, or as
 *                  many as its smallest partition has points, if fewer: {@link #stepsPerEpoch(long, long)}). Each
 *                  partition takes its share ({@code batchSize} times its points over all points), so every
 *                  partition takes the same {@link #stepsPerEpoch(long, long)} local Adam steps per epoch, however
 *                  many partitions there are
 * @param tolerance relative tolerance of the certified forward and adjoint fixed points during training
 * @param schedule  the step size over the rounds: constant, or cosine annealing towards 0 at the end of the last round
 * @param syncSteps mini-batch: the partitions' parameters and Adam moments are averaged every this many
 *                  local steps (one Spark job each); 0 chooses from the number of partitions K: every
 *                  {@code ceil(320 / K)} steps (see {@link #stepsPerSync})
 * @param interval  interval-bound (robust) training, or null for the nominal loss
 * @param rank      0 for a dense A; k > 0 trains A as factors L R^T of rank k (paper section 6.3)
 */
public record GradientConfig(int rounds, double stepSize, int batchSize, double tolerance, StepSchedule schedule,
                             int syncSteps, IntervalTraining interval, int rank) implements Serializable {
    /**
     * Rounds (epochs) unless set: on small tabular sets 20 epochs ended up to 7.5 points below 50 (vowel), and
     * 50 at most 0.13 points below 20 but on wine (one test point) (docs/benchmarks.md, "Small data with the
     * defaults").
     */
    public static final int DEFAULT_ROUNDS = 50;
    public static final double DEFAULT_STEP_SIZE = 3e-3;
    public static final int DEFAULT_BATCH_SIZE = 128;
    public static final double DEFAULT_TOLERANCE = 1e-3;
    /** Automatic averaging: see {@link #stepsPerSync}. */
    public static final int DEFAULT_SYNC_STEPS = 0;
    /**
     * Local steps between averagings times partitions, for {@code syncSteps = 0}. Measured with
     * n = 100, a global batch of 128 (469 steps an epoch) and 20 epochs: on MNIST 32 partitions kept
     * their accuracy averaged every 10 or 20 steps and lost 1 point at 50, 64 kept it at 10, 8 lost
     * 0.3 points averaged once per epoch; on Fashion-MNIST 32 partitions needed 10 steps (20 trailed
     * by 1.5 points after 12 epochs).
     */
    static final int AUTO_SYNC_BUDGET = 320;
    /**
     * The fewest local steps an epoch takes: data of fewer than 32 x batchSize points is cut into 32
     * smaller batches, so that 20 epochs are 640 steps (50, the default since, 1,600; fewer only when a partition
     * holds fewer than 32 points: see {@link #stepsPerEpoch(long, long)}). Measured with the
     * defaults otherwise, means of three seeds (docs/benchmarks.md, "Small data"): iris (111 training
     * points, 1 step of 128 an epoch) 75.2% before, 94.0% after (2 partitions); digits (1,346, 11 steps) 97.5% and 98.2%;
     * 1,000 MNIST images (8 steps) 87.1% and 88.2%. At 5,000 MNIST or Fashion-MNIST images (40 steps of
     * 128), batches of 32 and 16 lost 0.7-2.3 points, and there the rule does not act.
     */
    public static final int MIN_STEPS_PER_EPOCH = 32;

    /** A dense A. */
    public GradientConfig(int rounds, double stepSize, int batchSize, double tolerance, StepSchedule schedule,
                          int syncSteps, IntervalTraining interval) {
        this(rounds, stepSize, batchSize, tolerance, schedule, syncSteps, interval, 0);
    }

    /** Nominal training, a dense A. */
    public GradientConfig(int rounds, double stepSize, int batchSize, double tolerance, StepSchedule schedule,
                          int syncSteps) {
        this(rounds, stepSize, batchSize, tolerance, schedule, syncSteps, null);
    }

    /** With a constant step size and the default averaging. */
    public GradientConfig(int rounds, double stepSize, int batchSize, double tolerance) {
        this(rounds, stepSize, batchSize, tolerance, StepSchedule.CONSTANT);
    }

    /** With the default, automatic averaging. */
    public GradientConfig(int rounds, double stepSize, int batchSize, double tolerance, StepSchedule schedule) {
        this(rounds, stepSize, batchSize, tolerance, schedule, DEFAULT_SYNC_STEPS);
    }

    public GradientConfig {
        if (schedule == null) {
            throw new IllegalArgumentException("the step schedule must be given (constant or cosine)");
        }
        if (rounds < 0) {
            throw new IllegalArgumentException("gradient rounds must be >= 0, got " + rounds);
        }
        if (!(stepSize > 0) || !Double.isFinite(stepSize)) {
            throw new IllegalArgumentException("stepSize must be a positive number, got " + stepSize);
        }
        if (batchSize < 0) {
            throw new IllegalArgumentException("batchSize must be >= 0 (0: full batch), got " + batchSize);
        }
        if (!(tolerance > 0 && tolerance < 1)) {
            throw new IllegalArgumentException("gradient tolerance must be in (0, 1), got " + tolerance);
        }
        if (rank < 0) {
            throw new IllegalArgumentException("rank must be >= 0 (0: a dense A), got " + rank);
        }
        if (syncSteps < 0) {
            throw new IllegalArgumentException("syncSteps must be >= 0 (0: chosen from the number of partitions), got "
                    + syncSteps);
        }
    }

    public static GradientConfig defaults(int rounds) {
        return new GradientConfig(rounds, DEFAULT_STEP_SIZE, DEFAULT_BATCH_SIZE, DEFAULT_TOLERANCE);
    }

    /** Adam's step size after {@code roundsDone} (fractional: within a round) of the {@link #rounds} rounds. */
    public double stepSizeAfter(double roundsDone) {
        return schedule.at(stepSize, rounds == 0 ? 0 : roundsDone / rounds);
    }

    /** The same settings with interval-bound training ({@code null}: nominal). */
    public GradientConfig withInterval(IntervalTraining training) {
        return new GradientConfig(rounds, stepSize, batchSize, tolerance, schedule, syncSteps, training, rank);
    }

    /** The same settings with A of rank k as factors L R^T (0: dense). */
    public GradientConfig withRank(int k) {
        return new GradientConfig(rounds, stepSize, batchSize, tolerance, schedule, syncSteps, interval, k);
    }

    public boolean fullBatch() {
        return batchSize == 0;
    }

    /**
     * Local steps per epoch on every partition, for mini-batch steps ({@code batchSize > 0}), when the
     * smallest partition that holds any point holds {@code smallestPartition}: {@code ceil(points / batchSize)},
     * but at least {@link #MIN_STEPS_PER_EPOCH} as far as that partition has a point for every step (the rule
     * never makes a partition sit steps out, which would shorten the average of the partitions' steps),
     * and at least 1.
     */
    public int stepsPerEpoch(long points, long smallestPartition) {
        long steps = Math.max((points + batchSize - 1) / batchSize, Math.min(smallestPartition, MIN_STEPS_PER_EPOCH));
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, steps));
    }

    /** Local steps between two averagings of an epoch of {@code steps} steps on {@code partitions} partitions. */
    public int stepsPerSync(int steps, int partitions) {
        int every = syncSteps > 0 ? syncSteps : (AUTO_SYNC_BUDGET + partitions - 1) / Math.max(1, partitions);
        return Math.max(1, Math.min(every, steps));
    }
}
