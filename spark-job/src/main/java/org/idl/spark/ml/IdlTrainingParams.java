package org.idl.spark.ml;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The training params of the estimators and of the models they fit, with their getters, as Spark's
 * {@code *Params} traits share them: a fitted or loaded model reports the settings it was trained
 * with ({@code copyValues} in fit, the metadata on load). Each param's meaning, validator and
 * default are in {@link IdlParams}; the setters are the estimators'.
 */
public interface IdlTrainingParams extends Params {
    /** The param objects of this instance (each owned by it). */
    IdlParams trainingParams();

    default IntParam hiddenSize() {
        return trainingParams().hiddenSize;
    }

    default int getHiddenSize() {
        return (Integer) getOrDefault(hiddenSize());
    }

    default DoubleParam kappa() {
        return trainingParams().kappa;
    }

    default double getKappa() {
        return (Double) getOrDefault(kappa());
    }

    default DoubleParam lambda() {
        return trainingParams().lambda;
    }

    default double getLambda() {
        return (Double) getOrDefault(lambda());
    }

    default DoubleParam mu() {
        return trainingParams().mu;
    }

    default double getMu() {
        return (Double) getOrDefault(mu());
    }

    default IntParam maxIter() {
        return trainingParams().maxIter;
    }

    default int getMaxIter() {
        return (Integer) getOrDefault(maxIter());
    }

    default DoubleParam tol() {
        return trainingParams().tol;
    }

    default double getTol() {
        return (Double) getOrDefault(tol());
    }

    default Param<String> loss() {
        return trainingParams().loss;
    }

    default String getLoss() {
        return (String) getOrDefault(loss());
    }

    default Param<String> activation() {
        return trainingParams().activation;
    }

    default String getActivation() {
        return (String) getOrDefault(activation());
    }

    default Param<String> schedule() {
        return trainingParams().schedule;
    }

    default String getSchedule() {
        return (String) getOrDefault(schedule());
    }

    default DoubleParam l1B() {
        return trainingParams().l1B;
    }

    default double getL1B() {
        return (Double) getOrDefault(l1B());
    }

    default DoubleParam l1CD() {
        return trainingParams().l1CD;
    }

    default double getL1CD() {
        return (Double) getOrDefault(l1CD());
    }

    default DoubleParam groupBD() {
        return trainingParams().groupBD;
    }

    default double getGroupBD() {
        return (Double) getOrDefault(groupBD());
    }

    default DoubleParam ridge() {
        return trainingParams().ridge;
    }

    default double getRidge() {
        return (Double) getOrDefault(ridge());
    }

    default BooleanParam fitIntercept() {
        return trainingParams().fitIntercept;
    }

    default boolean getFitIntercept() {
        return (Boolean) getOrDefault(fitIntercept());
    }

    default LongParam seed() {
        return trainingParams().seed;
    }

    default long getSeed() {
        return (Long) getOrDefault(seed());
    }

    default IntParam checkpointInterval() {
        return trainingParams().checkpointInterval;
    }

    default int getCheckpointInterval() {
        return (Integer) getOrDefault(checkpointInterval());
    }

    default IntParam aggregationDepth() {
        return trainingParams().aggregationDepth;
    }

    default int getAggregationDepth() {
        return (Integer) getOrDefault(aggregationDepth());
    }

    default IntParam pStepIterations() {
        return trainingParams().pStepIterations;
    }

    default int getPStepIterations() {
        return (Integer) getOrDefault(pStepIterations());
    }

    default IntParam xStepIterations() {
        return trainingParams().xStepIterations;
    }

    default int getXStepIterations() {
        return (Integer) getOrDefault(xStepIterations());
    }

    default IntParam abIterations() {
        return trainingParams().abIterations;
    }

    default int getAbIterations() {
        return (Integer) getOrDefault(abIterations());
    }

    default IntParam readoutPasses() {
        return trainingParams().readoutPasses;
    }

    default int getReadoutPasses() {
        return (Integer) getOrDefault(readoutPasses());
    }

