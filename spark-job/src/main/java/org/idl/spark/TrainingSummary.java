package org.idl.spark;

import java.io.Serializable;

/**
 * What a training run reports, per round: the relaxed objective (11) after the state steps, the
 * seconds taken (and how they split between passes over the partitions, of which the partitions'
 * own compute, and the driver's solves), and the true-model training loss and accuracy (or RMSE);
 * then the well-posedness figures of the final A.
 */
public record TrainingSummary(
        double[] objectiveHistory,
        double[] roundSeconds,
        double[] passSeconds,
        double[] partitionComputeSeconds,
        double[] driverSeconds,
        double[] trainLoss,
        double[] trainMetric,
        String metricName,
        double initialTrainLoss,
        double initialTrainMetric,
        double infNorm,
        double spectralRadiusEstimate,
        double contractionFactor,
        double trainingSeconds,
        int partitions) implements Serializable {

    public int rounds() {
        return objectiveHistory.length;
    }
}
