package org.idl.spark;

import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;

import java.util.List;

/**
 * Every use of Spark API that Spark marks internal ({@code private[ml]}, {@code private[spark]}: public in the bytecode, not
 * promised to Java callers) sits here, so an upgrade has one place to check.
 */
public final class SparkInternals {
    private SparkInternals() {
    }

    /** Spark's reader of estimators saved with DefaultParamsWritable (the class is private[ml]). */
    public static <T> MLReader<T> defaultParamsReader() {
        return new DefaultParamsReader<>();
    }

    /** A PipelineModel of already fitted stages (its constructor is private[ml]). */
    public static PipelineModel pipelineModel(List<Transformer> stages) {
        return new PipelineModel(Identifiable$.MODULE$.randomUID("pipeline"), stages);
    }

    /** How many tasks the cluster can run at once now (SparkContext.maxNumConcurrentTasks is private[spark]). */
    public static int taskSlots(org.apache.spark.SparkContext sc) {
        return sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile());
    }
}
