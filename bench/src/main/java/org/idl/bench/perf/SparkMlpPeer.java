package org.idl.bench.perf;

import org.apache.spark.SparkConf;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.idl.bench.Args;
import org.idl.bench.Json;
import org.idl.spark.SparkConfigs;
import org.idl.spark.io.DataReaders;
import org.idl.spark.io.DataSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Spark MLlib peer: {@code MultilayerPerceptronClassifier} with one hidden layer of n units
 * (layers [p, n, classes]; sigmoid hidden units, softmax output, L-BFGS, MLlib's defaults otherwise)
 * in a local[*] session like the job's, on the same split and the same standardisation (Spark's
 * {@code StandardScaler} withMean/withStd fitted on the training set). Trained from scratch once per
 * {@code maxIter} in the list, with the same seed, so the runs are prefixes of one L-BFGS trajectory
 * (unless it stops on its tolerance first) and test accuracy against training time can be read off.
 * MNIST and Fashion-MNIST are read by the job's own IDX reader; digits is the bench split.
 *
 * <pre>
 * SparkMlpPeer --root . --data mnist [--hidden 100] [--iters 10,20,50,100,200] [--seed 0]
 *              [--out bench/results/peers/mnist-spark-mlp.json] [--sim 0.3,1,3]
 * </pre>
 * The last model is also imported as an implicit model ({@code IdlClassificationModel.fromMultilayerPerceptron})
 * and its predictions compared with MLlib's; with {@code --sim}, state-driven students are fitted to it.
 * <pre>
 * </pre>
 */
public final class SparkMlpPeer {
    private SparkMlpPeer() {
    }

    /** {@code --sim w1,w2,...}: state-driven fits of the imported final model, one per L1 weight on (A, B). */
    private static double[] simWeights = new double[0];
    /** {@code --sim-cd w}: the L1 weight on (C, D) of those fits. */
    private static double simReadoutWeight = 0;
    /** {@code --sim-group w}: the column-group weight on C of those fits (removes hidden units). */
    private static double simGroupWeight = 0;

    public static void main(String[] args) throws Exception {
        Args o = new Args(args, Set.of("root", "data", "hidden", "iters", "seed", "train-limit", "master", "out", "sim", "sim-cd", "sim-group"));
        simReadoutWeight = o.real("sim-cd", 0);
        simGroupWeight = o.real("sim-group", 0);
        simWeights = o.string("sim", "").isEmpty() ? new double[0]
                : java.util.Arrays.stream(o.string("sim", "").split(",")).mapToDouble(Double::parseDouble).toArray();
        String data = o.string("data", "digits");
        Map<String, Object> doc = run(o.path("root", "."), data, o.integer("hidden", data.equals("digits") ? 64 : 100),
                o.integers("iters", "10,20,50,100,200"), o.longValue("seed", 0), o.integer("train-limit", 0),
                o.string("master", "local[*]"));
        Env.writeJsonIfAsked(o.string("out", null), doc);
    }

    /**
     * The perceptron imported as an implicit model (section 2.2, block triangular A, sigmoid): on the
     * test set, the share of identical predictions and the largest difference of a probability.
     */
    static Map<String, Object> importCheck(MultilayerPerceptronClassificationModel mlp, Dataset<Row> test) {
        org.idl.spark.ml.IdlClassificationModel imported =
                org.idl.spark.ml.IdlClassificationModel.fromMultilayerPerceptron(mlp);
        List<Row> theirs = mlp.transform(test).select("prediction", "probability").collectAsList();
        List<Row> ours = imported.transform(test).select("prediction", "probability", "label").collectAsList();
        long same = 0;
        long correct = 0;
        double worst = 0;
        for (int k = 0; k < theirs.size(); k++) {
            same += theirs.get(k).getDouble(0) == ours.get(k).getDouble(0) ? 1 : 0;
            correct += ours.get(k).getDouble(0) == ours.get(k).getDouble(2) ? 1 : 0;
            double[] a = ((org.apache.spark.ml.linalg.Vector) theirs.get(k).get(1)).toArray();
            double[] b = ((org.apache.spark.ml.linalg.Vector) ours.get(k).get(1)).toArray();
            for (int j = 0; j < a.length; j++) {
                worst = Math.max(worst, Math.abs(a[j] - b[j]));
            }
        }
        System.out.printf("  imported as an implicit model (n = %d, triangular A): %d of %d predictions the same,"
                + " largest probability difference %.2e%n", imported.getHiddenSize(), same, theirs.size(), worst);
        return Json.object("imported_same_predictions", (double) same / theirs.size(),
                "imported_max_probability_difference", worst,
                "imported_test_accuracy", (double) correct / theirs.size());
    }

