package org.idl.spark.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.VectorSizeHint;
import org.apache.spark.ml.feature.VectorSlicer;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.idl.model.ImplicitModel;
import org.idl.model.ModelAnalysis;
import org.idl.model.WellPosedness;
import org.idl.spark.io.LabeledFrame;
import org.idl.spark.ml.IdlClassificationModel;
import org.idl.spark.ml.IdlClassifier;
import org.idl.spark.SparkInternals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code idl predict}, {@code idl evaluate} and {@code idl inspect}: the commands that use a trained model. */
final class ModelCommands {
    private ModelCommands() {
    }

    static final String PREDICT_USAGE = String.join("\n",
            "usage: idl predict --model <dir> --data <path> --out <path> [--format <fmt>] [--conf <file>] [--set key=value]...",
            "",
            "Writes one row per data point: the label (when the data has labels), the predicted class index,",
            "the predicted label and the class probabilities, from the true fixed point of the model trained",
            "by idl train. Labels are optional: csv without the label column, parquet without it, idx without",
            "data.labelsPath, and csv-label-last lines with exactly the model's number of inputs are features only.",
            "  --model <dir>      the <out>/model directory written by idl train",
            "  --data <path>      the data (data.format: csv-label-last, csv, libsvm, parquet, idx)",
            "  --out <path>       output, Parquet (default) or CSV (--set job.predictionsFormat=csv)",
            "  --overwrite        replace an existing output");

    static final String EVALUATE_USAGE = String.join("\n",
            "usage: idl evaluate --model <dir> --data <path> [--format <fmt>] [--out <file>] [--conf <file>] [--set key=value]...",
            "",
            "Prints (and with --out writes) the accuracy, mean cross-entropy and count of the model on a",
            "labelled data set, as JSON.");

    static final String CERTIFY_USAGE = String.join("\n",
            "usage: idl certify --model <dir> --data <path> --radius r[,r...] [--format <fmt>] [--out <file>]"
                    + " [--report <file.html>] [--conf <file>] [--set key=value]...",
            "",
            "For each radius r, in the raw features' units: the share of the labelled points the model classifies",
            "correctly (cleanAccuracy), correctly and certified for every input within r of the point, feature by",
            "feature (certifiedAccuracy, interval bounds through the fixed point), and correctly after an attack",
            "within that box (attackedAccuracy, job.attackSteps steps of projected sign-gradient ascent, default 20).",
            "Prints JSON; --out also writes it, --report writes an HTML page with a chart of the three against the radius.");

    static final String INSPECT_USAGE = String.join("\n",
            "usage: idl inspect --model <dir> [--out <file>]",
            "",
            "Prints a model's dimensions, well-posedness figures (||A||_inf, rho(|A|), triangular",
            "structure), the sparsity of A, B, C and D, and which inputs and hidden units it ignores, as JSON.");

    static final String COMPACT_USAGE = String.join("\n",
            "usage: idl compact --model <dir> --out <dir> [--overwrite]",
            "",
            "Writes the smaller model that the model's exact zeros allow (paper section 6.2), with the same",
            "predictions: hidden units with a zero row of (A, B) or a zero column of (A; C), and inputs with a zero",
            "column of (B; D), are removed, repeatedly, since one removal can free another. When inputs go, the",
            "pipeline gains a VectorSizeHint and a VectorSlicer stage before the classifier, so it takes the same",
            "data as before. Prints what it removed as JSON, also written to <out>/compaction.json; the model is",
            "<out>/model.");

