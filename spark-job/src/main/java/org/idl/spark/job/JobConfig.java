package org.idl.spark.job;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The batch job's configuration: a {@code key = value} file (java.util.Properties syntax, # comments)
 * with {@code --set key=value} overrides. Keys are {@code spark.*} (passed to Spark), {@code data.*},
 * {@code job.*} and {@code model.<param>} (any param of the estimator). Unknown keys and values of the
 * wrong type are rejected before Spark starts, naming the key and the value.
 */
final class JobConfig {
    static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("data.path", "data/digits/digits.csv.gz"),
            Map.entry("data.format", "csv-label-last"),
            Map.entry("data.testPath", ""),
            Map.entry("data.testFraction", "0.25"),
            Map.entry("data.splitSeed", "0"),
            Map.entry("data.validationFraction", "0"),
            Map.entry("data.standardize", "true"),
            Map.entry("data.partitions", "0"),
            Map.entry("data.labelColumn", "label"),
            Map.entry("data.ignoreColumns", ""),
            Map.entry("data.weightColumn", ""),
            Map.entry("data.featuresColumn", "features"),
            Map.entry("data.numFeatures", "0"),
            Map.entry("data.labelsPath", ""),
            Map.entry("data.testLabelsPath", ""),
            Map.entry("job.model", ""),
            Map.entry("job.checkpointDir", ""),
            Map.entry("job.checkpointEvery", "0"),
            Map.entry("job.predictionsFormat", "parquet"),
            Map.entry("job.report", "true"),
            Map.entry("job.testEvery", "5"),
            Map.entry("job.radius", ""),
            Map.entry("job.attackSteps", "20"));

    static final Set<String> FORMATS = Set.of("csv-label-last", "csv", "libsvm", "parquet", "idx");

    private final Map<String, String> values;

    private JobConfig(Map<String, String> values) {
        this.values = values;
    }

    static JobConfig load(Path file, Map<String, String> overrides, Set<String> modelParams) throws IOException {
        Map<String, String> v = new TreeMap<>(DEFAULTS);
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("configuration file " + file + " does not exist");
            }
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            for (String k : p.stringPropertyNames()) {
                v.put(k, p.getProperty(k).trim());
            }
        }
        v.putAll(overrides);
        for (String key : v.keySet()) {
            boolean known = DEFAULTS.containsKey(key) || key.startsWith("spark.")
                    || (key.startsWith("model.") && modelParams.contains(key.substring("model.".length())));
            if (!known) {
                throw new IllegalArgumentException("unknown configuration key '" + key + "' (value '" + v.get(key)
                        + "'); known keys: " + DEFAULTS.keySet().stream().sorted().toList()
                        + ", spark.*, and model.<param> for a param in " + new java.util.TreeSet<>(modelParams));
            }
        }
        JobConfig c = new JobConfig(v);
        c.doubleIn("data.testFraction", 0, 1);
        c.integer("data.splitSeed");
        c.validationFraction();
        c.standardize();
        if (!FORMATS.contains(c.get("data.format"))) {
            throw new IllegalArgumentException("data.format must be one of " + new java.util.TreeSet<>(FORMATS) + ", got '"
                    + c.get("data.format") + "'");
        }
        if (!c.get("data.weightColumn").isEmpty() && !Set.of("csv", "parquet").contains(c.get("data.format"))) {
            throw new IllegalArgumentException("data.weightColumn = '" + c.get("data.weightColumn") + "' needs"
                    + " data.format csv or parquet, got " + c.get("data.format"));
        }
        if (c.integer("data.numFeatures") < 0) {
            throw new IllegalArgumentException("data.numFeatures must be >= 0 (0: inferred), got " + c.get("data.numFeatures"));
        }
        if (c.integer("job.checkpointEvery") < 0) {
            throw new IllegalArgumentException("job.checkpointEvery must be >= 0 rounds (0: no checkpoints), got "
                    + c.get("job.checkpointEvery"));
        }
        if (c.integer("job.testEvery") < 1) {
            throw new IllegalArgumentException("job.testEvery must be >= 1 round, got " + c.get("job.testEvery"));
        }
        if (c.integer("job.checkpointEvery") > 0 && c.get("job.checkpointDir").isEmpty()) {
            throw new IllegalArgumentException("job.checkpointEvery = " + c.get("job.checkpointEvery")
                    + " needs job.checkpointDir");
        }
        if (!Set.of("parquet", "csv").contains(c.get("job.predictionsFormat"))) {
            throw new IllegalArgumentException("job.predictionsFormat must be parquet or csv, got '"
                    + c.get("job.predictionsFormat") + "'");
        }
        c.bool("job.report");
        if (c.integer("data.partitions") < 0) {
            throw new IllegalArgumentException("data.partitions must be >= 0 (0: Spark's default parallelism), got "
                    + c.get("data.partitions"));
        }
        return c;
    }

    /** Every path the job reads (data, labels, test data, model, checkpoints); unset ones are empty. */
    List<String> inputPaths() {
        return List.of(get("data.path"), get("data.labelsPath"), get("data.testPath"), get("data.testLabelsPath"),
                get("job.model"), get("job.checkpointDir"));
    }

    String get(String key) {
        return values.get(key);
    }

    Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, val) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), val);
            }
        });
        return out;
    }

    Map<String, String> all() {
        return new TreeMap<>(values);
    }

    int integer(String key) {
        try {
            return Integer.parseInt(get(key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + get(key) + "'");
        }
    }

    /**
     * {@code data.validationFraction}: the share of the training data held out as validation rows,
     * measured every round, for early stopping ({@code model.earlyStoppingRounds}); 0 for none.
     */
    double validationFraction() {
        String v = get("data.validationFraction");
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("data.validationFraction must be a number, got '" + v + "'");
        }
        if (!(d >= 0 && d < 1)) {
            throw new IllegalArgumentException("data.validationFraction must be in [0, 1) (0: none), got " + v);
        }
        return d;
    }

    /**
     * {@code data.standardize}: true (subtract the mean, divide by the standard deviation), scale (divide
     * only: keeps sparse rows sparse, for wide sparse data) or false.
     */
    String standardize() {
        String v = get("data.standardize");
        if (!Set.of("true", "scale", "false").contains(v)) {
            throw new IllegalArgumentException("data.standardize must be true, scale or false, got '" + v + "'");
        }
        return v;
    }

    double doubleIn(String key, double lo, double hi) {
        double d;
        try {
            d = Double.parseDouble(get(key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got '" + get(key) + "'");
        }
        if (!(d > lo && d < hi)) {
            throw new IllegalArgumentException(key + " must be in (" + lo + ", " + hi + "), got " + get(key));
        }
        return d;
    }

    boolean bool(String key) {
        String s = get(key);
        if (!s.equals("true") && !s.equals("false")) {
            throw new IllegalArgumentException(key + " must be true or false, got '" + s + "'");
        }
        return Boolean.parseBoolean(s);
    }
}
