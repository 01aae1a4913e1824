package org.idl.spark.job;

import org.apache.spark.SparkConf;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.SparkSession;
import org.idl.spark.SparkConfigs;
import org.idl.spark.ml.IdlClassifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The batch job's entry point: {@code train}, {@code predict}, {@code evaluate}, {@code inspect}
 * ({@link TrainCommand}, {@link ModelCommands}), the configuration shared by them, and the exit
 * codes a scheduler acts on. Every failure ends with one line starting {@code idl:}.
 */
public final class IdlJob {
    private static final Logger LOG = LoggerFactory.getLogger(IdlJob.class);

    /** Exit codes a scheduler can act on. */
    static final int OK = 0;
    static final int BAD_INPUT = 2;
    static final int TRAINING_FAILED = 3;
    static final int OUT_OF_MEMORY = 4;

    private IdlJob() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } catch (Throwable e) {
            code = report(e);
        }
        System.exit(code);
    }

    /** Prints the one {@code idl:} line a failure ends with, and returns its exit code. */
    static int report(Throwable e) {
        if (e instanceof IllegalArgumentException) {
            System.err.println("idl: error: " + e.getMessage());
            return BAD_INPUT;
        }
        Throwable root = root(e);
        if (causedBy(e, OutOfMemoryError.class)) {
            LOG.error("out of memory", e);
            System.err.println("idl: out of memory: " + root.getMessage() + "; give the driver more (IDL_DRIVER_MEMORY,"
                    + " spark.driver.memory) or the executors (spark.executor.memory), or use more partitions");
            return OUT_OF_MEMORY;
        }
        if (causedBy(e, java.io.EOFException.class) || causedBy(e, java.util.zip.ZipException.class)) {
            LOG.error("cannot read the input", e);
            System.err.println("idl: error: cannot read the input data: " + root.getClass().getSimpleName() + ": "
                    + root.getMessage() + " (a truncated or corrupt file?)");
            return BAD_INPUT;
        }
        LOG.error("training failed", e);
        System.err.println("idl: training failed: " + root.getClass().getSimpleName() + ": " + root.getMessage());
        return TRAINING_FAILED;
    }

    private static Throwable root(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> kind) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (kind.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    static final String USAGE = String.join("\n",
            "usage: idl <command> [options]",
            "",
            "commands:",
            "  train      train an implicit model and write the model, metrics.json and report.html",
            "  predict    write the predictions of a trained model for a data set",
            "  evaluate   print the accuracy and loss of a trained model on a labelled data set",
            "  inspect    print a model's dimensions, well-posedness figures and sparsity",
            "  certify    per input radius: clean, certified and attacked accuracy on a labelled data set",
            "  compact    write the smaller model that the model's zeros allow (section 6.2), same predictions",
            "",
            "idl <command> --help shows the command's options. Exit codes: 0 success, 2 bad configuration",
            "or input, 3 training or Spark failure, 4 out of memory.");

    static int run(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println(USAGE);
            return args.length == 0 ? BAD_INPUT : OK;
        }
        return switch (args[0]) {
            case "train" -> TrainCommand.run(args);
            case "predict" -> ModelCommands.predict(args);
            case "evaluate" -> ModelCommands.evaluate(args);
            case "inspect" -> ModelCommands.inspect(args);
            case "certify" -> ModelCommands.certify(args);
            case "compact" -> ModelCommands.compact(args);
            default -> throw new IllegalArgumentException("unknown command '" + args[0] + "'; try --help");
        };
    }

    /** The job's configuration: the file, the overrides, and the classifier's params as model.<param>. */
    static JobConfig config(CommandLine cl, IdlClassifier estimator) throws java.io.IOException {
        Set<String> modelParams = new HashSet<>();
        for (Param<?> p : estimator.params()) {
            modelParams.add(p.name());
        }
        JobConfig config = JobConfig.load(cl.conf, cl.overrides, modelParams);
        configure(estimator, config.withPrefix("model."));
        estimator.bcdConfig();
        return config;
    }

    /** A Spark session with Kryo and the configuration's spark.* keys (local[*] unless a master is given). */
    static SparkSession session(JobConfig config, String appName) {
        SparkConf sparkConf = SparkConfigs.withKryo(new SparkConf().setAppName(appName));
        if (!sparkConf.contains("spark.master")) {
            sparkConf.setMaster("local[*]");
        }
        config.withPrefix("spark.").forEach((k, v) -> sparkConf.set("spark." + k, v));
        return SparkSession.builder().config(sparkConf).getOrCreate();
    }

    /**
     * A local data path is looked up in the working directory, then (when relative) under IDL_HOME,
     * the project, so the committed data sets are found from anywhere; a URI (hdfs://...) is kept.
     */
    static String resolve(String path) {
        if (path.contains("://")) {
            return path;
        }
        Path p = Path.of(path);
        if (Files.exists(p)) {
            return p.toString();
        }
        String home = System.getenv("IDL_HOME");
        if (!p.isAbsolute() && home != null && Files.exists(Path.of(home).resolve(path))) {
            return Path.of(home).resolve(path).toString();
        }
        throw new IllegalArgumentException("data file " + path + " does not exist");
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
                } else if (param instanceof DoubleArrayParam) {
                    value = java.util.Arrays.stream(text.split(",")).map(String::trim).filter(t -> !t.isEmpty())
                            .mapToDouble(Double::parseDouble).toArray();
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

}