    static int compact(String[] args) throws Exception {
        CommandLine cl = CommandLine.parse(args, Set.of("--model", "--out", "--overwrite"));
        if (cl.help) {
            System.out.println(COMPACT_USAGE);
            return IdlJob.OK;
        }
        JobConfig config = IdlJob.config(cl, new IdlClassifier());
        String modelPath = requireModel(config);
        OutputDir output = OutputDir.prepare(cl.requireOut(), cl.overwrite, config.inputPaths());
        SparkSession spark = IdlJob.session(config, "idl compact");
        try {
            PipelineModel pipeline = loadPipeline(modelPath);
            IdlClassificationModel model = classifier(pipeline, modelPath);
            ImplicitModel before = model.implicitModel();
            ModelAnalysis.Compaction compaction = ModelAnalysis.compact(before);
            ImplicitModel after = compaction.model();
            List<Transformer> stages = new ArrayList<>();
            for (Transformer stage : pipeline.stages()) {
                if (stage != model) {
                    stages.add(stage);
                    continue;
                }
                IdlClassificationModel small = model.withImplicitModel(after);
                if (after.inputs() < before.inputs()) {
                    String in = model.getFeaturesCol();
                    String kept = in + "Kept";
                    stages.add(new VectorSizeHint().setInputCol(in).setSize(before.inputs()));
                    stages.add(new VectorSlicer().setInputCol(in).setOutputCol(kept)
                            .setIndices(compaction.keptInputs()));
                    small.setFeaturesCol(kept);
                }
                stages.add(small);
            }
            PipelineModel smaller = SparkInternals.pipelineModel(stages);
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("hiddenBefore", before.hidden());
            report.put("hiddenAfter", after.hidden());
            report.put("inputsBefore", before.inputs());
            report.put("inputsAfter", after.inputs());
            report.put("removedHiddenUnits", removed(before.hidden(), compaction.keptHidden()));
            report.put("removedInputs", removed(before.inputs(), compaction.keptInputs()));
            report.put("parametersBefore", parameters(before));
            report.put("parametersAfter", parameters(after));
            report.put("nonzerosBefore", nonzeros(before));
            report.put("nonzerosAfter", nonzeros(after));
            byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(report);
            output.commit(spark.sparkContext().hadoopConfiguration(), (tmp, fs) -> {
                smaller.write().save(new org.apache.hadoop.fs.Path(tmp, "model").toString());
                try (var stream = fs.create(new org.apache.hadoop.fs.Path(tmp, "compaction.json"), false)) {
                    stream.write(json);
                }
            });
            System.out.println(new String(json, java.nio.charset.StandardCharsets.UTF_8));
            System.out.printf("idl: wrote %s (%d of %d hidden units, %d of %d inputs)%n", output.target(),
                    after.hidden(), before.hidden(), after.inputs(), before.inputs());
            return IdlJob.OK;
        } finally {
            spark.stop();
        }
    }

    private static List<Integer> removed(int count, int[] kept) {
        java.util.Set<Integer> keep = java.util.Arrays.stream(kept).boxed().collect(java.util.stream.Collectors.toSet());
        return java.util.stream.IntStream.range(0, count).filter(i -> !keep.contains(i)).boxed().toList();
    }

    /** Entries of A, B, C and D, as they are stored (dense). */
    private static long parameters(ImplicitModel m) {
        long n = m.hidden();
        long pb = m.b().cols();
        return n * n + n * pb + m.outputs() * (n + pb);
    }

    private static long nonzeros(ImplicitModel m) {
        return ModelAnalysis.nonzeros(m.a()) + ModelAnalysis.nonzeros(m.b()) + ModelAnalysis.nonzeros(m.c())
                + ModelAnalysis.nonzeros(m.d());
    }

    /**
     * The number of features the pipeline takes: the first stage that records it (a StandardScalerModel's
     * width, a VectorSizeHint's size), or the classifier's inputs.
     */
    static int pipelineInputs(PipelineModel pipeline, IdlClassificationModel model) {
        for (Transformer stage : pipeline.stages()) {
            if (stage instanceof StandardScalerModel scaler) {
                return scaler.mean().size();
            }
            if (stage instanceof VectorSizeHint hint) {
                return hint.getSize();
            }
            if (stage == model) {
                break;
            }
        }
        return model.implicitModel().inputs();
    }

