package org.idl.spark.ml;

import org.apache.spark.sql.Row;
import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.spark.SparkSessionTest;
import org.idl.spark.SparkTestData;
import org.idl.spark.SparkTests;
import org.idl.train.TrainingResult;
import org.idl.train.bcd.BcdConfig;
import org.idl.train.bcd.BcdTrainer;
import org.idl.train.bcd.Schedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Spark trainer trains the same model as common/'s single-machine trainer, whatever the partitioning. */
class SparkTrainerTest extends SparkSessionTest {
    private static final SparkTestData data = SparkTestData.digits();

    @ParameterizedTest(name = "{0} schedule, {1} partitions")
    @CsvSource({"recipe, 1", "recipe, 2", "recipe, 7", "paper, 1", "paper, 2", "paper, 7", "minibatch, 1",
            "minibatch, 2", "minibatch, 7"})
    void sameModelAsTheSingleMachineTrainer(String schedule, int partitions) {
        // Minibatch: about 6 batches of 200 points an epoch (the batch size does not matter to the others).
        IdlClassifier classifier = new IdlClassifier().setHiddenSize(16).setMaxIter(4).setSchedule(schedule)
                .setInitialReadoutPasses(5).setBcdBatchSize(200);
        BcdConfig config = classifier.bcdConfig();
        assertEquals(Schedule.parse(schedule), config.schedule());
        ImplicitModel local = new BcdTrainer(config)
                .fit(data.train.features(), data.train.oneHot(10), 1, null).model();

        IdlClassificationModel model = classifier.fit(SparkTestData.frame(spark, data.train, partitions));
        ImplicitModel distributed = model.implicitModel();
        assertEquals(partitions, model.summary().partitions());
        assertEquals(4, model.summary().rounds());
        assertEquals(4, model.summary().keptRound(), "without early stopping the last round's model is kept");
        for (String name : List.of("A", "B", "C", "D")) {
            Matrix l = SparkTests.pick(local, name);
            Matrix d = SparkTests.pick(distributed, name);
            double diff = SparkTests.relativeDifference(l, d);
            assertTrue(diff <= 1e-8, name + " differs by " + diff + " relative");
        }
        // transform's batched predictions are the true model's, row for row.
        List<Row> predictions = model.transform(SparkTestData.frame(spark, data.test, 3)).select("prediction", "label")
                .collectAsList();
        Matrix expected = distributed.predict(data.test.features());
        assertEquals(data.test.size(), predictions.size());
        for (int c = 0; c < predictions.size(); c++) {
            assertEquals(data.test.labels()[c], predictions.get(c).getDouble(1));
            assertEquals(IdlClassificationModel.argmax(expected.columns(c, c + 1).data()), predictions.get(c).getDouble(0));
        }
    }

    @ParameterizedTest(name = "solver {0}, batch size {1}, {2} partitions, {3} steps")
    @CsvSource({"gradient, 32, 1, constant", "gradient, 32, 3, cosine", "gradient, 0, 3, cosine",
            "hybrid, 32, 2, constant"})
    void gradientSolversTrainTheSameModelAsOnOneMachine(String solver, int batchSize, int partitions, String steps) {
        IdlClassifier classifier = new IdlClassifier().setHiddenSize(16).setMaxIter(2).setInitialReadoutPasses(3)
                .setSolver(solver).setGradientIter(3).setBatchSize(batchSize).setSyncSteps(10).setStepSize(1e-2)
                .setStepSchedule(steps).setGradientTol(1e-4);
        TrainingResult local = classifier.trainer().fit(data.train.features(), data.train.oneHot(10), partitions,
                null);
        IdlClassificationModel model = classifier.fit(SparkTestData.frame(spark, data.train, partitions));
        ImplicitModel distributed = model.implicitModel();
        assertEquals(local.rounds().size(), model.summary().rounds());
        for (String name : List.of("A", "B", "C", "D")) {
            double diff = SparkTests.relativeDifference(SparkTests.pick(local.model(), name), SparkTests.pick(distributed, name));
            assertTrue(diff <= 1e-8, name + " differs by " + diff + " relative");
        }
        assertTrue(distributed.a().infNorm() <= classifier.bcdConfig().kappa() + 1e-12);
        double[] trainLoss = model.summary().trainLoss();
        assertTrue(trainLoss[trainLoss.length - 1] < local.initial().meanLoss(), java.util.Arrays.toString(trainLoss));
    }

