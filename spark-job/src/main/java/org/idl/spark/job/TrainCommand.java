package org.idl.spark.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.idl.model.ImplicitModel;
import org.idl.model.WellPosedness;
import org.idl.spark.SparkInternals;
import org.idl.spark.ml.IdlClassificationModel;
import org.idl.spark.ml.IdlClassifier;
import org.idl.spark.ml.TrainingSummary;
import org.idl.spark.ml.persist.Versions;
import org.idl.spark.train.TrainingCheckpoints;
import org.idl.spark.train.TrainingLimits;
import org.idl.train.MemoryPlan;
import org.idl.train.Solver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code idl train}: reads the data, holds out a test set, fits a Spark ML pipeline (standardisation,
 * then {@link IdlClassifier}, which also measures the test set after every round), and writes {@code <out>/model} (the pipeline), {@code <out>/metrics.json}
 * and {@code <out>/report.html}, all at once by renaming a temporary directory.
 */
final class TrainCommand {
    private static final Logger LOG = LoggerFactory.getLogger(TrainCommand.class);
    /** The column marking the training rows held out for validation (data.validationFraction). */
    static final String VALIDATION_COLUMN = "idlValidation";

    static final String USAGE = String.join("\n",
            "usage: idl train --conf <file> --out <dir> [--set key=value]... [--overwrite] [--resume]",
            "",
            "Trains an implicit model by distributed block-coordinate descent and writes <dir>/model",
            "(a Spark ML PipelineModel), <dir>/metrics.json and <dir>/report.html.",
            "  --conf <file>      job configuration (key = value lines; see conf/local.conf)",
            "  --out <dir>        output directory; refused if it exists, unless --overwrite",
            "  --set key=value    override one configuration key (repeatable)",
            "  --data <path>      shorthand for --set data.path=<path>",
            "  --format <fmt>     shorthand for --set data.format=<fmt> (csv-label-last, csv, libsvm, parquet, idx)",
            "  --overwrite        replace an existing output directory",
            "  --resume           continue from the newest checkpoint in job.checkpointDir");

    private TrainCommand() {
    }

    /** Settings a resumed run must share with its checkpoint: those the trained model depends on. */
    private static final java.util.Set<String> FREE_ON_RESUME = java.util.Set.of("model.maxIter",
            "model.checkpointInterval", "model.aggregationDepth", "model.averaging", "data.partitions");