    static int predict(String[] args) throws Exception {
        CommandLine cl = CommandLine.parse(args, Set.of("--model", "--data", "--format", "--out", "--overwrite"));
        if (cl.help) {
            System.out.println(PREDICT_USAGE);
            return IdlJob.OK;
        }
        JobConfig config = IdlJob.config(cl, new IdlClassifier());
        String modelPath = requireModel(config);
        OutputDir output = OutputDir.prepare(cl.requireOut(), cl.overwrite, config.inputPaths());
        SparkSession spark = IdlJob.session(config, "idl predict");
        try {
            PipelineModel pipeline = loadPipeline(modelPath);
            IdlClassificationModel model = classifier(pipeline, modelPath);
            String[] names = classNames(model);
            LabeledFrame data = JobData.read(spark, config, IdlJob.resolve(config.get("data.path")),
                    config.get("data.labelsPath"), names, pipelineInputs(pipeline, model));
            Dataset<Row> predicted = pipeline.transform(data.frame());
            spark.udf().register("idl_class_name", (UDF1<Double, String>) k -> names[(int) (double) k],
                    DataTypes.StringType);
            List<Column> columns = new ArrayList<>();
            if (data.labelled()) {
                columns.add(predicted.col("label"));
            }
            columns.addAll(List.of(
                    predicted.col(model.getPredictionCol()).as("prediction"),
                    org.apache.spark.sql.functions.callUDF("idl_class_name", predicted.col(model.getPredictionCol()))
                            .as("predictedLabel"),
                    functions.vector_to_array(predicted.col(model.getProbabilityCol()), "float64").as("probability")));
            Dataset<Row> rows = predicted.select(columns.toArray(new Column[0]));
            boolean csv = config.get("job.predictionsFormat").equals("csv");
            if (csv) {
                rows = rows.withColumn("probability",
                        org.apache.spark.sql.functions.concat_ws(";", rows.col("probability").cast("array<string>")));
            }
            Dataset<Row> out = rows;
            output.commit(spark.sparkContext().hadoopConfiguration(), (tmp, fs) -> {
                if (csv) {
                    out.write().option("header", "true").csv(tmp.toString());
                } else {
                    out.write().parquet(tmp.toString());
                }
            });
            System.out.println("idl: wrote predictions to " + output.target());
            return IdlJob.OK;
        } finally {
            spark.stop();
        }
    }

    /** The model's class names in class-index order ("0", "1", ... when it has none). */
    private static String[] classNames(IdlClassificationModel model) {
        String[] names = new String[model.numClasses()];
        for (int k = 0; k < names.length; k++) {
            names[k] = model.className(k);
        }
        return names;
    }

    static int evaluate(String[] args) throws Exception {
        return report(args, Set.of("--model", "--data", "--format", "--out", "--overwrite"), EVALUATE_USAGE,
                "idl evaluate", (spark, config, pipeline, model) -> {
                    String path = IdlJob.resolve(config.get("data.path"));
                    LabeledFrame data = JobData.read(spark, config, path, config.get("data.labelsPath"),
                            classNames(model), pipelineInputs(pipeline, model));
                    if (!data.labelled()) {
                        throw new IllegalArgumentException("evaluate needs labels, and " + path + " has none (its "
                                + "records hold the model's " + pipelineInputs(pipeline, model) + " features and nothing"
                                + " more); predict takes unlabelled data");
                    }
                    return Frames.classificationMetrics(pipeline.transform(data.frame()), model);
                });
    }

    static int certify(String[] args) throws Exception {
        Set<String> options = Set.of("--model", "--data", "--format", "--radius", "--out", "--report", "--overwrite");
        CommandLine cl = CommandLine.parse(args, options);
        OutputDir page = cl.help || cl.report == null ? null : OutputDir.prepare(cl.report, cl.overwrite, List.of());
        return report(args, options, CERTIFY_USAGE, "idl certify", (spark, config, pipeline, model) -> {
            double[] radii = radii(config.get("job.radius"));
            int steps = config.integer("job.attackSteps");
            if (steps < 0) {
                throw new IllegalArgumentException("job.attackSteps must be >= 0, got " + steps);
            }
            String path = IdlJob.resolve(config.get("data.path"));
            LabeledFrame data = JobData.read(spark, config, path, config.get("data.labelsPath"),
                    classNames(model), pipelineInputs(pipeline, model));
            if (!data.labelled()) {
                throw new IllegalArgumentException("certify needs labels, and " + path + " has none");
            }
            Map<String, Object> result = Certification.run(data.frame(), pipeline, model, radii, steps);
            if (page != null) {
                byte[] html = Certification.page(result, model.implicitModel(), path, requireModel(config));
                page.commit(spark.sparkContext().hadoopConfiguration(), (tmp, fs) -> {
                    try (var stream = fs.create(tmp, false)) {
                        stream.write(html);
                    }
                });
            }
            return result;
        });
    }

