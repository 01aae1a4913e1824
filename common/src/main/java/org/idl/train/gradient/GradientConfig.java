package org.idl.train.gradient;

import java.io.Serializable;

/**
 * Settings of the implicit-gradient solver.
 *
 * @param rounds    gradient rounds: one pass over the data each
 * @param stepSize  Adam's step size
 * @param batchSize 0 for full-batch steps (one gradient per pass, one Adam step on the driver); otherwise
 *                  each partition takes local Adam steps on mini-batches of this many points for one epoch
 *                  of its data, and the parameters and Adam moments are averaged once per round
 * @param tolerance relative tolerance of the certified forward and adjoint fixed points during training
 * @param schedule  the step size over the rounds: constant, or cosine annealing towards 0 at the end of the last round
 */
public record GradientConfig(int rounds, double stepSize, int batchSize, double tolerance, StepSchedule schedule)
        implements Serializable {
    public static final double DEFAULT_STEP_SIZE = 3e-3;
    public static final int DEFAULT_BATCH_SIZE = 128;
    public static final double DEFAULT_TOLERANCE = 1e-3;

    /** With a constant step size. */
    public GradientConfig(int rounds, double stepSize, int batchSize, double tolerance) {
        this(rounds, stepSize, batchSize, tolerance, StepSchedule.CONSTANT);
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
    }

    public static GradientConfig defaults(int rounds) {
        return new GradientConfig(rounds, DEFAULT_STEP_SIZE, DEFAULT_BATCH_SIZE, DEFAULT_TOLERANCE);
    }

    /** Adam's step size after {@code roundsDone} (fractional: within a round) of the {@link #rounds} rounds. */
    public double stepSizeAfter(double roundsDone) {
        return schedule.at(stepSize, rounds == 0 ? 0 : roundsDone / rounds);
    }

    public boolean fullBatch() {
        return batchSize == 0;
    }
}