    default IntParam initialReadoutPasses() {
        return trainingParams().initialReadoutPasses;
    }

    default int getInitialReadoutPasses() {
        return (Integer) getOrDefault(initialReadoutPasses());
    }

    default Param<String> solver() {
        return trainingParams().solver;
    }

    default String getSolver() {
        return (String) getOrDefault(solver());
    }

    default IntParam gradientIter() {
        return trainingParams().gradientIter;
    }

    default int getGradientIter() {
        return (Integer) getOrDefault(gradientIter());
    }

    default DoubleParam stepSize() {
        return trainingParams().stepSize;
    }

    default double getStepSize() {
        return (Double) getOrDefault(stepSize());
    }

    default IntParam batchSize() {
        return trainingParams().batchSize;
    }

    default int getBatchSize() {
        return (Integer) getOrDefault(batchSize());
    }

    default IntParam syncSteps() {
        return trainingParams().syncSteps;
    }

    default int getSyncSteps() {
        return (Integer) getOrDefault(syncSteps());
    }

    default Param<String> averaging() {
        return trainingParams().averaging;
    }

    default String getAveraging() {
        return (String) getOrDefault(averaging());
    }

    default DoubleParam gradientTol() {
        return trainingParams().gradientTol;
    }

    default double getGradientTol() {
        return (Double) getOrDefault(gradientTol());
    }

    default Param<String> stepSchedule() {
        return trainingParams().stepSchedule;
    }

    default String getStepSchedule() {
        return (String) getOrDefault(stepSchedule());
    }

    default Param<String> validationIndicatorCol() {
        return trainingParams().validationIndicatorCol;
    }

    default String getValidationIndicatorCol() {
        return getOrDefault(validationIndicatorCol());
    }

    default Param<String> weightCol() {
        return trainingParams().weightCol;
    }

    default String getWeightCol() {
        return getOrDefault(weightCol());
    }

    default IntParam earlyStoppingRounds() {
        return trainingParams().earlyStoppingRounds;
    }

    default int getEarlyStoppingRounds() {
        return (Integer) getOrDefault(earlyStoppingRounds());
    }

    default Param<String> earlyStoppingMetric() {
        return trainingParams().earlyStoppingMetric;
    }

    default String getEarlyStoppingMetric() {
        return getOrDefault(earlyStoppingMetric());
    }

    default IntParam bcdBatchSize() {
        return trainingParams().bcdBatchSize;
    }

    default int getBcdBatchSize() {
        return (Integer) getOrDefault(bcdBatchSize());
    }

    default DoubleParam proximalAB() {
        return trainingParams().proximalAB;
    }

    default double getProximalAB() {
        return (Double) getOrDefault(proximalAB());
    }

    default DoubleParam proximalReadout() {
        return trainingParams().proximalReadout;
    }

    default double getProximalReadout() {
        return (Double) getOrDefault(proximalReadout());
    }

    default DoubleParam curvatureScaleAB() {
        return trainingParams().curvatureScaleAB;
    }

    default double getCurvatureScaleAB() {
        return (Double) getOrDefault(curvatureScaleAB());
    }

    default DoubleParam robustRadius() {
        return trainingParams().robustRadius;
    }

    default double getRobustRadius() {
        return (Double) getOrDefault(robustRadius());
    }

    default org.apache.spark.ml.param.DoubleArrayParam robustRadii() {
        return trainingParams().robustRadii;
    }

    default double[] getRobustRadii() {
        return getOrDefault(robustRadii());
    }

    default DoubleParam robustWeight() {
        return trainingParams().robustWeight;
    }

    default double getRobustWeight() {
        return (Double) getOrDefault(robustWeight());
    }

    default DoubleParam robustRamp() {
        return trainingParams().robustRamp;
    }

    default double getRobustRamp() {
        return (Double) getOrDefault(robustRamp());
    }

    default IntParam rank() {
        return trainingParams().rank;
    }

    default int getRank() {
        return (Integer) getOrDefault(rank());
    }
}
