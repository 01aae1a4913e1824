package org.idl.spark.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.SparkSession;
import org.idl.data.Digits;
import org.idl.data.LabeledData;
import org.idl.spark.TextLikeData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batch job with conf/local.conf: the default run on digits, and configuration errors before Spark starts. */
class IdlJobTest {
    private static final Path CONF = Digits.path().getParent().getParent().getParent().resolve("conf/local.conf");

    @Test
    void defaultJobTrainsDigitsAndWritesModelAndMetrics(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        int code = IdlJob.run(new String[]{"train", "--conf", CONF.toString(), "--out", out.toString(),
                "--set", "data.path=" + Digits.path()});
        assertEquals(IdlJob.OK, code);
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        int rounds = m.get("objectiveHistory").size();
        assertEquals(10, rounds); // conf/local.conf
        assertEquals(rounds, m.get("roundSeconds").size());
        // The recipe schedule never undoes an update: the minibatch schedule's safeguard reports 0s here.
        assertEquals(rounds, m.get("undoneUpdates").size());
        assertEquals(0, m.get("undoneUpdates").get(rounds - 1).asInt());
        double test = m.get("testMetrics").get("accuracy").asDouble();
        assertTrue(test >= 0.975, "test accuracy " + test);
        assertTrue(m.get("trainMetrics").get("accuracy").asDouble() >= test);
        // The test set is measured every job.testEvery = 5 rounds and after the last: the last figure is the final model's.
        assertEquals(rounds, m.get("testAccuracyHistory").size());
        for (int i = 0; i < rounds; i++) {
            assertEquals((i + 1) % 5 != 0, m.get("testAccuracyHistory").get(i).isNull(), "round " + (i + 1));
        }
        assertEquals(test, m.get("testAccuracyHistory").get(rounds - 1).asDouble(), 1e-12);
        assertTrue(m.get("wellPosedness").get("infNorm").asDouble() <= 0.95 + 1e-12);
        assertTrue(m.get("trainingSeconds").asDouble() > 0);
        assertTrue(m.get("dataSeconds").asDouble() > 0);
        // The set-up before round 1 and the rounds fit inside the training seconds (the final measurement follows).
        double roundsSeconds = 0;
        for (JsonNode r : m.get("roundSeconds")) {
            roundsSeconds += r.asDouble();
        }
        double setUp = m.get("setUpSeconds").asDouble();
        assertTrue(setUp > 0 && setUp + roundsSeconds <= m.get("trainingSeconds").asDouble(),
                "set-up " + setUp + " s, rounds " + roundsSeconds + " s, training " + m.get("trainingSeconds"));
        assertTrue(Files.isDirectory(out.resolve("model/stages")));
        assertTrue(Files.size(out.resolve("report.html")) > 1000);
        // The model directory serves predict, evaluate and inspect.
        Path predictions = dir.resolve("predictions");
        assertEquals(IdlJob.OK, IdlJob.run(new String[]{"predict", "--model", out.resolve("model").toString(),
                "--data", Digits.path().toString(), "--out", predictions.toString()}));
        Path evaluation = dir.resolve("evaluation.json");
        assertEquals(IdlJob.OK, IdlJob.run(new String[]{"evaluate", "--model", out.resolve("model").toString(),
                "--data", Digits.path().toString(), "--out", evaluation.toString()}));
        JsonNode ev = new ObjectMapper().readTree(evaluation.toFile());
        assertEquals(1797, ev.get("count").asLong());
        // All of digits is the 1346 training points and the 451 test points.
        long correct = Math.round(m.get("trainMetrics").get("accuracy").asDouble() * 1346 + test * 451);
        double expected = correct / 1797.0;
        assertEquals(expected, ev.get("accuracy").asDouble(), 1e-9);
        // certify: per radius (raw pixel units, 0-16), certified <= attacked <= clean, and nothing certified flips.
        Path certification = dir.resolve("certification.json");
        assertEquals(IdlJob.OK, IdlJob.run(new String[]{"certify", "--model", out.resolve("model").toString(),
                "--data", Digits.path().toString(), "--radius", "0,0.25,1", "--out", certification.toString(),
                "--report", dir.resolve("certification.html").toString(), "--set", "job.attackSteps=10"}));
        String page = Files.readString(dir.resolve("certification.html"));
        assertTrue(page.contains("Accuracy against the input radius") && page.contains("data:image/png;base64,"));
        JsonNode radii = new ObjectMapper().readTree(certification.toFile()).get("radii");
        assertEquals(3, radii.size());
        double previous = 1;
        for (JsonNode r : radii) {
            double clean = r.get("cleanAccuracy").asDouble();
            double certified = r.get("certifiedAccuracy").asDouble();
            double attacked = r.get("attackedAccuracy").asDouble();
            assertEquals(expected, clean, 1e-9);
            assertTrue(certified <= attacked && attacked <= clean, r.toString());
            assertTrue(certified <= previous, r.toString());
            previous = certified;
        }
        assertEquals(expected, radii.get(0).get("certifiedAccuracy").asDouble(), 1e-9); // radius 0: every correct point
        assertTrue(radii.get(2).get("certifiedAccuracy").asDouble() < expected, radii.toString());
        Path inspection = dir.resolve("inspection.json");
        assertEquals(IdlJob.OK, IdlJob.run(new String[]{"inspect", "--model", out.resolve("model").toString(),
                "--out", inspection.toString()}));
        JsonNode in = new ObjectMapper().readTree(inspection.toFile());
        assertEquals(64, in.get("hidden").asInt());
        assertEquals(64, in.get("inputs").asInt());
        assertTrue(in.get("wellPosedness").get("infNorm").asDouble() <= 0.95 + 1e-12);
        // Unlabelled data (the features only, as Spark ML's transform takes them): predictions without a label column.
        Path unlabelled = dir.resolve("unlabelled.csv");
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(
                new java.util.zip.GZIPInputStream(Files.newInputStream(Digits.path())))).lines()) {
            Files.write(unlabelled, lines.map(l -> l.substring(0, l.lastIndexOf(','))).toList());
        }
        Path unlabelledPredictions = dir.resolve("unlabelled-predictions");
        assertEquals(IdlJob.OK, IdlJob.run(new String[]{"predict", "--model", out.resolve("model").toString(),
                "--data", unlabelled.toString(), "--out", unlabelledPredictions.toString()}));
        // evaluate needs the labels, and says so.
        IllegalArgumentException noLabels = assertThrows(IllegalArgumentException.class, () -> IdlJob.run(new String[]{
                "evaluate", "--model", out.resolve("model").toString(), "--data", unlabelled.toString()}));
        assertTrue(noLabels.getMessage().contains("evaluate needs labels"), noLabels.getMessage());
        SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
        try {
            assertEquals(1797, spark.read().parquet(predictions.toString()).count());
            assertEquals(correct, spark.read().parquet(predictions.toString()).filter("prediction = label").count());
            org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> bare = spark.read().parquet(
                    unlabelledPredictions.toString());
            assertEquals(List.of("prediction", "predictedLabel", "probability"), List.of(bare.columns()));
            // The same predictions, class by class.
            assertEquals(spark.read().parquet(predictions.toString()).groupBy("prediction").count().orderBy("prediction")
                    .collectAsList(), bare.groupBy("prediction").count().orderBy("prediction").collectAsList());
        } finally {
            spark.stop();
        }
        // No temporary output left beside the results.
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().contains(".tmp-")));
        }
        // An existing output is refused without --overwrite.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdlJob.run(new String[]{
                "train", "--conf", CONF.toString(), "--out", out.toString(), "--set", "data.path=" + Digits.path(),
                "--set", "model.maxIter=1"}));
        assertTrue(e.getMessage().contains("exists"), e.getMessage());
    }

    @Test
    void robustTrainingCertifiesWhatNominalTrainingCannot(@TempDir Path dir) throws Exception {
        // On digits: the gradient solver nominal and with model.robustRadius = 1 grey level (of 0..16), which
        // the job maps through the standardisation, and BCD's robust counterpart at that radius; all certified
        // at that radius.
        double[] certified = new double[3];
        for (int robust = 0; robust < 3; robust++) {
            Path out = dir.resolve("run" + robust);
            List<String> args = new java.util.ArrayList<>(List.of("train", "--conf", CONF.toString(), "--out",
                    out.toString(), "--set", "data.path=" + Digits.path(), "--set", "model.hiddenSize=32"));
            if (robust < 2) {
                args.addAll(List.of("--set", "model.solver=gradient", "--set", "model.gradientIter=10"));
            } else {
                args.addAll(List.of("--set", "model.solver=bcd", "--set", "model.maxIter=10"));
            }
            if (robust >= 1) {
                args.addAll(List.of("--set", "model.robustRadius=1", "--set", "model.robustRamp=4"));
            }
            assertEquals(IdlJob.OK, IdlJob.run(args.toArray(new String[0])));
            Path json = dir.resolve("certify" + robust + ".json");
            assertEquals(IdlJob.OK, IdlJob.run(new String[]{"certify", "--model", out.resolve("model").toString(),
                    "--data", Digits.path().toString(), "--radius", "1", "--out", json.toString(), "--set",
                    "job.attackSteps=10"}));
            JsonNode r = new ObjectMapper().readTree(json.toFile()).get("radii").get(0);
            certified[robust] = r.get("certifiedAccuracy").asDouble();
            assertTrue(certified[robust] <= r.get("attackedAccuracy").asDouble(), r.toString());
            if (robust >= 1) {
                assertTrue(r.get("cleanAccuracy").asDouble() >= 0.85, r.toString());
                JsonNode conf = new ObjectMapper().readTree(out.resolve("metrics.json").toFile()).get("configuration");
                assertEquals("1", conf.get("model.robustRadius").asText());
            }
        }
        assertTrue(certified[0] <= 0.1 && certified[1] >= 0.5 && certified[2] >= 0.5,
                java.util.Arrays.toString(certified));
        // model.robustRadii, like model.robustRadius, is in the data's units: one radius, or one per feature.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdlJob.run(new String[]{"train",
                "--conf", CONF.toString(), "--out", dir.resolve("never").toString(), "--set", "data.path=" + Digits.path(),
                "--set", "model.solver=gradient", "--set", "model.robustRadii=1,2,3"}));
        assertTrue(e.getMessage().contains("3 radii for 64 features"), e.getMessage());
    }

    @Test
    void heldOutValidationRowsStopTrainingEarly(@TempDir Path dir) throws Exception {
        // The gradient solver with a step size far too large: the validation loss soon stops improving.
        Path out = dir.resolve("run");
        assertEquals(IdlJob.OK, IdlJob.run(new String[]{"train", "--conf", CONF.toString(), "--out", out.toString(),
                "--set", "data.path=" + Digits.path(), "--set", "model.solver=gradient", "--set", "model.gradientIter=40",
                "--set", "model.stepSize=0.05", "--set", "data.validationFraction=0.2", "--set",
                "model.earlyStoppingRounds=3"}));
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        int rounds = m.get("validationLossHistory").size();
        assertTrue(rounds < 40, "no early stop: " + rounds + " rounds");
        assertTrue(m.get("testLossHistory") == null, "per-round figures are the validation rows', not the test set's");
        // The kept model is the best validation round's: the last 3 rounds did not improve on it.
        double best = Double.POSITIVE_INFINITY;
        int bestRound = -1;
        for (int i = 0; i < rounds; i++) {
            double loss = m.get("validationLossHistory").get(i).asDouble();
            if (loss < best) {
                best = loss;
                bestRound = i;
            }
        }
        assertEquals(rounds - 4, bestRound, m.get("validationLossHistory").toString());
        assertEquals(bestRound + 1, m.get("keptRound").asInt(), "the round whose model was kept, numbered from 1");
        // About 80% of the 1346 training points trained (the rest validated).
        long trainCount = m.get("trainMetrics").get("count").asLong();
        assertTrue(trainCount > 1000 && trainCount < 1200, "trained on " + trainCount);
        // Early stopping without validation rows is refused, naming the setting.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdlJob.run(new String[]{"train",
                "--conf", CONF.toString(), "--out", dir.resolve("never").toString(), "--set", "data.path=" + Digits.path(),
                "--set", "model.earlyStoppingRounds=3"}));
        assertTrue(e.getMessage().contains("data.validationFraction"), e.getMessage());
    }

    @Test
    void sparseLibsvmWithTwoHundredThousandFeaturesTrainsWithTheGradientSolver(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("text.libsvm");
        TextLikeData.writeLibsvm(data, 2000, 200_000, 1);
        Path out = dir.resolve("run");
        String[] settings = {"--data", data.toString(), "--format", "libsvm", "--set", "model.solver=gradient",
                "--set", "model.hiddenSize=10", "--set", "model.gradientIter=3", "--set", "model.batchSize=64"};
        // Centring makes every row dense: refused, naming the setting that keeps them sparse.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdlJob.run(concat(new String[]{
                "train", "--conf", CONF.toString(), "--out", out.toString()}, settings)));
        assertTrue(e.getMessage().contains("set data.standardize = scale"), e.getMessage());
        assertFalse(Files.exists(out));
        assertEquals(IdlJob.OK, IdlJob.run(concat(new String[]{"train", "--conf", CONF.toString(), "--out",
                out.toString(), "--set", "data.standardize=scale"}, settings)));
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals(200_000, m.get("model").get("inputs").asInt());
        double test = m.get("testMetrics").get("accuracy").asDouble();
        assertTrue(test > 0.9, "test accuracy " + test);
        // The saved pipeline (a scaling StandardScaler, then the model) evaluates other sparse data.
        Path other = dir.resolve("other.libsvm");
        TextLikeData.writeLibsvm(other, 300, 200_000, 2);
        Path evaluation = dir.resolve("evaluation.json");
        assertEquals(IdlJob.OK, IdlJob.run(new String[]{"evaluate", "--model", out.resolve("model").toString(),
                "--data", other.toString(), "--format", "libsvm", "--out", evaluation.toString()}));
        double accuracy = new ObjectMapper().readTree(evaluation.toFile()).get("accuracy").asDouble();
        assertTrue(accuracy > 0.9, "evaluated accuracy " + accuracy);
    }

    @Test
    void aWeightColumnWeighsThePointsLosses(@TempDir Path dir) throws Exception {
        // Digits with a header and a weight column: every point also appears with a wrong label and weight 0.
        LabeledData digits = Digits.load();
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            csv.append("f").append(i).append(',');
        }
        csv.append("label,w\n");
        for (int copy = 0; copy < 2; copy++) {
            for (int j = 0; j < digits.size(); j++) {
                for (int i = 0; i < 64; i++) {
                    csv.append(digits.features().get(i, j)).append(',');
                }
                csv.append(copy == 0 ? digits.labels()[j] : (digits.labels()[j] + 1) % 10).append(',')
                        .append(copy == 0 ? "1" : "0").append('\n');
            }
        }
        Path data = Files.writeString(dir.resolve("weighted.csv"), csv);
        Path out = dir.resolve("run");
        assertEquals(IdlJob.OK, IdlJob.run(new String[]{"train", "--conf", CONF.toString(), "--data", data.toString(),
                "--format", "csv", "--out", out.toString(), "--set", "data.weightColumn=w", "--set",
                "model.solver=gradient", "--set", "model.gradientIter=10"}));
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals(64, m.get("model").get("inputs").asInt(), "the weight column is not a feature");
        // Measured on the right copies alone: the wrong ones, at weight 0, did not count (unweighted they
        // would cancel the right ones out, about 50%).
        Path right = Files.writeString(dir.resolve("right.csv"), csv.substring(0, nthNewline(csv, digits.size() + 1) + 1));
        Path evaluation = dir.resolve("evaluation.json");
        assertEquals(IdlJob.OK, IdlJob.run(new String[]{"evaluate", "--model", out.resolve("model").toString(),
                "--data", right.toString(), "--format", "csv", "--set", "data.weightColumn=w", "--out",
                evaluation.toString()}));
        JsonNode ev = new ObjectMapper().readTree(evaluation.toFile());
        assertEquals(digits.size(), ev.get("count").asInt());
        assertTrue(ev.get("accuracy").asDouble() > 0.95, "accuracy on the right labels " + ev.get("accuracy"));
        // A negative weight names its file and line; LIBSVM has no column for weights.
        Files.writeString(data, csv.toString().replace(",0\n", ",-1\n"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdlJob.run(new String[]{"train", "--conf",
                CONF.toString(), "--data", data.toString(), "--format", "csv", "--out", dir.resolve("never").toString(),
                "--set", "data.weightColumn=w", "--set", "model.solver=gradient"}));
        assertTrue(e.getMessage().contains("weighted.csv:1799: weight column 'w' holds -1"), e.getMessage());
        assertRejected(dir.resolve("never").toString(), "data.weightColumn=w", "data.weightColumn", "csv or parquet");
    }

    @Test
    void compactWritesASmallerModelWithTheSamePredictionsAndCertificates(@TempDir Path dir) throws Exception {
        // A column-group penalty zeroes whole inputs of (B; D); five hidden units are then cut off by hand
        // (zero rows of (A, B)), so both kinds of removal run through the job.
        Path out = dir.resolve("run");
        assertEquals(IdlJob.OK, IdlJob.run(new String[]{"train", "--conf", CONF.toString(), "--out", out.toString(),
                "--set", "data.path=" + Digits.path(), "--set", "model.groupBD=0.005", "--set", "model.maxIter=3"}));
        Path trained = out.resolve("model");
        Path cut = dir.resolve("cut");
        SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
        try {
            org.apache.spark.ml.PipelineModel pipeline = org.apache.spark.ml.PipelineModel.load(trained.toString());
            org.idl.spark.ml.IdlClassificationModel classifier =
                    (org.idl.spark.ml.IdlClassificationModel) pipeline.stages()[pipeline.stages().length - 1];
            org.idl.model.ImplicitModel m = classifier.implicitModel();
            org.idl.linalg.Matrix a = m.a();
            org.idl.linalg.Matrix b = m.b();
            for (int i = 0; i < 5; i++) {
                for (int j = 0; j < a.cols(); j++) {
                    a.set(i, j, 0);
                }
                for (int j = 0; j < b.cols(); j++) {
                    b.set(i, j, 0);
                }
            }
            List<org.apache.spark.ml.Transformer> stages = new java.util.ArrayList<>(List.of(pipeline.stages()));
            stages.set(stages.size() - 1, classifier.withImplicitModel(m.with(a, b, m.c(), m.d())));
            org.idl.spark.SparkInternals.pipelineModel(stages).write().save(cut.toString());
        } finally {
            spark.stop();
        }
        Path small = dir.resolve("small");
        assertEquals(IdlJob.OK, IdlJob.run(new String[]{"compact", "--model", cut.toString(), "--out", small.toString()}));
        JsonNode report = new ObjectMapper().readTree(small.resolve("compaction.json").toFile());
        assertEquals(64, report.get("hiddenBefore").asInt());
        assertEquals(59, report.get("hiddenAfter").asInt());
        assertEquals("[0,1,2,3,4]", report.get("removedHiddenUnits").toString());
        int inputs = report.get("inputsAfter").asInt();
        assertTrue(inputs < 64 && report.get("removedInputs").size() == 64 - inputs, report.toString());
        assertTrue(report.get("parametersAfter").asLong() < report.get("parametersBefore").asLong());
        // The same predictions, point by point, from the same data, and the same certificates.
        String[] models = {cut.toString(), small.resolve("model").toString()};
        List<List<org.apache.spark.sql.Row>> predicted = new java.util.ArrayList<>();
        List<JsonNode> certified = new java.util.ArrayList<>();
        for (int k = 0; k < 2; k++) {
            Path predictions = dir.resolve("predictions" + k);
            assertEquals(IdlJob.OK, IdlJob.run(new String[]{"predict", "--model", models[k], "--data",
                    Digits.path().toString(), "--out", predictions.toString()}));
            Path json = dir.resolve("certify" + k + ".json");
            assertEquals(IdlJob.OK, IdlJob.run(new String[]{"certify", "--model", models[k], "--data",
                    Digits.path().toString(), "--radius", "0.1,0.3", "--out", json.toString(), "--set",
                    "job.attackSteps=0"}));
            certified.add(new ObjectMapper().readTree(json.toFile()).get("radii"));
            spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
            try {
                predicted.add(spark.read().parquet(predictions.toString()).orderBy("label", "prediction")
                        .select("label", "prediction").collectAsList());
            } finally {
                spark.stop();
            }
        }
        assertEquals(predicted.get(0), predicted.get(1));
        assertEquals(certified.get(0), certified.get(1));
    }

    @Test
    void badConfigurationIsRejectedNamingKeyAndValue(@TempDir Path dir) throws java.io.IOException {
        String out = dir.resolve("never").toString();
        assertRejected(out, "model.kappa=1.5", "kappa", "1.5");
        assertRejected(out, "model.hiddenSiz=3", "model.hiddenSiz");
        assertRejected(out, "model.maxIter=ten", "maxIter", "ten");
        assertRejected(out, "model.solver=sgd", "solver", "sgd");
        assertRejected(out, "model.batchSize=-1", "batchSize", "-1");
        assertRejected(out, "model.stepSchedule=linear", "stepSchedule", "linear");
        assertRejected(out, "model.gradientTol=2", "model.gradientTol = 2 ");
        assertRejected(out, "data.path=/no/such/file.csv", "/no/such/file.csv");
        assertRejected(out, "job.testEvery=0", "job.testEvery", "0");
        // A model whose A alone is larger than the driver's heap, before Spark starts.
        assertRejected(out, "model.hiddenSize=30000", "hiddenSize = 30000", "on the driver");
        IllegalArgumentException many = assertThrows(IllegalArgumentException.class, () -> IdlJob.run(new String[]{
                "train", "--conf", CONF.toString(), "--out", out, "--set", "data.path=" + Digits.path(), "--set",
                "data.partitions=100000"}));
        assertTrue(many.getMessage().contains("data.partitions = 100000 is more than the 1797"), many.getMessage());
        assertFalse(Files.exists(Path.of(out)));
        // An output over the training data would delete it on --overwrite: refused, the data kept.
        Path data = Path.of(out + "-data.csv");
        Files.writeString(data, "1,2,0\n3,4,1\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdlJob.run(new String[]{
                "train", "--conf", CONF.toString(), "--data", data.toString(), "--out", data.toString(), "--overwrite"}));
        assertTrue(e.getMessage().contains("overlaps the input " + data), e.getMessage());
        assertTrue(Files.exists(data));
        e = assertThrows(IllegalArgumentException.class, () -> IdlJob.run(new String[]{"train", "--conf",
                CONF.toString(), "--data", data.toString(), "--out", Path.of(out).getParent().toString(), "--overwrite"}));
        assertTrue(e.getMessage().contains("overlaps the input"), e.getMessage());
        assertEquals("1,2,0\n3,4,1\n", Files.readString(data));
        // An output that cannot be written (here below a regular file, which even root cannot write into)
        // is found before Spark starts, not after training.
        Path blocker = Files.writeString(Path.of(out).getParent().resolve("blocker"), "a file, not a directory");
        e = assertThrows(IllegalArgumentException.class, () -> IdlJob.run(new String[]{"train", "--conf",
                CONF.toString(), "--out", blocker.resolve("run").toString()}));
        assertTrue(e.getMessage().contains("cannot write the output"), e.getMessage());
    }

    @Test
    void everyFailureEndsInAnExitCodeForTheScheduler(@TempDir Path dir) throws Exception {
        // A truncated .gz, as a copy interrupted half-way leaves it: bad input (2), not a crash (3).
        byte[] gz = Files.readAllBytes(Digits.path());
        Path truncated = dir.resolve("digits.csv.gz");
        Files.write(truncated, java.util.Arrays.copyOf(gz, gz.length / 2));
        Throwable failure = assertThrows(Throwable.class, () -> IdlJob.run(new String[]{"train", "--conf",
                CONF.toString(), "--data", truncated.toString(), "--out", dir.resolve("out").toString(),
                "--set", "model.maxIter=1"}));
        assertEquals(IdlJob.BAD_INPUT, IdlJob.report(failure), failure.toString());
        assertFalse(Files.exists(dir.resolve("out")));
        // Errors too: out of memory has its own code; anything else is a training failure.
        assertEquals(IdlJob.OUT_OF_MEMORY, IdlJob.report(new RuntimeException("task failed",
                new OutOfMemoryError("Java heap space"))));
        assertEquals(IdlJob.TRAINING_FAILED, IdlJob.report(new IllegalStateException("no")));
        assertEquals(IdlJob.BAD_INPUT, IdlJob.report(new IllegalArgumentException("bad")));
    }

    /** The index of the n-th newline (1-based) in s. */
    private static int nthNewline(CharSequence s, int n) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\n' && --n == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("fewer lines");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** {@code train --set setting} fails before Spark starts, with a message holding every fragment. */
    private static void assertRejected(String out, String setting, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdlJob.run(new String[]{
                "train", "--conf", CONF.toString(), "--out", out, "--set", setting}));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        }
    }
}
