package org.idl.spark.job;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.idl.data.LabeledData;
import org.idl.linalg.Matrix;
import org.idl.spark.io.DataReaders;
import org.idl.spark.io.DataSource;
import org.idl.spark.io.LabeledFrame;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The job's data: frames of (features vector, label) read in the configured format, and the
 * train/test split. The default format, {@code csv-label-last} (headerless CSV, features then an
 * integer label, like the committed digits), is read on the driver and split exactly per class;
 * the other formats go through {@link DataReaders} and a stratified sample per class.
 */
final class JobData {
    record Sets(Dataset<Row> train, Dataset<Row> test, String[] classNames, int features) {
    }

    private JobData() {
    }

    /**
     * The fewest points a partition holds when {@code data.partitions = 0}: small data gains nothing from
     * more partitions, and the gradient solver's epoch keeps its 32 steps of several points a partition
     * only on partitions this large (on iris's 111 points, 8 partitions of 13 points gave 13 steps an epoch).
     */
    static final long MIN_POINTS_PER_DEFAULT_PARTITION = 256;

    /** {@code data.partitions = 0}: one partition per core (Spark's default parallelism), but no more than
     *  one per {@link #MIN_POINTS_PER_DEFAULT_PARTITION} points, and at least one. */
    static int defaultPartitions(int parallelism, long points) {
        return (int) Math.max(1, Math.min(parallelism, points / MIN_POINTS_PER_DEFAULT_PARTITION));
    }

    /** {@code data.partitions}, or when it is 0 the default for the training rows left of {@code rows} read rows. */
    private static int partitions(SparkSession spark, JobConfig c, long rows, double testFraction) {
        int partitions = c.integer("data.partitions");
        if (partitions != 0) {
            return partitions;
        }
        long training = c.get("data.testPath").isEmpty() ? Math.round(rows * (1 - testFraction)) : rows;
        return defaultPartitions(spark.sparkContext().defaultParallelism(), training);
    }

    static Sets trainAndTest(SparkSession spark, JobConfig c) throws IOException {
        double testFraction = c.doubleIn("data.testFraction", 0, 1);
        long seed = c.integer("data.splitSeed");
        if (c.get("data.format").equals("csv-label-last")) {
            LabeledData all = readLabelLast(spark, c.get("data.path"));
            int partitions = partitions(spark, c, all.size(), testFraction);
            requirePartitions(partitions, all.size());
            if (!c.get("data.testPath").isEmpty()) {
                LabeledData test = readLabelLast(spark, c.get("data.testPath"));
                return new Sets(Frames.of(spark, all, partitions), Frames.of(spark, test, partitions),
                        indexNames(Math.max(all.classes(), test.classes())), all.features().rows());
            }
            LabeledData.Split split = all.stratifiedSplit(testFraction, seed);
            return new Sets(Frames.of(spark, split.train(), partitions), Frames.of(spark, split.test(), partitions),
                    indexNames(all.classes()), all.features().rows());
        }
        LabeledFrame all = read(spark, c, c.get("data.path"), c.get("data.labelsPath"), null);
        long count = all.frame().count();
        int partitions = partitions(spark, c, count, testFraction);
        requirePartitions(partitions, count);
        Dataset<Row> train;
        Dataset<Row> test;
        if (!c.get("data.testPath").isEmpty()) {
            LabeledFrame t = read(spark, c, c.get("data.testPath"), c.get("data.testLabelsPath"), all.classNames());
            if (t.numFeatures() != all.numFeatures()) {
                throw new IllegalArgumentException("test data " + c.get("data.testPath") + " has " + t.numFeatures()
                        + " features, training data " + all.numFeatures());
            }
            train = all.frame();
            test = t.frame();
        } else {
            Dataset<Row> withId = all.frame().withColumn("_row", functions.monotonically_increasing_id());
            Map<Double, Double> fractions = new HashMap<>();
            List<Row> labels = withId.select("label").distinct().collectAsList();
            for (Row r : labels) {
                fractions.put(r.getDouble(0), 1 - testFraction);
            }
            train = withId.stat().sampleBy("label", fractions, seed);
            test = withId.join(train.select("_row"), withId.col("_row").equalTo(train.col("_row")), "left_anti");
            train = train.drop("_row");
            test = test.drop("_row");
        }
        return new Sets(train.repartition(partitions), test.repartition(partitions), all.classNames(),
                all.numFeatures());
    }