    /**
     * SIM (state-driven implicit modelling) from the imported perceptron: per L1 weight on (A, B), the
     * student's nonzeros in (A, B) against the teacher's, and both test accuracies.
     */
    static List<Map<String, Object>> stateDriven(MultilayerPerceptronClassificationModel mlp, Dataset<Row> train,
                                                 Dataset<Row> test, double[] weights) {
        org.idl.spark.ml.IdlClassificationModel teacher =
                org.idl.spark.ml.IdlClassificationModel.fromMultilayerPerceptron(mlp);
        long teacherNonzeros = nonzerosAB(teacher.implicitModel());
        double teacherAccuracy = accuracy(teacher, test);
        List<Map<String, Object>> out = new ArrayList<>();
        for (double w : weights) {
            long t0 = System.nanoTime();
            org.idl.spark.ml.IdlClassificationModel student = org.idl.spark.ml.StateDriven.fit(teacher, train,
                    new org.idl.train.sim.StateDrivenFit.Config(0.95, w, simReadoutWeight, simGroupWeight, 2000));
            double seconds = (System.nanoTime() - t0) / 1e9;
            long nonzeros = nonzerosAB(student.implicitModel());
            double studentAccuracy = accuracy(student, test);
            System.out.printf("  SIM l1AB %.3g: (A, B) nonzeros %d -> %d (%.1f%% fewer), test accuracy %.4f -> %.4f,"
                            + " %.1f s%n", w, teacherNonzeros, nonzeros, 100.0 * (teacherNonzeros - nonzeros) / teacherNonzeros,
                    teacherAccuracy, studentAccuracy, seconds);
            Map<String, Object> row = Json.object("l1AB", w, "l1CD", simReadoutWeight, "groupC", simGroupWeight,
                    "teacher_nonzeros_AB",
                    teacherNonzeros, "student_nonzeros_AB", nonzeros, "teacher_test_accuracy", teacherAccuracy,
                    "student_test_accuracy", studentAccuracy, "student_inf_norm_A", student.implicitModel().a().infNorm(),
                    "fit_seconds", Env.round(seconds, 3));
            row.put("compaction", compaction(student.implicitModel(), test));
            out.add(row);
        }
        return out;
    }

    /**
     * Section 6.2 on a student: what {@code ModelAnalysis.compact} removes, the largest difference of the
     * outputs on the test set, and the time to predict it before and after (one thread, best of 5).
     */
    static Map<String, Object> compaction(org.idl.model.ImplicitModel model, Dataset<Row> test) {
        List<Row> rows = test.select("features").collectAsList();
        int p = model.inputs();
        org.idl.linalg.Matrix u = org.idl.linalg.Matrix.zeros(p, rows.size());
        for (int c = 0; c < rows.size(); c++) {
            System.arraycopy(((org.apache.spark.ml.linalg.Vector) rows.get(c).get(0)).toArray(), 0, u.data(), c * p, p);
        }
        org.idl.model.ModelAnalysis.Compaction small = org.idl.model.ModelAnalysis.compact(model);
        org.idl.linalg.Matrix us = small.selectInputs(u);
        double[] before = bestOf5(() -> model.predict(u));
        double[] after = bestOf5(() -> small.model().predict(us));
        double difference = model.predict(u).minus(small.model().predict(us)).maxAbs();
        System.out.printf("    compact: %d -> %d hidden units, %d -> %d inputs, outputs differ by %.2e, prediction %.3f ->"
                + " %.3f s%n", model.hidden(), small.model().hidden(), p, small.model().inputs(), difference, before[0],
                after[0]);
        return Json.object("hidden_before", model.hidden(), "hidden_after", small.model().hidden(), "inputs_before", p,
                "inputs_after", small.model().inputs(), "max_output_difference", difference,
                "predict_seconds_before", Env.round(before[0], 4), "predict_seconds_after", Env.round(after[0], 4));
    }

