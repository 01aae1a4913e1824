package org.idl.train;

/** Told of each round once its true-model metrics are known, with the training state after it. */
@FunctionalInterface
public interface TrainingListener {
    void roundCompleted(Round round, TrainingResult state);

    /**
     * Asked after each {@link #roundCompleted}: true ends training there, with the model of the round
     * just reported (early stopping).
     */
    default boolean stopRequested() {
        return false;
    }

    /**
     * Told once, before the first mini-batch gradient epoch: the epoch's {@code steps} local steps over
     * {@code points} points in {@code partitions} partitions, averaged every {@code perSync} steps.
     */
    default void epochPlanned(long points, int partitions, int steps, int perSync) {
    }
}
