package org.idl.spark.ml;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.idl.data.Digits;
import org.idl.data.LabeledData;
import org.idl.spark.SparkSessionTest;
import org.idl.spark.SparkTestData;
import org.idl.spark.job.Frames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Save/load round trips, and the estimators inside a Pipeline and a CrossValidator. */
class PersistenceTest extends SparkSessionTest {
    private static final SparkTestData data = SparkTestData.digits();

    @Test
    void tamperedOrIllPosedModelsAreRefusedWhenLoaded(@TempDir Path dir) throws IOException {
        IdlClassificationModel model = new IdlClassifier().setHiddenSize(6).setMaxIter(1).setInitialReadoutPasses(2)
                .fit(SparkTestData.frame(spark, data.train, 2));
        // An edited activation, its checksum removed so that Hadoop does not notice: the digest does.
        String edited = dir.resolve("edited").toString();
        model.write().save(edited);
        editMetadata(dir.resolve("edited"), "\"activation\":\"relu\"", "\"activation\":\"tanh\"");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdlClassificationModel.load(edited));
        assertTrue(e.getMessage().contains("digest"), e.getMessage());
        // A model whose A has ||A||_inf = 2.85 and no triangular structure.
        org.idl.linalg.Matrix a = org.idl.linalg.Matrix.zeros(6, 6);
        for (int i = 0; i < 6; i++) {
            a.set(i, (i + 1) % 6, 2.85);
        }
        org.idl.model.ImplicitModel m = model.implicitModel();
        String illPosed = dir.resolve("ill-posed").toString();
        new IdlClassificationModel(model.uid(), m.with(a, m.b(), m.c(), m.d())).write().save(illPosed);
        e = assertThrows(IllegalArgumentException.class, () -> IdlClassificationModel.load(illPosed));
        assertTrue(e.getMessage().contains("well-posed") && e.getMessage().contains("2.85"), e.getMessage());
        // Three class names for ten outputs.
        String names = dir.resolve("names").toString();
        model.copy(new org.apache.spark.ml.param.ParamMap()).setClassNames(new String[]{"0", "1", "2", "3", "4", "5",
                "6", "7", "8", "9"}).write().save(names);
        editMetadata(dir.resolve("names"), "[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]",
                "[\"a\",\"b\",\"c\"]");
        e = assertThrows(IllegalArgumentException.class, () -> IdlClassificationModel.load(names));
        assertTrue(e.getMessage().contains("3 classes") && e.getMessage().contains("10 outputs"), e.getMessage());
    }

    /** Replaces text in a saved model's metadata and removes its checksum, so that Hadoop does not notice. */
    private static void editMetadata(Path model, String from, String to) throws IOException {
        boolean replaced = false;
        try (var files = java.nio.file.Files.list(model.resolve("metadata"))) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith("part-")) {
                    String text = java.nio.file.Files.readString(f);
                    replaced |= text.contains(from);
                    java.nio.file.Files.writeString(f, text.replace(from, to));
                } else if (name.endsWith(".crc")) {
                    java.nio.file.Files.delete(f);
                }
            }
        }
        assertTrue(replaced, from + " not in the metadata of " + model);
    }

    @Test
    void classificationModelRoundTripKeepsEveryParamAndMatrix(@TempDir Path dir) throws IOException {
        IdlClassificationModel model = new IdlClassifier().setHiddenSize(8).setMaxIter(2).setInitialReadoutPasses(3)
                .setPredictionCol("pred").fit(SparkTestData.frame(spark, data.train, 2));
        model.setClassNames(new String[]{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"});
        String path = dir.resolve("model").toString();
        model.write().save(path);
        // Refuses to overwrite unless asked.
        assertThrows(IOException.class, () -> model.write().save(path));
        model.write().overwrite().save(path);

        IdlClassificationModel loaded = IdlClassificationModel.load(path);
        assertEquals(model.uid(), loaded.uid());
        assertEquals(model.numClasses(), loaded.numClasses());
        for (Param<?> p : model.params()) {
            Param<?> q = loaded.getParam(p.name());
            assertEquals(model.isSet(p), loaded.isSet(q), p.name());
            assertEquals(model.isDefined(p), loaded.isDefined(q), p.name());
            if (model.isDefined(p)) {
                assertTrue(java.util.Objects.deepEquals(model.getOrDefault(p), loaded.getOrDefault(q)), p.name());
            }
        }
        assertEquals("pred", loaded.getPredictionCol());
        assertEquals("seven", loaded.className(7));
        assertEquals(model.implicitModel().a(), loaded.implicitModel().a());
        assertEquals(model.implicitModel().b(), loaded.implicitModel().b());
        assertEquals(model.implicitModel().c(), loaded.implicitModel().c());
        assertEquals(model.implicitModel().d(), loaded.implicitModel().d());
        assertEquals(model.implicitModel().activation(), loaded.implicitModel().activation());
        assertEquals(model.implicitModel().bias(), loaded.implicitModel().bias());

        List<Row> before = model.transform(SparkTestData.frame(spark, data.test, 2)).select("pred").collectAsList();
        List<Row> after = loaded.transform(SparkTestData.frame(spark, data.test, 2)).select("pred").collectAsList();
        assertEquals(before, after);
    }

    @Test
    void everyTrainingParamReachesTheFittedAndTheLoadedModel(@TempDir Path dir) throws IOException {
        // Every training param away from its default (the solver and robust training apart: the penalties need
        // bcd, robust training and weights the gradient solver; a second fit covers them).
        IdlClassifier classifier = new IdlClassifier().setHiddenSize(7).setKappa(0.9).setLambda(0.3).setMu(0.3)
                .setMaxIter(1).setTol(1e-7).setLoss("squared").setActivation("tanh").setSchedule("paper")
                .setL1B(1e-4).setL1CD(1e-4).setGroupBD(1e-4).setRidge(1e-3).setFitIntercept(false).setSeed(7)
                .setCheckpointInterval(3).setAggregationDepth(3).setPStepIterations(7).setXStepIterations(7)
                .setAbIterations(7).setReadoutPasses(2).setInitialReadoutPasses(2).setGradientIter(3)
                .setStepSize(2e-3).setBatchSize(32).setSyncSteps(5).setAveraging("driver").setGradientTol(1e-4)
                .setStepSchedule("cosine").setValidationIndicatorCol("isVal").setEarlyStoppingRounds(5)
                .setEarlyStoppingMetric("accuracy")
                .setBcdBatchSize(50).setProximalAB(0.5).setProximalReadout(0.5).setCurvatureScaleAB(0.5);
        IdlClassifier defaults = new IdlClassifier();
        List<Param<?>> training = trainingParams(classifier);
        assertEquals(43, training.size());
        java.util.Set<String> apart = java.util.Set.of("solver", "robustRadius", "robustRadii", "robustWeight",
                "robustRamp", "rank", "weightCol");
        for (Param<?> p : training) {
            if (!apart.contains(p.name())) {
                assertTrue(!java.util.Objects.equals(classifier.getOrDefault(p), defaults.getOrDefault(defaults.getParam(
                        p.name()))), p.name() + " is at its default: the test must move it");
            }
        }
        IdlClassificationModel model = classifier.fit(SparkTestData.frame(spark, data.train, 2)
                .withColumn("isVal", org.apache.spark.sql.functions.rand(1).lt(0.2)));
        // A classifier's metric is the accuracy, whatever its loss (squared here).
        assertEquals("accuracy", model.summary().metricName());
        String path = dir.resolve("model").toString();
        model.write().save(path);
        IdlClassificationModel loaded = IdlClassificationModel.load(path);
        for (Param<?> p : training) {
            Object expected = classifier.getOrDefault(p);
            assertTrue(java.util.Objects.deepEquals(expected, model.getOrDefault(model.getParam(p.name()))),
                    "fitted model: " + p.name());
            assertTrue(java.util.Objects.deepEquals(expected, loaded.getOrDefault(loaded.getParam(p.name()))),
                    "loaded model: " + p.name());
        }
        assertEquals(7, loaded.getHiddenSize());
        assertEquals("paper", loaded.getSchedule());
        // And the solver, with the penalties off, and robust training.
        double[] radii = new double[data.train.features().rows()];
        java.util.Arrays.fill(radii, 0.01);
        radii[0] = 0.02;
        IdlClassifier robust = new IdlClassifier().setSolver("gradient").setHiddenSize(6).setGradientIter(1)
                .setRobustRadius(0.5).setRobustRadii(radii).setRobustWeight(0.3).setRobustRamp(2).setRank(3)
                .setWeightCol("w");
        for (String name : apart) {
            assertTrue(!java.util.Objects.deepEquals(robust.getOrDefault(robust.getParam(name)),
                    defaults.getOrDefault(defaults.getParam(name))), name + " is at its default: the test must move it");
        }
        IdlClassificationModel hybrid = robust.fit(SparkTestData.frame(spark, data.train, 2)
                .withColumn("w", org.apache.spark.sql.functions.rand(2).plus(0.5)));
        hybrid.write().save(dir.resolve("hybrid").toString());
        IdlClassificationModel reloaded = IdlClassificationModel.load(dir.resolve("hybrid").toString());
        for (String name : apart) {
            Object expected = robust.getOrDefault(robust.getParam(name));
            assertTrue(java.util.Objects.deepEquals(expected, hybrid.getOrDefault(hybrid.getParam(name))), name);
            assertTrue(java.util.Objects.deepEquals(expected, reloaded.getOrDefault(reloaded.getParam(name))), name);
        }
        // A low-rank model comes back low rank, with the same A and the same predictions.
        assertEquals(3, hybrid.implicitModel().rank());
        assertEquals(3, reloaded.implicitModel().rank());
        // Another model in the same classifier brings its own rank and size: a dense A is not re-factored.
        org.idl.model.ImplicitModel m = hybrid.implicitModel();
        IdlClassificationModel dense = hybrid.withImplicitModel(m.with(m.a(), m.b(), m.c(), m.d()));
        assertEquals(0, dense.getRank());
        assertEquals(m.hidden(), dense.getHiddenSize());
        assertTrue(hybrid.implicitModel().a().minus(reloaded.implicitModel().a()).maxAbs() <= 1e-12);
        assertEquals(hybrid.transform(SparkTestData.frame(spark, data.test, 2)).select("prediction").collectAsList(),
                reloaded.transform(SparkTestData.frame(spark, data.test, 2)).select("prediction").collectAsList());
    }

    /** The params an estimator shares with its models, as the estimator owns them. */
    private static List<Param<?>> trainingParams(IdlTrainingParams owner) {
        List<Param<?>> out = new java.util.ArrayList<>();
        for (Param<?> p : owner.params()) {
            try {
                if (IdlTrainingParams.class.getMethod(p.name()).isDefault()) {
                    out.add(p);
                }
            } catch (NoSuchMethodException notShared) {
                // featuresCol and the like: Spark's own
            }
        }
        return out;
    }

    @Test
    void regressionModelAndEstimatorRoundTrip(@TempDir Path dir) throws IOException {
        IdlRegressor regressor = new IdlRegressor().setHiddenSize(6).setMaxIter(2).setKappa(0.8).setActivation("tanh");
        IdlRegressionModel model = regressor.fit(SparkTestData.frame(spark, data.train, 2));
        model.write().save(dir.resolve("reg").toString());
        IdlRegressionModel loaded = IdlRegressionModel.load(dir.resolve("reg").toString());
        assertEquals(model.implicitModel().a(), loaded.implicitModel().a());
        assertEquals(model.implicitModel().d(), loaded.implicitModel().d());
        assertEquals("tanh", loaded.implicitModel().activation().spec());
        double[] x = data.test.features().columns(0, 1).data();
        assertEquals(model.predict(org.apache.spark.ml.linalg.Vectors.dense(x)),
                loaded.predict(org.apache.spark.ml.linalg.Vectors.dense(x)));

        regressor.write().save(dir.resolve("est").toString());
        IdlRegressor est = IdlRegressor.load(dir.resolve("est").toString());
        assertEquals(regressor.uid(), est.uid());
        for (Param<?> p : regressor.params()) {
            assertTrue(java.util.Objects.deepEquals(regressor.getOrDefault(p), est.getOrDefault(est.getParam(p.name()))),
                    p.name());
        }
    }

    @Test
    void worksInAPipelineAndACrossValidator(@TempDir Path dir) throws IOException {
        LabeledData raw = Digits.load().stratifiedSplit(0.25, 0).train();
        Dataset<Row> frame = Frames.of(spark, raw, 2).withColumnRenamed("features", "pixels");
        StandardScaler scaler = new StandardScaler().setInputCol("pixels").setOutputCol("features")
                .setWithMean(true).setWithStd(true);
        IdlClassifier classifier = new IdlClassifier().setHiddenSize(12).setMaxIter(2).setInitialReadoutPasses(5);
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[]{scaler, classifier});

        ParamMap[] grid = new ParamGridBuilder().addGrid(classifier.kappa(), new double[]{0.5, 0.9}).build();
        CrossValidator cv = new CrossValidator().setEstimator(pipeline).setEstimatorParamMaps(grid)
                .setEvaluator(new MulticlassClassificationEvaluator().setMetricName("accuracy"))
                .setNumFolds(2).setSeed(1);
        CrossValidatorModel cvModel = cv.fit(frame);
        double[] accuracies = cvModel.avgMetrics();
        assertEquals(2, accuracies.length);
        for (double a : accuracies) {
            assertTrue(a > 0.85, "cross-validated accuracy " + a);
        }

        PipelineModel best = (PipelineModel) cvModel.bestModel();
        String path = dir.resolve("pipeline").toString();
        best.write().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        List<Row> a = best.transform(frame).select("prediction").collectAsList();
        List<Row> b = loaded.transform(frame).select("prediction").collectAsList();
        assertEquals(a, b);
        assertArrayEquals(((IdlClassificationModel) best.stages()[1]).implicitModel().a().data(),
                ((IdlClassificationModel) loaded.stages()[1]).implicitModel().a().data());
    }
}