    private static double[] bestOf5(java.util.function.Supplier<Object> work) {
        double best = Double.POSITIVE_INFINITY;
        for (int run = 0; run < 6; run++) {
            long t = System.nanoTime();
            work.get();
            if (run > 0) {
                best = Math.min(best, (System.nanoTime() - t) / 1e9);
            }
        }
        return new double[]{best};
    }

    private static long nonzerosAB(org.idl.model.ImplicitModel m) {
        return org.idl.model.ModelAnalysis.nonzeros(m.a()) + org.idl.model.ModelAnalysis.nonzeros(m.b());
    }

    private static double accuracy(org.idl.spark.ml.IdlClassificationModel model, Dataset<Row> test) {
        return model.transform(test).filter("prediction = label").count() / (double) test.count();
    }

    public static Map<String, Object> run(Path root, String data, int hidden, int[] iters, long seed, int trainLimit,
                                          String master) throws Exception {
        String loadStart = Env.loadAverage();
        // The job's Kryo set-up (its registrator serialises the IDX reader's records), without requiring
        // registration: MLlib's MLP ships classes the registrator does not list.
        SparkConf conf = SparkConfigs.withKryo(new SparkConf().setAppName("idl bench spark-mlp").setMaster(master))
                .set("spark.kryo.registrationRequired", "false")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try {
            int partitions = spark.sparkContext().defaultParallelism();
            Dataset<Row> train;
            Dataset<Row> test;
            String source;
            if (data.equals("digits")) {
                BenchData.Split split = BenchData.load(root, data);
                train = frame(spark, split.train(), partitions);
                test = frame(spark, split.test(), partitions);
                source = split.source();
            } else {
                Path dir = root.resolve("bench/data").resolve(data);
                train = idx(spark, dir, "train", partitions);
                test = idx(spark, dir, "t10k", partitions);
                source = dir + " (official split, read by the job's IDX reader)";
            }
            if (trainLimit > 0) {
                train = train.limit(trainLimit).repartition(partitions);
            }
            long t0 = System.nanoTime();
            StandardScalerModel scaler = new StandardScaler().setInputCol("raw").setOutputCol("features")
                    .setWithMean(true).setWithStd(true).fit(train);
            Dataset<Row> trainS = scaler.transform(train).select("features", "label").cache();
            Dataset<Row> testS = scaler.transform(test).select("features", "label").cache();
            long trainCount = trainS.count();
            long testCount = testS.count();
            double scalerSeconds = (System.nanoTime() - t0) / 1e9;
            int p = ((org.apache.spark.ml.linalg.Vector) trainS.first().get(0)).size();
            int classes = (int) Math.round(trainS.agg(org.apache.spark.sql.functions.max("label")).first().getDouble(0)) + 1;
            int[] layers = {p, hidden, classes};
            System.out.printf("spark-mlp on %s: %d train, %d test, layers [%d, %d, %d], %d partitions%n", data,
                    trainCount, testCount, p, hidden, classes, trainS.rdd().getNumPartitions());
            MulticlassClassificationEvaluator accuracy = new MulticlassClassificationEvaluator()
                    .setMetricName("accuracy").setLabelCol("label").setPredictionCol("prediction");
            MultilayerPerceptronClassifier defaults = new MultilayerPerceptronClassifier();
            // One short fit first, not recorded: class loading and JIT warm-up would otherwise land on the first point.
            long w0 = System.nanoTime();
            new MultilayerPerceptronClassifier().setLayers(layers).setMaxIter(2).setSeed(seed).fit(trainS);
            double warmupSeconds = (System.nanoTime() - w0) / 1e9;
            List<Map<String, Object>> curve = new ArrayList<>();
            for (int it : iters) {
                MultilayerPerceptronClassifier mlp = new MultilayerPerceptronClassifier().setLayers(layers)
                        .setMaxIter(it).setSeed(seed).setFeaturesCol("features").setLabelCol("label");
                long f0 = System.nanoTime();
                MultilayerPerceptronClassificationModel model = mlp.fit(trainS);
                double seconds = (System.nanoTime() - f0) / 1e9;
                long e0 = System.nanoTime();
                double testAcc = accuracy.evaluate(model.transform(testS));
                double trainAcc = accuracy.evaluate(model.transform(trainS));
                double evalSeconds = (System.nanoTime() - e0) / 1e9;
                double[] history = model.summary().objectiveHistory();
                curve.add(Json.object("max_iter", it, "iterations", model.summary().totalIterations(),
                        "train_seconds", Env.round(seconds, 3), "test_accuracy", testAcc, "train_accuracy", trainAcc,
                        "final_objective", history.length == 0 ? null : history[history.length - 1],
                        "eval_seconds", Env.round(evalSeconds, 3), "load_average", Env.loadAverage()));
                System.out.printf("  maxIter %4d: %4d iterations, %7.2f s, test accuracy %.4f, train accuracy %.4f%n", it,
                        model.summary().totalIterations(), seconds, testAcc, trainAcc);
                if (it == iters[iters.length - 1]) {
                    curve.get(curve.size() - 1).putAll(importCheck(model, testS));
                    if (simWeights.length > 0) {
                        curve.get(curve.size() - 1).put("state_driven", stateDriven(model, trainS, testS, simWeights));
                    }
                }
            }
            Map<String, Object> config = Json.object(
                    "estimator", "org.apache.spark.ml.classification.MultilayerPerceptronClassifier", "layers", layers,
                    "hidden_activation", "sigmoid (MLlib's only choice); softmax output",
                    "solver", defaults.getSolver(), "tol", defaults.getTol(), "block_size", defaults.getBlockSize(),
                    "seed", seed, "max_iter_list", iters, "spark_master", master, "spark_version", spark.version(),
                    "partitions", trainS.rdd().getNumPartitions(),
                    "standardization", "StandardScaler(withMean = true, withStd = true) fitted on the training set",
                    "standardization_seconds", Env.round(scalerSeconds, 3),
                    "timing", "train_seconds: wall time of fit() on the cached, standardised training set; each "
                            + "max_iter is a fresh fit from the same seed, after one unrecorded warm-up fit of 2 iterations",
                    "warmup_seconds", Env.round(warmupSeconds, 3));
            Map<String, Object> info = Json.object("dataset", data, "source", source, "train_points", trainCount,
                    "test_points", testCount, "features", p, "classes", classes);
            if (trainLimit > 0) {
                info.put("train_limit", trainLimit);
            }
            Map<String, Object> doc = Json.object("method", "spark-mlp", "config", config, "data", info,
                    "machine", Env.describe(), "load_average_start", loadStart, "load_average_end", Env.loadAverage(),
                    "curve", curve, "summary", summary(curve));
            trainS.unpersist();
            testS.unpersist();
            return doc;
        } finally {
            spark.stop();
        }
    }

