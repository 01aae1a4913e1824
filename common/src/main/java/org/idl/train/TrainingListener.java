package org.idl.train;

/** Told of each round once its true-model metrics are known, with the training state after it. */
@FunctionalInterface
public interface TrainingListener {
    void roundCompleted(Round round, TrainingResult state);
}