    @Test
    void validationRowsAreHeldOutAndEarlyStoppingKeepsTheBestRound() {
        org.apache.spark.sql.Dataset<Row> frame = SparkTestData.frame(spark, data.train, 2)
                .withColumn("isVal", org.apache.spark.sql.functions.rand(7).lt(0.3));
        long held = frame.filter("isVal").count();
        // A step size large enough to overfit digits within a few epochs.
        IdlClassifier classifier = new IdlClassifier().setHiddenSize(32).setSolver("gradient").setGradientIter(40)
                .setStepSize(3e-2).setBatchSize(32).setValidationIndicatorCol("isVal").setEarlyStoppingRounds(2);
        IdlClassificationModel model = classifier.fit(frame);
        double[] validation = model.summary().validationLoss();
        int rounds = model.summary().rounds();
        int best = 0;
        for (int i = 1; i < rounds; i++) {
            best = validation[i] < validation[best] ? i : best;
        }
        assertTrue(rounds < 40, "no early stop: " + java.util.Arrays.toString(validation));
        assertEquals(best + 1 + 2, rounds, "stopped 2 rounds after the best: " + java.util.Arrays.toString(validation));
        assertEquals(best + 1, model.summary().keptRound());
        // The model kept is the best round's: its loss on the held-out rows is that round's.
        List<Row> rows = model.transform(frame.filter("isVal")).select("probability", "label").collectAsList();
        assertEquals(held, rows.size());
        double loss = 0;
        for (Row r : rows) {
            loss -= Math.log(((org.apache.spark.ml.linalg.Vector) r.get(0)).apply((int) r.getDouble(1)));
        }
        assertEquals(validation[best], loss / rows.size(), 1e-6);
        // Early stopping without validation rows is refused.
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new IdlClassifier().setEarlyStoppingRounds(3).fit(frame));
        assertTrue(e.getMessage().contains("validationIndicatorCol"), e.getMessage());

