package org.idl.spark.ml;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.idl.spark.SparkSessionTest;
import org.idl.spark.SparkTestData;
import org.idl.spark.SparkTests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Blocks held in the driver (spark.idl.inProcess) train the model the Spark jobs train. */
class InProcessTest extends SparkSessionTest {
    private static final SparkTestData data = SparkTestData.digits();

    @AfterEach
    void throughSparkJobsAgain() {
        spark.conf().set("spark.idl.inProcess", "false");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"bcd", "gradient", "hybrid", "bcd-robust"})
    void sameModelAsThroughSparkJobs(String solver) {
        // Validation rows and weights too: every kind of pass. Two partitions on two cores: the gradient
        // epochs are collective passes (Spark's ring, the driver's shared memory).
        Dataset<Row> frame = SparkTestData.frame(spark, data.train, 2)
                .withColumn("isVal", functions.rand(2).lt(0.2)).withColumn("w", functions.rand(3).plus(0.5));
        IdlClassifier classifier = new IdlClassifier().setSolver(solver.replace("-robust", "")).setHiddenSize(12)
                .setMaxIter(2).setGradientIter(2).setInitialReadoutPasses(2).setValidationIndicatorCol("isVal")
                .setWeightCol("w");
        if (solver.endsWith("-robust")) {
            // BCD's robust counterpart: its statistics travel as task results (Kryo, registration required).
            classifier.setRobustRadius(0.5).setRobustRamp(1);
        }
        IdlClassificationModel viaJobs = classifier.fit(frame);
        spark.conf().set("spark.idl.inProcess", "true");
        IdlClassificationModel inDriver = classifier.fit(frame);
        SparkTests.assertSameModel(viaJobs.implicitModel(), inDriver.implicitModel(), 1e-8);
        assertEquals(2, inDriver.summary().partitions());
        assertTrue(Arrays.equals(viaJobs.summary().validationLoss(), inDriver.summary().validationLoss())
                || maxRelative(viaJobs.summary().validationLoss(), inDriver.summary().validationLoss()) < 1e-8);
        // The all-reduces inside collective passes are counted alike (the round's time split).
        org.junit.jupiter.api.Assertions.assertArrayEquals(viaJobs.summary().syncs(), inDriver.summary().syncs());
    }

    /**
     * Minibatch BCD's epochs are collective passes both ways, with two all-reduces a batch and one at the
     * end: the driver's store counts and times them as Spark's tasks do.
     */
    @org.junit.jupiter.api.Test
    void minibatchEpochsCountTheirAllReducesAlike() {
        Dataset<Row> frame = SparkTestData.frame(spark, data.train, 2);
        IdlClassificationModel[] fits = minibatchThroughJobsThenInDriver(frame);
        IdlClassificationModel viaJobs = fits[0];
        IdlClassificationModel inDriver = fits[1];
        int batches = (int) Math.round(frame.count() / 300.0);
        for (int r = 0; r < 2; r++) {
            int undone = inDriver.summary().undoneUpdates()[r];
            assertEquals(2 * batches + 1 - undone, inDriver.summary().syncs()[r], "all-reduces in epoch " + (r + 1));
            assertTrue(inDriver.summary().syncSeconds()[r] > 0, "no time in the all-reduces of epoch " + (r + 1));
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(viaJobs.summary().syncs(), inDriver.summary().syncs());
    }

    /**
     * Minibatch BCD, whose collective passes need every partition's task, on data whose partition 0 is
     * empty: the driver's store, as Spark's, then meets after each pass instead, with the same model.
     */
    @org.junit.jupiter.api.Test
    void anEmptyFirstPartitionTurnsCollectivePassesOff() {
        Dataset<Row> frame = SparkTestData.frame(spark, data.train, 3).repartition(3)
                .filter(functions.spark_partition_id().notEqual(0));
        assertEquals(3, frame.rdd().getNumPartitions());
        IdlClassificationModel[] fits = minibatchThroughJobsThenInDriver(frame);
        IdlClassificationModel viaJobs = fits[0];
        IdlClassificationModel inDriver = fits[1];
        assertEquals(2, inDriver.summary().partitions());
        assertEquals(2, inDriver.summary().undoneUpdates().length);
        org.junit.jupiter.api.Assertions.assertArrayEquals(viaJobs.summary().undoneUpdates(),
                inDriver.summary().undoneUpdates(), "the same updates undone");
    }

    /**
     * Two epochs of minibatch BCD fitted through Spark jobs, then with the blocks in the driver: the
     * two models, checked to be the same to 1e-8.
     */
    private IdlClassificationModel[] minibatchThroughJobsThenInDriver(Dataset<Row> frame) {
        IdlClassifier classifier = new IdlClassifier().setSchedule("minibatch").setHiddenSize(12).setMaxIter(2)
                .setBcdBatchSize(300).setInitialReadoutPasses(2);
        IdlClassificationModel viaJobs = classifier.fit(frame);
        spark.conf().set("spark.idl.inProcess", "true");
        IdlClassificationModel inDriver = classifier.fit(frame);
        SparkTests.assertSameModel(viaJobs.implicitModel(), inDriver.implicitModel(), 1e-8);
        return new IdlClassificationModel[]{viaJobs, inDriver};
    }

    private static double maxRelative(double[] a, double[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1e-300, Math.abs(a[i])));
        }
        return worst;
    }
}
