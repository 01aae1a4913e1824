package org.idl.spark.io;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.idl.spark.train.TrainingData;

import java.io.IOException;
import java.io.Serializable;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads labelled data in LIBSVM, CSV (with a header), Parquet or IDX (MNIST) format through Hadoop
 * FileSystem paths (a file, or a directory of part files): a reader per format parses the records,
 * then the checks and the frame are common. Every record is checked on the executors, where a bad
 * one becomes an error marker ({@link ParsedRecord}); the driver then reports the first error in
 * file order, with the file, the line (or record) and what is wrong, as an IllegalArgumentException.
 * Class labels may be text: they are mapped to indices 0..K-1 by {@link Labels#classes}.
 */
public final class DataReaders {
    private DataReaders() {
    }

    static final StructType SCHEMA = new StructType()
            .add("features", SQLDataTypes.VectorType(), false)
            .add("label", DataTypes.DoubleType, false);
    /** Labelled data with a weight column. */
    static final StructType WEIGHTED = SCHEMA.add("weight", DataTypes.DoubleType, false);
    /** The frame of data read without labels. */
    public static final StructType FEATURES_ONLY = new StructType().add("features", SQLDataTypes.VectorType(), false);

    /**
     * More distinct labels than this, when classifying, is taken for a numeric target read by mistake;
     * the labels are collected on the driver, so there must be a bound.
     */
    static final int MAX_CLASSES = TrainingData.MAX_CLASSES;

    /** Input order: file, then line. */
    private static final Comparator<ParsedRecord> ORDER = (Comparator<ParsedRecord> & Serializable)
            (a, b) -> a.file() != b.file() ? Integer.compare(a.file(), b.file()) : Long.compare(a.line(), b.line());

    /**
     * The data as a frame of (features, label), checked: a Spark job runs here, and the first problem
     * of the input fails the call.
     *
     * @param classification true: labels (numbers or text) become class indices 0..K-1, named by
     *                       {@link LabeledFrame#classNames()}; false: labels must be numbers and are kept
     * @throws IllegalArgumentException naming the file, the line or record, and what is wrong
     */
    public static LabeledFrame read(SparkSession spark, DataSource source, boolean classification) throws IOException {
        return read(spark, source, classification, null);
    }

    /**
     * Reads labelled data whose labels must be among {@code classes} (a model's class names, in its
     * class-index order), so that a label means the same class as in training whichever labels the
     * file holds; a label outside them is an error naming it. {@code classes} null: the file's own
     * labels define the classes.
     */
    public static LabeledFrame read(SparkSession spark, DataSource source, boolean classification, String[] classes)
            throws IOException {
        Path path = new Path(source.path());
        FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!fs.exists(path)) {
            throw new IllegalArgumentException("data " + source.path() + " does not exist");
        }
        List<String> files = source.format().equals("libsvm") || source.format().equals("csv")
                ? TextFiles.list(fs, source.path()) : null;
        JavaRDD<ParsedRecord> parsed = switch (source.format()) {
            case "libsvm" -> LibsvmReader.read(spark, source, files, classification);
            case "csv" -> CsvReader.read(spark, source, files, classification);
            case "parquet" -> ParquetReader.read(spark, source, classification);
            default -> IdxReader.read(spark, source);
        };
        parsed = parsed.cache();
        try {
            return finish(spark, source, parsed, files, classes, classification);
        } finally {
            parsed.unpersist(false);
        }
    }

    private static LabeledFrame finish(SparkSession spark, DataSource source, JavaRDD<ParsedRecord> parsed,
                                       List<String> files, String[] known,
                                       boolean classification) {
        List<ParsedRecord> errors = parsed.filter(p -> p.error() != null).takeOrdered(1, ORDER);
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(errors.get(0).error());
        }
        if (parsed.isEmpty()) {
            throw new IllegalArgumentException(source.path() + ": no data");
        }
        int size = numFeatures(source, parsed);
        if (size == 0) {
            throw new IllegalArgumentException(source.path() + ": no features, only labels");
        }
        boolean resize = source.format().equals("libsvm");
        boolean weighted = !source.weightColumn().isEmpty();
        JavaRDD<Row> rows;
        String[] names = null;
        if (parsed.first().label() == null) { // data to predict (source.labelsOptional()): features only
            rows = parsed.map(p -> RowFactory.create(resize ? resize(p.features(), size) : p.features()));
            return new LabeledFrame(spark.createDataFrame(rows, FEATURES_ONLY), known, size);
        }
        if (classification) {
            List<String> labels = parsed.map(ParsedRecord::label).distinct().take(MAX_CLASSES + 1);
            if (labels.size() > MAX_CLASSES) {
                throw new IllegalArgumentException(source.path() + ": more than " + MAX_CLASSES
                        + " distinct labels; is the label a numeric target (regression)?");
            }
            requireOneKindOfLabel(source, parsed, labels, files);
            if (labels.size() == 1 && known == null) {
                throw new IllegalArgumentException(source.path() + ": every label is '" + labels.get(0)
                        + "'; classification needs at least 2 classes");
            }
            Map<String, Integer> index = new HashMap<>();
            names = known == null ? Labels.classes(labels, index) : Labels.among(known, labels, index, source.path());
            rows = parsed.map(p -> row(resize ? resize(p.features(), size) : p.features(), index.get(p.label()),
                    p.weight(), weighted));
        } else {
            rows = parsed.map(p -> row(resize ? resize(p.features(), size) : p.features(), Double.parseDouble(p.label()),
                    p.weight(), weighted));
        }
        return new LabeledFrame(spark.createDataFrame(rows, weighted ? WEIGHTED : SCHEMA), names, size);
    }

    /**
     * Labels are all numbers or all class names: a mix is most often a stray file or line among the
     * data (a note, a header), which would otherwise become a class of its own. Names the first one.
     */
    private static void requireOneKindOfLabel(DataSource source, JavaRDD<ParsedRecord> parsed, List<String> labels,
                                              List<String> files) {
        boolean numbers = labels.stream().anyMatch(Labels::isNumber);
        List<String> names = labels.stream().filter(l -> !Labels.isNumber(l)).toList();
        if (numbers && !names.isEmpty()) {
            java.util.Set<String> odd = new java.util.HashSet<>(names);
            ParsedRecord first = parsed.filter(p -> odd.contains(p.label())).takeOrdered(1, ORDER).get(0);
            String where = source.path() + ": record " + first.line();
            if (files != null) {
                where = files.get(first.file()) + ":" + first.line();
            }
            throw new IllegalArgumentException(where + ": the label '" + first.label()
                    + "' is not a number, the other labels are; a stray file or line in the data?");
        }
    }

    /**
     * The number of features: for LIBSVM, numFeatures or else the largest index; for the others the
     * size every record must have (the first record's), else the first record of another size is named.
     */
    private static int numFeatures(DataSource source, JavaRDD<ParsedRecord> parsed) {
        if (source.format().equals("libsvm")) {
            return source.numFeatures() > 0 ? source.numFeatures()
                    : parsed.map(p -> p.features().size()).fold(0, Math::max);
        }
        List<Integer> sizes = parsed.map(p -> p.features().size()).distinct().take(2);
        if (sizes.size() == 1) {
            return sizes.get(0);
        }
        ParsedRecord first = parsed.takeOrdered(1, ORDER).get(0);
        int expected = first.features().size();
        ParsedRecord other = parsed.filter(p -> p.features().size() != expected).takeOrdered(1, ORDER).get(0);
        throw new IllegalArgumentException(source.path() + ": record " + other.line() + " has "
                + other.features().size() + " features, record " + first.line() + " has " + expected);
    }

    private static Row row(Vector features, double label, double weight, boolean weighted) {
        return weighted ? RowFactory.create(features, label, weight) : RowFactory.create(features, label);
    }

    private static Vector resize(Vector v, int size) {
        if (v.size() == size) {
            return v;
        }
        org.apache.spark.ml.linalg.SparseVector s = v.toSparse();
        return Vectors.sparse(size, s.indices(), s.values());
    }
}
