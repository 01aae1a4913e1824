package org.idl.spark.ml;

import java.io.Serializable;

/**
 * What a training run reports, per round: the relaxed objective (11) after the state steps, the
 * seconds taken and how they split: wall time in passes over the partitions (jobs, partition work,
 * aggregation), the partitions' own compute summed over tasks (so up to the number of cores times
 * the pass time), the slowest task's compute summed over the round's passes (what a round would take
 * on one executor per partition, before Spark's overheads), the number of passes (Spark jobs), the
 * averages the partitions took among themselves inside collective passes and the seconds those cost
 * (the least any task spent in them), the passes that measure the validation data, and the driver's
 * solves (the rest);
 * the true-model training loss and accuracy (or
 * RMSE) after the round, and the same on validation data when the estimator was given some (NaN
 * for rounds restored from a checkpoint; null without validation data); then the well-posedness
 * figures of the final A; the seconds spent building and caching the blocks from the rows before
 * the first pass (their lazy transformations run there), apart from the seconds of training that follow,
 * and the part of those spent before this fit's first round began (the schedule's set-up passes; all of
 * them when no round ran; what else falls outside the rounds is the final measurement of the trained
 * model, and for the hybrid solver the passes between its two phases);
 * the number of partitions; per round the batch updates the minibatch BCD schedule undid because the
 * next batch's loss jumped (0 for every other solver and schedule); and the round whose model was kept:
 * the last, or with early stopping its best (0 when no round ran).
 */
public record TrainingSummary(
        double[] objectiveHistory,
        double[] roundSeconds,
        double[] passSeconds,
        double[] partitionComputeSeconds,
        double[] slowestTaskSeconds,
        int[] passes,
        int[] syncs,
        double[] syncSeconds,
        double[] validationSeconds,
        double[] driverSeconds,
        double[] trainLoss,
        double[] trainMetric,
        double[] validationLoss,
        double[] validationMetric,
        String metricName,
        double initialTrainLoss,
        double initialTrainMetric,
        double infNorm,
        double spectralRadiusEstimate,
        double contractionFactor,
        double dataSeconds,
        double trainingSeconds,
        double setUpSeconds,
        int partitions,
        int[] undoneUpdates,
        int keptRound) implements Serializable {

    /** The summary a model holds; only a model fresh from fit in this session has one. */
    static TrainingSummary require(TrainingSummary summary) {
        if (summary == null) {
            throw new IllegalStateException("no training summary: this model was not produced by fit in this session");
        }
        return summary;
    }

    public int rounds() {
        return objectiveHistory.length;
    }
}
