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
}
