package org.idl.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.idl.data.LabeledData;
import org.idl.data.Standardizer;
import org.idl.model.ImplicitModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The batch job: {@code train --conf <file> --out <dir> [--set key=value]... [--overwrite]}. Reads a
 * labelled CSV (by default the committed digits set), holds out a stratified test split,
 * standardises with the training statistics, trains an {@link IdlClassifier}, and writes
 * {@code <dir>/model} and {@code <dir>/metrics.json}. Everything appears under a temporary name and
 * is renamed into place at the end, so a failed run leaves no half-written output.
 */
public final class IdlJob {
    private static final Logger LOG = LoggerFactory.getLogger(IdlJob.class);

    /** Exit codes a scheduler can act on. */
    static final int OK = 0;
    static final int BAD_INPUT = 2;
    static final int TRAINING_FAILED = 3;

    private IdlJob() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("idl: error: " + e.getMessage());
            code = BAD_INPUT;
        } catch (Exception e) {
            LOG.error("training failed", e);
            System.err.println("idl: training failed: " + rootMessage(e));
            code = TRAINING_FAILED;
        }
        System.exit(code);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    static final String USAGE = String.join("\n",
            "usage: idl train --conf <file> --out <dir> [--set key=value]... [--overwrite]",
            "",
            "Trains an implicit model by distributed block-coordinate descent and writes",
            "<dir>/model (Spark ML format) and <dir>/metrics.json.",
            "  --conf <file>      job configuration (key = value lines; see conf/local.conf)",
            "  --out <dir>        output directory; refused if it exists, unless --overwrite",
            "  --set key=value    override one configuration key (repeatable)",
            "  --overwrite        replace an existing output directory");

    static int run(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println(USAGE);
            return args.length == 0 ? BAD_INPUT : OK;
        }
        if (!args[0].equals("train")) {
            throw new IllegalArgumentException("unknown command '" + args[0] + "'; try --help");
        }
        Path conf = null;
        String out = null;
        boolean overwrite = false;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    return OK;
                }
                case "--conf" -> conf = Path.of(value(args, ++i, "--conf"));
                case "--out" -> out = value(args, ++i, "--out");
                case "--overwrite" -> overwrite = true;
                case "--set" -> {
                    String kv = value(args, ++i, "--set");
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--set needs key=value, got '" + kv + "'");
                    }
                    overrides.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
                }
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'; try --help");
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("--out <dir> is required");
        }
        IdlClassifier estimator = new IdlClassifier();
        Set<String> modelParams = new HashSet<>();
        for (Param<?> p : estimator.params()) {
            modelParams.add(p.name());
        }
        JobConfig config = JobConfig.load(conf, overrides, modelParams);
        configure(estimator, config.withPrefix("model."));
        estimator.bcdConfig();
        org.apache.hadoop.fs.Path outPath = new org.apache.hadoop.fs.Path(out);
        if (outPath.getFileSystem(new Configuration()).exists(outPath) && !overwrite) {
            throw new IllegalArgumentException("output " + outPath + " exists; pass --overwrite to replace it");
        }
        Path dataPath = resolve(config.get("data.path"));
        LabeledData data = LabeledData.readCsv(dataPath);
        LabeledData.Split split = data.stratifiedSplit(config.doubleIn("data.testFraction", 0, 1),
                config.integer("data.splitSeed"));
        LabeledData train = split.train();
        LabeledData test = split.test();
        if (config.bool("data.standardize")) {
            Standardizer scaler = Standardizer.fit(train.features());
            train = new LabeledData(scaler.apply(train.features()), train.labels());
            test = new LabeledData(scaler.apply(test.features()), test.labels());
        }

        SparkConf sparkConf = SparkConfigs.withKryo(new SparkConf().setAppName("idl train"));
        if (!sparkConf.contains("spark.master")) {
            sparkConf.setMaster("local[*]");
        }
        config.withPrefix("spark.").forEach((k, v) -> sparkConf.set("spark." + k, v));
        SparkSession spark = SparkSession.builder().config(sparkConf).getOrCreate();
        try {
            FileSystem fs = outPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
            org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(outPath.getParent() == null ? new org.apache.hadoop.fs.Path(".") : outPath.getParent(),
                    "." + outPath.getName() + ".tmp-" + System.currentTimeMillis());
            if (!config.get("job.checkpointDir").isEmpty()) {
                spark.sparkContext().setCheckpointDir(config.get("job.checkpointDir"));
            }
            int partitions = config.integer("data.partitions");
            if (partitions == 0) {
                partitions = spark.sparkContext().defaultParallelism();
            }
            LOG.info("training on {} points ({} features, {} classes) in {} partitions, testing on {}", train.size(),
                    train.features().rows(), data.classes(), partitions, test.size());
            Dataset<Row> trainFrame = Frames.of(spark, train, partitions);
            Dataset<Row> testFrame = Frames.of(spark, test, partitions);
            IdlClassificationModel model = estimator.fit(trainFrame);
            Map<String, Object> testMetrics = Frames.classificationMetrics(model, testFrame);
            Map<String, Object> trainMetrics = Frames.classificationMetrics(model, trainFrame);
            LOG.info("train accuracy {}, test accuracy {}", trainMetrics.get("accuracy"), testMetrics.get("accuracy"));

            try {
                model.write().save(new org.apache.hadoop.fs.Path(tmp, "model").toString());
                Map<String, Object> metrics = metrics(model, trainMetrics, testMetrics, config, spark);
                byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(metrics);
                try (var stream = fs.create(new org.apache.hadoop.fs.Path(tmp, "metrics.json"), false)) {
                    stream.write(json);
                }
                if (fs.exists(outPath)) {
                    fs.delete(outPath, true);
                }
                if (!fs.rename(tmp, outPath)) {
                    throw new IllegalStateException("could not rename " + tmp + " to " + outPath);
                }
            } finally {
                if (fs.exists(tmp)) {
                    fs.delete(tmp, true);
                }
            }
            System.out.printf("idl: wrote %s (test accuracy %.4f, %.1f s of training)%n", outPath,
                    (Double) testMetrics.get("accuracy"), model.summary().trainingSeconds());
            return OK;
        } finally {
            spark.stop();
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** A relative data path is looked up in the working directory, then under IDL_HOME (the project). */
    static Path resolve(String path) {
        Path p = Path.of(path);
        if (Files.exists(p)) {
            return p;
        }
        String home = System.getenv("IDL_HOME");
        if (!p.isAbsolute() && home != null && Files.exists(Path.of(home).resolve(path))) {
            return Path.of(home).resolve(path);
        }
        throw new IllegalArgumentException("data.path " + path + " does not exist");
    }

    /** Sets {@code model.<param>} values on the estimator, parsed by the param's type; validators reject bad ones. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static void configure(IdlClassifier estimator, Map<String, String> values) {
        values.forEach((name, text) -> {
            Param param = estimator.getParam(name);
            Object value;
            try {
                if (param instanceof IntParam) {
                    value = Integer.parseInt(text);
                } else if (param instanceof DoubleParam) {
                    value = Double.parseDouble(text);
                } else if (param instanceof LongParam) {
                    value = Long.parseLong(text);
                } else if (param instanceof BooleanParam) {
                    if (!text.equals("true") && !text.equals("false")) {
                        throw new IllegalArgumentException("model." + name + " must be true or false, got '" + text + "'");
                    }
                    value = Boolean.parseBoolean(text);
                } else {
                    value = text;
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("model." + name + " must be a number, got '" + text + "'");
            }
            if (!(Boolean) param.isValid().apply(value)) {
                throw new IllegalArgumentException("model." + name + " = " + text + " is invalid: " + param.doc());
            }
            estimator.set(param, value);
        });
    }

    private static Map<String, Object> metrics(IdlClassificationModel model, Map<String, Object> train,
                                               Map<String, Object> test, JobConfig config, SparkSession spark) {
        TrainingSummary s = model.summary();
        ImplicitModel m = model.implicitModel();
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("objectiveHistory", s.objectiveHistory());
        metrics.put("roundSeconds", s.roundSeconds());
        metrics.put("trainLossHistory", s.trainLoss());
        metrics.put("trainAccuracyHistory", s.trainMetric());
        metrics.put("trainMetrics", train);
        metrics.put("testMetrics", test);
        Map<String, Object> wp = new LinkedHashMap<>();
        wp.put("infNorm", s.infNorm());
        wp.put("spectralRadiusEstimate", s.spectralRadiusEstimate());
        wp.put("contractionFactor", s.contractionFactor());
        metrics.put("wellPosedness", wp);
        metrics.put("trainingSeconds", s.trainingSeconds());
        Map<String, Object> split = new LinkedHashMap<>();
        split.put("passSeconds", s.passSeconds());
        split.put("partitionComputeSeconds", s.partitionComputeSeconds());
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