    /**
     * One labelled data set in the configured format (for predict and evaluate), its labels indexed
     * by {@code classes} (the model's class names, so that label k means what it meant in training),
     * or by its own labels when {@code classes} is null.
     */
    static LabeledFrame read(SparkSession spark, JobConfig c, String path, String labelsPath, String[] classes)
            throws IOException {
        return read(spark, c, path, labelsPath, classes, -1);
    }

    /**
     * As above; with {@code modelInputs >= 0}, data to predict, whose labels are optional: csv without
     * the label column, parquet without it, idx without a labels file, and csv-label-last whose lines
     * hold exactly {@code modelInputs} values (one more: the last is the label) are read as features only.
     */
    static LabeledFrame read(SparkSession spark, JobConfig c, String path, String labelsPath, String[] classes,
                             int modelInputs) throws IOException {
        if (c.get("data.format").equals("csv-label-last")) {
            if (modelInputs >= 0) {
                LabeledFrame features = readFeaturesOnly(spark, path, modelInputs, classes);
                if (features != null) {
                    return features;
                }
            }
            LabeledData data = readLabelLast(spark, path);
            if (classes != null && data.classes() > classes.length) {
                throw new IllegalArgumentException(path + ": label " + (data.classes() - 1) + " is not one of the model's "
                        + classes.length + " classes (0 to " + (classes.length - 1) + ")");
            }
            return new LabeledFrame(Frames.of(spark, data, spark.sparkContext().defaultParallelism()),
                    indexNames(data.classes()), data.features().rows());
        }
        java.util.Set<String> ignore = new java.util.HashSet<>();
        for (String name : c.get("data.ignoreColumns").split(",")) {
            if (!name.isBlank()) {
                ignore.add(name.trim());
            }
        }
        return DataReaders.read(spark, new DataSource(path, c.get("data.format"), c.get("data.labelColumn"),
                c.get("data.featuresColumn"), c.integer("data.numFeatures"), labelsPath, modelInputs >= 0, ignore,
                c.get("data.weightColumn")),
                true, classes);
    }

    /**
     * Headerless CSV whose lines hold exactly {@code width} numbers, as features only; null when the
     * first line holds another count (then the last value is a label). Errors name the file and line.
     */
    private static LabeledFrame readFeaturesOnly(SparkSession spark, String path, int width, String[] classes)
            throws IOException {
        Matrix x = readOnDriver(spark, path, (in, name) -> LabeledData.readFeatureCsv(in, name, width));
        if (x == null) {
            return null;
        }
        List<Row> rows = new java.util.ArrayList<>(x.cols());
        for (int c = 0; c < x.cols(); c++) {
            rows.add(org.apache.spark.sql.RowFactory.create(
                    org.apache.spark.ml.linalg.Vectors.dense(x.columns(c, c + 1).data())));
        }
        return new LabeledFrame(spark.createDataFrame(rows, DataReaders.FEATURES_ONLY)
                .repartition(spark.sparkContext().defaultParallelism()), classes, width);
    }

    private static LabeledData readLabelLast(SparkSession spark, String path) throws IOException {
        return readOnDriver(spark, path, LabeledData::readCsv);
    }

    /** How a file read on the driver becomes data: from the stream and the name errors give. */
    private interface DriverRead<T> {
        T read(java.io.InputStream in, String name) throws IOException;
    }

    /** A (Hadoop) file read whole on the driver, as the small csv-label-last data is. */
    private static <T> T readOnDriver(SparkSession spark, String path, DriverRead<T> read) throws IOException {
        String resolved = IdlJob.resolve(path);
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(resolved);
        try (FSDataInputStream in = p.getFileSystem(spark.sparkContext().hadoopConfiguration()).open(p)) {
            return read.read(in, resolved);
        } catch (java.io.FileNotFoundException e) {
            throw new IllegalArgumentException("data file " + resolved + " does not exist");
        }
    }

    /** More partitions than points would only run empty tasks (thousands of them, for nothing). */
    private static void requirePartitions(int partitions, long points) {
        if (partitions > points) {
            throw new IllegalArgumentException("data.partitions = " + partitions + " is more than the " + points
                    + " data points; use at most " + points + " (0: one per core)");
        }
    }

    private static String[] indexNames(int classes) {
        String[] names = new String[classes];
        for (int i = 0; i < classes; i++) {
            names[i] = Integer.toString(i);
        }
        return names;
    }
}