    /** The radii of {@code --radius r[,r...]}: finite, >= 0. */
    static double[] radii(String spec) {
        if (spec.isBlank()) {
            throw new IllegalArgumentException("certify needs --radius r[,r...]");
        }
        String[] parts = spec.split(",");
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--radius: '" + parts[i].trim() + "' is not a number");
            }
            if (!(out[i] >= 0) || !Double.isFinite(out[i])) {
                throw new IllegalArgumentException("--radius: " + parts[i].trim() + " must be finite and >= 0");
            }
        }
        return out;
    }

    static int inspect(String[] args) throws Exception {
        return report(args, Set.of("--model", "--out", "--overwrite"), INSPECT_USAGE, "idl inspect",
                (spark, config, pipeline, model) -> inspection(model.implicitModel()));
    }

    /** What a reporting command computes from a loaded model. */
    private interface Report {
        Map<String, Object> of(SparkSession spark, JobConfig config, PipelineModel pipeline,
                               IdlClassificationModel model) throws Exception;
    }

    /** Loads the model, computes the report, prints it as JSON and, with --out, writes it. */
    private static int report(String[] args, Set<String> options, String usage, String appName, Report report)
            throws Exception {
        CommandLine cl = CommandLine.parse(args, options);
        if (cl.help) {
            System.out.println(usage);
            return IdlJob.OK;
        }
        JobConfig config = IdlJob.config(cl, new IdlClassifier());
        String modelPath = requireModel(config);
        OutputDir output = cl.out == null ? null : OutputDir.prepare(cl.out, cl.overwrite, config.inputPaths());
        SparkSession spark = IdlJob.session(config, appName);
        try {
            PipelineModel pipeline = loadPipeline(modelPath);
            print(report.of(spark, config, pipeline, classifier(pipeline, modelPath)), output, spark);
            return IdlJob.OK;
        } finally {
            spark.stop();
        }
    }

    /** What {@code inspect} reports of a model. */
    static Map<String, Object> inspection(ImplicitModel m) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("hidden", m.hidden());
        r.put("inputs", m.inputs());
        r.put("outputs", m.outputs());
        r.put("activation", m.activation().spec());
        r.put("bias", m.bias());
        WellPosedness.Certificate c = WellPosedness.certify(m.a());
        Map<String, Object> wp = new LinkedHashMap<>();
        wp.put("infNorm", c.infNorm());
        wp.put("spectralRadiusEstimate", c.spectralRadiusEstimate());
        wp.put("contractionFactor", c.factor());
        wp.put("structure", WellPosedness.structure(m.a()).name());
        wp.put("wellPosed", c.valid() || WellPosedness.structure(m.a()).triangular());
        r.put("wellPosedness", wp);
        Map<String, Object> sparsity = new LinkedHashMap<>();
        sparsity.put("A", ModelAnalysis.density(m.a()));
        sparsity.put("B", ModelAnalysis.density(m.b()));
        sparsity.put("C", ModelAnalysis.density(m.c()));
        sparsity.put("D", ModelAnalysis.density(m.d()));
        r.put("nonzeroShare", sparsity);
        // Section 6.2: inputs and hidden units that the model's zeros make unnecessary.
        r.put("ignoredInputs", ModelAnalysis.ignoredInputs(m));
        r.put("removableHiddenUnits", ModelAnalysis.removableHiddenUnits(m));
        return r;
    }

    private static void print(Map<String, Object> result, OutputDir output, SparkSession spark) throws Exception {
        byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(result);
        System.out.println(new String(json, java.nio.charset.StandardCharsets.UTF_8));
        if (output != null) {
            // A single file: write it under the temporary name, then rename.
            output.commit(spark.sparkContext().hadoopConfiguration(), (tmp, fs) -> {
                try (var stream = fs.create(tmp, false)) {
                    stream.write(json);
                }
            });
        }
    }

    private static String requireModel(JobConfig config) {
        String path = config.get("job.model");
        if (path.isEmpty()) {
            throw new IllegalArgumentException("--model <dir> is required");
        }
        return path;
    }

    private static PipelineModel loadPipeline(String path) {
        try {
            return PipelineModel.load(path);
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot load a model from " + path + ": " + e.getMessage(), e);
        }
    }

    private static IdlClassificationModel classifier(PipelineModel pipeline, String path) {
        for (Transformer t : pipeline.stages()) {
            if (t instanceof IdlClassificationModel m) {
                return m;
            }
        }
        throw new IllegalArgumentException("the model at " + path + " holds no IdlClassificationModel stage");
    }
}