        // On the accuracy: the best round is the most accurate, ties going to the lower loss. At this smaller step
        // size the validation loss is lowest after round 5 and the accuracy highest after round 9.
        IdlClassificationModel onAccuracy = new IdlClassifier().setHiddenSize(32).setSolver("gradient")
                .setGradientIter(20).setStepSize(1e-2).setBatchSize(32).setValidationIndicatorCol("isVal")
                .setEarlyStoppingRounds(4).setEarlyStoppingMetric("accuracy").fit(frame);
        double[] accuracy = onAccuracy.summary().validationMetric();
        double[] loss2 = onAccuracy.summary().validationLoss();
        int rounds2 = onAccuracy.summary().rounds();
        int best2 = 0;
        for (int i = 1; i < rounds2; i++) {
            best2 = accuracy[i] > accuracy[best2] || (accuracy[i] == accuracy[best2] && loss2[i] < loss2[best2])
                    ? i : best2;
        }
        int lowestLoss2 = 0;
        for (int i = 1; i < rounds2; i++) {
            lowestLoss2 = loss2[i] < loss2[lowestLoss2] ? i : lowestLoss2;
        }
        String history = java.util.Arrays.toString(accuracy) + " " + java.util.Arrays.toString(loss2);
        // The data must tell the metrics apart: here the loss turns up before the accuracy stops rising.
        assertTrue(best2 > lowestLoss2 && accuracy[best2] > accuracy[lowestLoss2], history);
        assertTrue(rounds2 < 20 && best2 + 1 + 4 == rounds2, "stopped 4 rounds after the best: " + history);
        assertEquals(best2 + 1, onAccuracy.summary().keptRound());
        double right = 0;
        double heldLoss = 0;
        for (Row r : onAccuracy.transform(frame.filter("isVal")).select("prediction", "label", "probability")
                .collectAsList()) {
            right += r.getDouble(0) == r.getDouble(1) ? 1 : 0;
            heldLoss -= Math.log(((org.apache.spark.ml.linalg.Vector) r.get(2)).apply((int) r.getDouble(1)));
        }
        assertEquals(accuracy[best2], right / held, 1e-12);
        assertEquals(loss2[best2], heldLoss / held, 1e-6);
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new IdlClassifier().setEarlyStoppingMetric("auc"));
        assertTrue(e.getMessage().contains("earlyStoppingMetric"), e.getMessage());
    }

    @Test
    void transformBroadcastsTheModelOnceNotOncePerCall() {
        IdlClassificationModel model = new IdlClassifier().setHiddenSize(8).setMaxIter(1).setInitialReadoutPasses(2)
                .fit(SparkTestData.frame(spark, data.train, 2));
        org.apache.spark.sql.Dataset<Row> test = SparkTestData.frame(spark, data.test, 2);
        long before = nextBroadcastId();
        model.transform(test).count();
        long between = nextBroadcastId();
        model.transform(test).count();
        long after = nextBroadcastId();
        // Whatever else Spark broadcasts per query, the first call adds the model's matrices and the second does not.
        assertEquals(1, (between - before) - (after - between), before + " " + between + " " + after);
    }

    private static long nextBroadcastId() {
        org.apache.spark.broadcast.Broadcast<Integer> probe = spark.sparkContext().broadcast(0,
                scala.reflect.ClassTag$.MODULE$.apply(Integer.class));
        probe.destroy();
        return probe.id();
    }

    @Test
    void transformHonoursThresholdsAsSinglePointPredictionsDo() {
        IdlClassificationModel model = new IdlClassifier().setHiddenSize(8).setMaxIter(1).setInitialReadoutPasses(2)
                .fit(SparkTestData.frame(spark, data.train, 2));
        double[] thresholds = new double[10];
        java.util.Arrays.fill(thresholds, 1.0);
        thresholds[3] = 1e-3; // class 3 wins unless another is 1000 times more probable
        model.setThresholds(thresholds);
        List<org.apache.spark.sql.Row> rows = model.transform(SparkTestData.frame(spark, data.test, 2))
                .select("features", "prediction").collectAsList();
        long threes = 0;
        for (org.apache.spark.sql.Row r : rows) {
            double single = model.predict((org.apache.spark.ml.linalg.Vector) r.get(0));
            assertEquals(single, r.getDouble(1), 0, "transform and predict disagree");
            threes += r.getDouble(1) == 3 ? 1 : 0;
        }
        assertTrue(threes > rows.size() / 10 + 50, threes + " of " + rows.size() + " predicted 3");
    }

    @Test
    void checkpointsCutTheLineageAndTrainingReleasesItsCaches(@TempDir Path dir) throws IOException {
        spark.sparkContext().setCheckpointDir(dir.toString());
        IdlClassifier classifier = new IdlClassifier().setHiddenSize(8).setMaxIter(3).setInitialReadoutPasses(3)
                .setCheckpointInterval(1);
        IdlClassificationModel model = classifier.fit(SparkTestData.frame(spark, data.train, 3));
        ImplicitModel local = new BcdTrainer(classifier.bcdConfig())
                .fit(data.train.features(), data.train.oneHot(10), 1, null).model();
        assertTrue(SparkTests.relativeDifference(local.a(), model.implicitModel().a()) <= 1e-8);
        assertTrue(SparkTests.relativeDifference(local.c(), model.implicitModel().c()) <= 1e-8);
        try (Stream<Path> files = Files.walk(dir)) {
            // Written every round (SparkBlockStoreTest sees them), deleted once training no longer needs them.
            assertFalse(files.anyMatch(p -> p.getFileName().toString().startsWith("rdd-")), "a checkpoint left behind");
        }
        for (scala.Tuple2<Object, org.apache.spark.rdd.RDD<?>> cached :
                scala.jdk.javaapi.CollectionConverters.asJava(spark.sparkContext().getPersistentRDDs().toSeq())) {
            String name = cached._2().name();
            assertFalse(name != null && name.startsWith("idl-"), "still cached after training: " + name);
        }
    }
}