    /**
     * The data and model settings (data.* and model.*), but for those a resumed run may change: the rounds
     * (to continue), how the work is spread, and the test data.
     */
    static Map<String, String> resumeSettings(JobConfig config) {
        Map<String, String> out = new java.util.TreeMap<>();
        config.all().forEach((k, v) -> {
            boolean data = k.startsWith("data.") && !k.startsWith("data.test");
            if ((data || k.startsWith("model.")) && !FREE_ON_RESUME.contains(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Beyond this many features, centring (data.standardize = true) is refused: it makes sparse rows dense. */
    static final int CENTRED_FEATURES_LIMIT = 10_000;

    static int run(String[] args) throws Exception {
        CommandLine cl = CommandLine.parse(args,
                Set.of("--out", "--overwrite", "--resume", "--data", "--format"));
        if (cl.help) {
            System.out.println(USAGE);
            return IdlJob.OK;
        }
        IdlClassifier classifier = new IdlClassifier();
        JobConfig config = IdlJob.config(cl, classifier);
        // The model's own size, before Spark starts (the inputs are known once the data is read).
        TrainingLimits.checkDriver(new MemoryPlan(Solver.parse(classifier.getSolver()), classifier.getHiddenSize(), 1,
                1));
        OutputDir output = OutputDir.prepare(cl.requireOut(), cl.overwrite, config.inputPaths());
        String checkpointDir = config.get("job.checkpointDir");
        if (cl.resume && checkpointDir.isEmpty()) {
            throw new IllegalArgumentException("--resume needs job.checkpointDir");
        }
        SparkSession spark = IdlJob.session(config, "idl train");
        try {
            JobData.Sets data = JobData.trainAndTest(spark, config);
            if (!checkpointDir.isEmpty()) {
                spark.sparkContext().setCheckpointDir(checkpointDir + "/rdd");
                int every = config.integer("job.checkpointEvery");
                if (every > 0 || cl.resume) {
                    classifier.setTrainingCheckpoints(new TrainingCheckpoints(checkpointDir + "/training",
                            Math.max(1, every), cl.resume, spark.sparkContext().hadoopConfiguration(),
                            resumeSettings(config)));
                }
            }
            Dataset<Row> train = data.train();
            double validationFraction = config.validationFraction();
            if (validationFraction > 0) {
                // Held out of training by the classifier and measured every round (early stopping); the
                // draw depends on the split seed and the data's partitioning, so a rerun with the same
                // settings holds out the same rows.
                train = train.withColumn(VALIDATION_COLUMN, org.apache.spark.sql.functions.rand(
                        config.integer("data.splitSeed") + 1L).lt(validationFraction));
                classifier.setValidationIndicatorCol(VALIDATION_COLUMN);
            } else if (classifier.getEarlyStoppingRounds() > 0) {
                throw new IllegalArgumentException("model.earlyStoppingRounds = " + classifier.getEarlyStoppingRounds()
                        + " needs validation rows: set data.validationFraction (for example 0.1)");
            }
            if (!config.get("data.weightColumn").isEmpty()) {
                classifier.setWeightCol("weight"); // the readers' name for data.weightColumn
            }
            train = train.cache();
            Dataset<Row> test = data.test().cache();
            LOG.info("training on {} points with {} features and {} classes; testing on {}", train.count(),
                    data.features(), data.classNames().length, test.count());
            // The standardisation is fitted first, so the classifier can measure the test set every round.
            List<Transformer> stages = new ArrayList<>();
            Dataset<Row> fitOn = train;
            Dataset<Row> watch = test;
            String standardize = config.standardize();
            if (standardize.equals("true") && data.features() > CENTRED_FEATURES_LIMIT) {
                throw new IllegalArgumentException("data.standardize = true centres each of the " + data.features()
                        + " features, which makes every row dense (" + MemoryPlan.gigabytes(8L * data.features())
                        + " a row): set data.standardize = scale (divides by the standard deviation only, and keeps"
                        + " sparse rows sparse) or false");
            }
            if (!standardize.equals("false")) {
                Dataset<Row> fitRows = validationFraction > 0
                        ? train.filter(org.apache.spark.sql.functions.col(VALIDATION_COLUMN).equalTo(false)) : train;
                StandardScalerModel scaler = new StandardScaler().setInputCol("features").setOutputCol("scaledFeatures")
                        .setWithMean(standardize.equals("true")).setWithStd(true).fit(fitRows);
                stages.add(scaler);
                fitOn = scaler.transform(train);
                watch = scaler.transform(test);
                classifier.setFeaturesCol("scaledFeatures");
                double[] given = classifier.getRobustRadii();
                if (classifier.getRobustRadius() > 0 || given.length > 0) {
                    // model.robustRadius and model.robustRadii are in the data's own units, as certify's radii:
                    // per feature, in the standardised units.
                    double[] radii = Certification.radiusScale(scaler);
                    if (given.length > 1 && given.length != radii.length) {
                        throw new IllegalArgumentException("model.robustRadii has " + given.length + " radii for "
                                + radii.length + " features (give one, or one per feature)");
                    }
                    for (int j = 0; j < radii.length; j++) {
                        radii[j] *= given.length == 0 ? classifier.getRobustRadius() : given[given.length == 1 ? 0 : j];
                    }
                    classifier.setRobustRadii(radii);
                }
            }
            if (validationFraction == 0) {
                classifier.setValidationData(watch, config.integer("job.testEvery"));
            }
            IdlClassificationModel model = classifier.fit(fitOn);
            stages.add(model);
            PipelineModel pipeline = SparkInternals.pipelineModel(stages);
            if (data.classNames().length == model.numClasses()) {
                model.setClassNames(data.classNames());
            }
            Dataset<Row> trainRows = validationFraction > 0
                    ? train.filter(org.apache.spark.sql.functions.col(VALIDATION_COLUMN).equalTo(false)) : train;
            Map<String, Object> trainMetrics = Frames.classificationMetrics(pipeline.transform(trainRows), model);
            Map<String, Object> testMetrics = Frames.classificationMetrics(pipeline.transform(test), model);
            LOG.info("train accuracy {}, test accuracy {}", trainMetrics.get("accuracy"), testMetrics.get("accuracy"));
            Map<String, Object> metrics = metrics(model, trainMetrics, testMetrics, config, spark);
            byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(metrics);
            byte[] report = config.bool("job.report") ? Reports.training(model, trainMetrics, testMetrics, config) : null;
            output.commit(spark.sparkContext().hadoopConfiguration(), (tmp, fs) -> {
                pipeline.write().save(new org.apache.hadoop.fs.Path(tmp, "model").toString());
                try (var stream = fs.create(new org.apache.hadoop.fs.Path(tmp, "metrics.json"), false)) {
                    stream.write(json);
                }
                if (report != null) {
                    try (var stream = fs.create(new org.apache.hadoop.fs.Path(tmp, "report.html"), false)) {
                        stream.write(report);
                    }
                }
            });
            System.out.printf("idl: wrote %s (test accuracy %.4f, %.1f s of training)%n", output.target(),
                    (Double) testMetrics.get("accuracy"), model.summary().trainingSeconds());
            return IdlJob.OK;
        } finally {
            spark.stop();
        }
    }

    /** JSON has no NaN: rounds without a figure (restored from a checkpoint) are written as null. */
    private static List<Double> nullForNaN(double[] values) {
        if (values == null) {
            return null;
        }
        List<Double> out = new ArrayList<>(values.length);
        for (double v : values) {
            out.add(Double.isNaN(v) ? null : v);
        }
        return out;
    }

    static Map<String, Object> metrics(IdlClassificationModel model, Map<String, Object> train,
                                       Map<String, Object> test, JobConfig config, SparkSession spark) {
        TrainingSummary s = model.summary();
        ImplicitModel m = model.implicitModel();
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("objectiveHistory", s.objectiveHistory());
        metrics.put("roundSeconds", s.roundSeconds());
        metrics.put("undoneUpdates", s.undoneUpdates());
        metrics.put("trainLossHistory", s.trainLoss());
        metrics.put("trainAccuracyHistory", s.trainMetric());
        // Measured every round: the held-out validation rows when there are some, else the test set.
        boolean validation = config.validationFraction() > 0;
        metrics.put(validation ? "validationLossHistory" : "testLossHistory", nullForNaN(s.validationLoss()));
        metrics.put(validation ? "validationAccuracyHistory" : "testAccuracyHistory", nullForNaN(s.validationMetric()));
        metrics.put("keptRound", s.keptRound());
        metrics.put("trainMetrics", train);
        metrics.put("testMetrics", test);
        Map<String, Object> wp = new LinkedHashMap<>();
        wp.put("infNorm", s.infNorm());
        wp.put("spectralRadiusEstimate", s.spectralRadiusEstimate());
        wp.put("contractionFactor", s.contractionFactor());
        wp.put("structure", WellPosedness.structure(m.a()).name());
        metrics.put("wellPosedness", wp);
        metrics.put("dataSeconds", s.dataSeconds());
        metrics.put("trainingSeconds", s.trainingSeconds());
        metrics.put("setUpSeconds", s.setUpSeconds());
        Map<String, Object> split = new LinkedHashMap<>();
        split.put("passSeconds", s.passSeconds());
        split.put("partitionComputeSeconds", s.partitionComputeSeconds());
        split.put("slowestTaskSeconds", s.slowestTaskSeconds());
        split.put("passes", s.passes());
        split.put("syncs", s.syncs());
        split.put("syncSeconds", s.syncSeconds());
        split.put("validationSeconds", s.validationSeconds());
        split.put("driverSeconds", s.driverSeconds());
        metrics.put("roundTimeSplit", split);
        metrics.put("model", Map.of("hidden", m.hidden(), "inputs", m.inputs(), "outputs", m.outputs(),
                "activation", m.activation().spec()));
        metrics.put("partitions", s.partitions());
        metrics.put("configuration", config.all());
        metrics.put("sparkVersion", spark.version());
        metrics.put("idlVersion", Versions.project());
        return metrics;
    }
}