    /** Best test accuracy, and the shortest training time (and its run) that reached it. */
    static Map<String, Object> summary(List<Map<String, Object>> curve) {
        double best = curve.stream().mapToDouble(r -> (Double) r.get("test_accuracy")).max().orElse(Double.NaN);
        Map<String, Object> first = curve.stream().filter(r -> (Double) r.get("test_accuracy") == best)
                .min((a, b) -> Double.compare((Double) a.get("train_seconds"), (Double) b.get("train_seconds"))).orElseThrow();
        Map<String, Object> last = curve.get(curve.size() - 1);
        return Json.object("best_test_accuracy", best, "seconds_to_best", first.get("train_seconds"),
                "iterations_at_best", first.get("iterations"), "max_iter_at_best", first.get("max_iter"),
                "final_test_accuracy", last.get("test_accuracy"), "final_iterations", last.get("iterations"),
                "final_train_seconds", last.get("train_seconds"));
    }

    private static Dataset<Row> frame(SparkSession spark, BenchData.Set s, int partitions) {
        List<Row> rows = new ArrayList<>(s.size());
        for (int i = 0; i < s.size(); i++) {
            rows.add(RowFactory.create(Vectors.dense(s.features()[i]), (double) s.labels()[i]));
        }
        StructType schema = new StructType().add("raw", new VectorUDT()).add("label", DataTypes.DoubleType);
        return spark.createDataFrame(rows, schema).repartition(partitions);
    }

    /** An IDX pair through the job's reader: columns (features, label) with labels 0..9 in numeric order. */
    private static Dataset<Row> idx(SparkSession spark, Path dir, String prefix, int partitions) throws Exception {
        DataSource source = new DataSource(dir.resolve(prefix + "-images-idx3-ubyte").toString(), "idx", null, null, 0,
                dir.resolve(prefix + "-labels-idx1-ubyte").toString());
        Dataset<Row> f = DataReaders.read(spark, source, true).frame();
        return f.select(f.col("features").as("raw"), f.col("label")).repartition(partitions);
    }
}
