package org.idl.spark.io;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * Reads labelled data in LIBSVM, CSV (with a header), Parquet or IDX (MNIST) format through Hadoop
 * FileSystem paths (a file, or a directory of part files). Every record is checked on the executors,
 * where a bad one becomes an error marker rather than an exception (an exception would reach the
 * driver wrapped in a SparkException, after retries); the driver then reports the first error in
 * file order, with the file, the line (or record) and what is wrong, as an IllegalArgumentException.
 * Class labels may be text: they are mapped to indices 0..K-1 in sorted order (numeric order when
 * every label is a number, and then "1" and "1.0" are one class).
 */
public final class DataReaders {
    private DataReaders() {
    }

    static final StructType SCHEMA = new StructType()
            .add("features", SQLDataTypes.VectorType(), false)
            .add("label", DataTypes.DoubleType, false);

    /**
     * More distinct labels than this, when classifying, is taken for a numeric target read by mistake;
     * the labels are collected on the driver, so there must be a bound.
     */
    static final int MAX_CLASSES = 10_000;

    /** IDX images are read by the executors in slices of about this many bytes. */
    private static final long IDX_SLICE_BYTES = 4L << 20;

    /** Larger images than this (pixels) mean a corrupt IDX header. */
    private static final long IDX_MAX_PIXELS = 1L << 24;

    /**
     * One parsed record: features and label text, or an error whose text starts with where it is.
     * {@code file} (the index of the input file) and {@code line} (1-based line or record number)
     * order the records, so the first error of the input is the one reported.
     */
    record Parsed(Vector features, String label, String error, int file, long line) implements Serializable {
        static Parsed error(int file, long line, String what) {
            return new Parsed(null, null, what, file, line);
        }
    }

    /** Input order: file, then line. */
    private static final Comparator<Parsed> ORDER = (Comparator<Parsed> & Serializable)
            (a, b) -> a.file() != b.file() ? Integer.compare(a.file(), b.file()) : Long.compare(a.line(), b.line());

    /** Parses one text line of the {@code file}-th input file; null for a line without a record. */
    private interface LineParser extends Serializable {
        Parsed parse(int file, String name, long line, String text);
    }

    /**
     * The data as a frame of (features, label), checked: a Spark job runs here, and the first problem
     * of the input fails the call.
     *
     * @param classification true: labels (numbers or text) become class indices 0..K-1, named by
     *                       {@link LabeledFrame#classNames()}; false: labels must be numbers and are kept
     * @throws IllegalArgumentException naming the file, the line or record, and what is wrong
     */
    public static LabeledFrame read(SparkSession spark, DataSource source, boolean classification) throws IOException {
        Path path = new Path(source.path());
        FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!fs.exists(path)) {
            throw new IllegalArgumentException("data " + source.path() + " does not exist");
        }
        JavaRDD<Parsed> parsed = switch (source.format()) {
            case "libsvm" -> libsvm(spark, source, textFiles(fs, source.path()), classification);
            case "csv" -> csv(spark, source, textFiles(fs, source.path()), classification);
            case "parquet" -> parquet(spark, source, classification);
            default -> idx(spark, source);
        };
        parsed = parsed.cache();
        try {
            return finish(spark, source, parsed, classification);
        } finally {
            parsed.unpersist(false);
        }
    }

    private static LabeledFrame finish(SparkSession spark, DataSource source, JavaRDD<Parsed> parsed,
                                       boolean classification) {
        List<Parsed> errors = parsed.filter(p -> p.error() != null).takeOrdered(1, ORDER);
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
        JavaRDD<Row> rows;
        String[] names = null;
        if (classification) {
            List<String> labels = parsed.map(Parsed::label).distinct().take(MAX_CLASSES + 1);
            if (labels.size() > MAX_CLASSES) {
                throw new IllegalArgumentException(source.path() + ": more than " + MAX_CLASSES
                        + " distinct labels; is the label a numeric target (regression)?");
            }
            Map<String, Integer> index = new HashMap<>();
            names = classes(labels, index);
            rows = parsed.map(p -> RowFactory.create(resize ? resize(p.features(), size) : p.features(),
                    (double) index.get(p.label())));
        } else {
            rows = parsed.map(p -> RowFactory.create(resize ? resize(p.features(), size) : p.features(),
                    Double.parseDouble(p.label())));
        }
        return new LabeledFrame(spark.createDataFrame(rows, SCHEMA), names, size);
    }

    /**
     * The number of features: for LIBSVM, numFeatures or else the largest index; for the others the
     * size every record must have (the first record's), else the first record of another size is named.
     */
    private static int numFeatures(DataSource source, JavaRDD<Parsed> parsed) {
        if (source.format().equals("libsvm")) {
            return source.numFeatures() > 0 ? source.numFeatures()
                    : parsed.map(p -> p.features().size()).fold(0, Math::max);
        }
        List<Integer> sizes = parsed.map(p -> p.features().size()).distinct().take(2);
        if (sizes.size() == 1) {
            return sizes.get(0);
        }
        Parsed first = parsed.takeOrdered(1, ORDER).get(0);
        int expected = first.features().size();
        Parsed other = parsed.filter(p -> p.features().size() != expected).takeOrdered(1, ORDER).get(0);
        throw new IllegalArgumentException(source.path() + ": record " + other.line() + " has "
                + other.features().size() + " features, record " + first.line() + " has " + expected);
    }

    private static Vector resize(Vector v, int size) {
        if (v.size() == size) {
            return v;
        }
        org.apache.spark.ml.linalg.SparseVector s = v.toSparse();
        return Vectors.sparse(size, s.indices(), s.values());
    }

    /**
     * Class names in class-index order, and the index of every label text in {@code index}. When
     * every label is a number, classes are numbers in numeric order and spellings of one number
     * ("1", "1.0", "+1") are one class, named by its spelling if it has only one, else by the number.
     */
    static String[] classes(List<String> labels, Map<String, Integer> index) {
        if (labels.stream().allMatch(DataReaders::isNumber)) {
            TreeMap<Double, List<String>> byValue = new TreeMap<>();
            for (String l : labels) {
                byValue.computeIfAbsent(Double.parseDouble(l), v -> new ArrayList<>()).add(l);
            }
            String[] names = new String[byValue.size()];
            int k = 0;
            for (Map.Entry<Double, List<String>> e : byValue.entrySet()) {
                names[k] = e.getValue().size() == 1 ? e.getValue().get(0) : numberText(e.getKey());
                for (String l : e.getValue()) {
                    index.put(l, k);
                }
                k++;
            }
            return names;
        }
        String[] names = labels.toArray(new String[0]);
        Arrays.sort(names);
        for (int k = 0; k < names.length; k++) {
            index.put(names[k], k);
        }
        return names;
    }

    /** 1.0 as "1", 0.5 as "0.5". */
    private static String numberText(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static boolean isNumber(String s) {
        try {
            return Double.isFinite(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * What is wrong with a label, or null: a numeric target must be a finite number; a class label
     * must not be empty, nor NaN or infinite.
     */
    static String labelProblem(String label, boolean classification) {
        if (label.isEmpty()) {
            return "empty label";
        }
        double value;
        try {
            value = Double.parseDouble(label);
        } catch (NumberFormatException e) {
            return classification ? null : "label '" + label + "' is not a number";
        }
        return Double.isFinite(value) ? null : "label '" + label + "' is not a finite number";
    }

    /**
     * The text files to read: the path itself, or the files of a directory in name order (names
     * starting with _ or ., such as _SUCCESS and .crc files, are not data). Each file keeps its own
     * line numbers in error messages.
     */
    static List<String> textFiles(FileSystem fs, String location) throws IOException {
        Path path = new Path(location);
        if (!fs.getFileStatus(path).isDirectory()) {
            return List.of(location);
        }
        List<String> files = new ArrayList<>();
        for (FileStatus s : fs.listStatus(path)) {
            String name = s.getPath().getName();
            if (name.startsWith("_") || name.startsWith(".")) {
                continue;
            }
            if (s.isDirectory()) {
                throw new IllegalArgumentException(location + ": holds the directory " + name
                        + "; give a file or a directory of files");
            }
            files.add(new Path(path, name).toString());
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(location + ": no data (no files in the directory)");
        }
        files.sort(null);
        return files;
    }

    /** The parsed lines of all files, each line numbered within its file (1-based). */
    private static JavaRDD<Parsed> parseLines(SparkSession spark, List<String> files, LineParser parser) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<JavaRDD<Parsed>> parts = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            int file = i;
            String name = files.get(i);
            parts.add(sc.textFile(name).zipWithIndex().map(t -> parser.parse(file, name, t._2() + 1, t._1()))
                    .filter(Objects::nonNull));
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        @SuppressWarnings("unchecked")
        JavaRDD<Parsed>[] all = parts.toArray(new JavaRDD[0]);
        return sc.union(all);
    }

    /** {@code label index:value ...}, 1-based ascending indices; # comments and blank lines skipped. */
    private static JavaRDD<Parsed> libsvm(SparkSession spark, DataSource source, List<String> files,
                                          boolean classification) {
        int numFeatures = source.numFeatures();
        return parseLines(spark, files, (file, name, line, text) -> {
            String trimmed = text.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                return null;
            }
            return parseLibsvm(file, name, line, trimmed, numFeatures, classification);
        });
    }

    /**
     * One LIBSVM line (not blank). The vector has numFeatures entries, or when that is 0 as many as
     * its largest index (the reader then widens all to the largest of the file).
     */
    static Parsed parseLibsvm(int file, String name, long line, String text, int numFeatures, boolean classification) {
        String at = name + ":" + line + ": ";
        String[] tokens = text.strip().split("\\s+");
        String label = tokens[0];
        String problem = labelProblem(label, classification);
        if (problem == null && !isNumber(label) && !label.matches("[A-Za-z_][\\w.-]*")) {
            problem = "label '" + label + "' is neither a number nor a class name";
        }
        if (problem != null) {
            return Parsed.error(file, line, at + problem);
        }
        int[] indices = new int[tokens.length - 1];
        double[] values = new double[tokens.length - 1];
        int previous = 0;
        for (int k = 1; k < tokens.length; k++) {
            String token = tokens[k];
            int colon = token.indexOf(':');
            if (colon <= 0) {
                return Parsed.error(file, line, at + "'" + token + "' is not index:value");
            }
            int index;
            double value;
            try {
                index = Integer.parseInt(token.substring(0, colon));
                value = Double.parseDouble(token.substring(colon + 1));
            } catch (NumberFormatException e) {
                return Parsed.error(file, line, at + "'" + token + "' is not index:value with numbers");
            }
            if (index < 1) {
                return Parsed.error(file, line, at + "feature index " + index + " in '" + token + "' is below 1");
            }
            if (index <= previous) {
                return Parsed.error(file, line, at + "feature index " + index + " in '" + token
                        + "' does not ascend (after " + previous + ")");
            }
            if (numFeatures > 0 && index > numFeatures) {
                return Parsed.error(file, line, at + "feature index " + index + " in '" + token
                        + "' is beyond numFeatures = " + numFeatures);
            }
            if (!Double.isFinite(value)) {
                return Parsed.error(file, line, at + "feature " + index + " is " + value + " in '" + token + "'");
            }
            indices[k - 1] = index - 1;
            values[k - 1] = value;
            previous = index;
        }
        int size = numFeatures > 0 ? numFeatures : previous;
        return new Parsed(Vectors.sparse(size, indices, values), label, null, file, line);
    }

    /**
     * A header line, then one record per line; every column but the label is a numeric feature.
     * Fields are split at commas (no quoting). In a directory every file starts with the same header
     * (as Spark writes CSV part files).
     */
    private static JavaRDD<Parsed> csv(SparkSession spark, DataSource source, List<String> files,
                                       boolean classification) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String headerLine = null;
        String headerFile = null;
        for (String f : files) {
            List<String> first = sc.textFile(f).take(1);
            if (!first.isEmpty()) {
                headerLine = first.get(0);
                headerFile = f;
                break;
            }
        }
        if (headerLine == null) {
            throw new IllegalArgumentException(source.path() + ": no data");
        }
        String[] header = headerLine.split(",", -1);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < header.length; i++) {
            header[i] = header[i].trim();
            if (!seen.add(header[i])) {
                throw new IllegalArgumentException(headerFile + ":1: column '" + header[i] + "' appears twice in the header "
                        + Arrays.toString(header));
            }
        }
        int labelIndex = Arrays.asList(header).indexOf(source.labelColumn());
        if (labelIndex < 0) {
            throw new IllegalArgumentException(headerFile + ":1: no label column '" + source.labelColumn()
                    + "' in the header " + Arrays.toString(header));
        }
        String expectedHeader = headerLine;
        String firstFile = headerFile;
        return parseLines(spark, files, (file, name, line, text) -> {
            if (line == 1) {
                return text.equals(expectedHeader) ? null : Parsed.error(file, line, name + ":1: the header '" + text
                        + "' differs from that of " + firstFile + ": '" + expectedHeader + "'");
            }
            return text.isBlank() ? null : parseCsv(file, name, line, text, header, labelIndex, classification);
        });
    }

    static Parsed parseCsv(int file, String name, long line, String text, String[] header, int labelIndex,
                           boolean classification) {
        String at = name + ":" + line + ": ";
        String[] fields = text.split(",", -1);
        if (fields.length != header.length) {
            return Parsed.error(file, line, at + fields.length + " fields, the header has " + header.length);
        }
        double[] features = new double[header.length - 1];
        int f = 0;
        for (int i = 0; i < fields.length; i++) {
            if (i == labelIndex) {
                continue;
            }
            String field = fields[i].trim();
            double v;
            try {
                v = Double.parseDouble(field);
            } catch (NumberFormatException e) {
                return Parsed.error(file, line, at + "column '" + header[i] + "' holds '" + field + "', not a number");
            }
            if (!Double.isFinite(v)) {
                return Parsed.error(file, line, at + "column '" + header[i] + "' is " + field);
            }
            features[f++] = v;
        }
        String label = fields[labelIndex].trim();
        String problem = labelProblem(label, classification);
        if (problem != null) {
            return Parsed.error(file, line, at + "column '" + header[labelIndex] + "': " + problem);
        }
        return new Parsed(Vectors.dense(features), label, null, file, line);
    }

    /** A vector (or array of numbers) column and a numeric or text label column. */
    private static JavaRDD<Parsed> parquet(SparkSession spark, DataSource source, boolean classification) {
        String path = source.path();
        Dataset<Row> df;
        try {
            df = spark.read().parquet(path);
        } catch (Exception e) {
            // Scala declares no exceptions, so javac does not let us catch AnalysisException by itself.
            if (e instanceof AnalysisException) {
                throw new IllegalArgumentException(path + ": cannot be read as Parquet: " + e.getMessage());
            }
            throw e;
        }
        StructType schema = df.schema();
        String featuresCol = source.featuresColumn();
        String labelCol = source.labelColumn();
        for (String c : new String[]{featuresCol, labelCol}) {
            if (schema.getFieldIndex(c).isEmpty()) {
                throw new IllegalArgumentException(path + ": no column '" + c + "' in " + schema.simpleString());
            }
        }
        DataType featuresType = schema.apply(featuresCol).dataType();
        boolean vector = featuresType instanceof VectorUDT;
        if (!vector && !(featuresType instanceof ArrayType a && a.elementType() instanceof NumericType)) {
            throw new IllegalArgumentException(path + ": column '" + featuresCol
                    + "' must hold vectors or arrays of numbers, it holds " + featuresType.simpleString());
        }
        DataType labelType = schema.apply(labelCol).dataType();
        if (!(labelType instanceof NumericType) && !(labelType instanceof StringType)) {
            throw new IllegalArgumentException(path + ": label column '" + labelCol
                    + "' must hold numbers or text, it holds " + labelType.simpleString());
        }
        return df.select(df.col(featuresCol), df.col(labelCol)).toJavaRDD().zipWithIndex()
                .map(t -> parquetRecord(t._1(), t._2() + 1, path, featuresCol, labelCol, vector, classification));
    }

    private static Parsed parquetRecord(Row row, long record, String path, String featuresCol, String labelCol,
                                        boolean vector, boolean classification) {
        String label = row.isNullAt(1) ? null : row.get(1) instanceof Number n ? numberLabel(n) : row.getString(1);
        String at = path + ": record " + record + (label == null ? "" : " (label " + label + ")") + ": ";
        if (label == null) {
            return Parsed.error(0, record, at + "null in column '" + labelCol + "'");
        }
        if (row.isNullAt(0)) {
            return Parsed.error(0, record, at + "null in column '" + featuresCol + "'");
        }
        Vector v;
        if (vector) {
            v = row.getAs(0);
        } else {
            List<Object> values = row.getList(0);
            double[] d = new double[values.size()];
            for (int i = 0; i < d.length; i++) {
                if (values.get(i) == null) {
                    return Parsed.error(0, record, at + "null feature " + i + " in column '" + featuresCol + "'");
                }
                d[i] = ((Number) values.get(i)).doubleValue();
            }
            v = Vectors.dense(d);
        }
        double[] values = v.toArray();
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                return Parsed.error(0, record, at + "feature " + i + " is " + values[i]);
            }
        }
        String problem = labelProblem(label, classification);
        if (problem != null) {
            return Parsed.error(0, record, at + problem);
        }
        return new Parsed(v, label, null, 0, record);
    }

    /** A numeric label as text: whole numbers without a fraction (3, not 3.0), so they name classes well. */
    private static String numberLabel(Number n) {
        double v = n.doubleValue();
        return Double.isFinite(v) ? numberText(v) : Double.toString(v);
    }

    /**
     * MNIST's IDX files: images (magic 2051 = 0x803, uint8 n x rows x cols) and labels (magic 2049 =
     * 0x801, uint8 n). The driver checks the headers; the executors read slices of the images
     * themselves (so neither the driver nor task messages carry the data), and a file that ends early
     * becomes an error marker like a bad line.
     */
    private static JavaRDD<Parsed> idx(SparkSession spark, DataSource source) throws IOException {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String imagesFile = source.path();
        String labelsFile = source.labelsPath();
        int n;
        int rows;
        int cols;
        try (DataInputStream in = open(hadoop, imagesFile)) {
            int magic = readInt(in, imagesFile);
            if (magic != 0x00000803) {
                throw new IllegalArgumentException(imagesFile + ": magic number " + magic
                        + " is not that of IDX images (2051 = 0x803)");
            }
            n = readInt(in, imagesFile);
            rows = readInt(in, imagesFile);
            cols = readInt(in, imagesFile);
        }
        if (n < 0 || rows <= 0 || cols <= 0 || (long) rows * cols > IDX_MAX_PIXELS) {
            throw new IllegalArgumentException(imagesFile + ": bad dimensions " + n + " x " + rows + " x " + cols);
        }
        try (DataInputStream in = open(hadoop, labelsFile)) {
            int magic = readInt(in, labelsFile);
            if (magic != 0x00000801) {
                throw new IllegalArgumentException(labelsFile + ": magic number " + magic
                        + " is not that of IDX labels (2049 = 0x801)");
            }
            int count = readInt(in, labelsFile);
            if (count != n) {
                throw new IllegalArgumentException(labelsFile + ": " + count + " labels for " + n
                        + " images in " + imagesFile);
            }
        }
        int size = rows * cols;
        checkLength(hadoop, imagesFile, 16, size, n, "image");
        checkLength(hadoop, labelsFile, 8, 1, n, "label");
        int slices = (int) Math.min(Math.max(1, n),
                Math.max(spark.sparkContext().defaultParallelism(), ((long) n * size + IDX_SLICE_BYTES - 1) / IDX_SLICE_BYTES));
        List<Integer> sliceIds = new ArrayList<>();
        for (int s = 0; s < slices; s++) {
            sliceIds.add(s);
        }
        SerializableConfiguration conf = new SerializableConfiguration(hadoop);
        int total = n;
        return JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(sliceIds, slices)
                .flatMap(s -> idxSlice(conf, imagesFile, labelsFile, total, size,
                        (int) ((long) total * s / slices), (int) ((long) total * (s + 1) / slices)).iterator());
    }

    /** Images {@code from} (inclusive) to {@code to} with their labels, or an error where a file ends. */
    private static List<Parsed> idxSlice(SerializableConfiguration conf, String imagesFile, String labelsFile, int n,
                                         int size, int from, int to) throws IOException {
        List<Parsed> out = new ArrayList<>(to - from);
        try (DataInputStream images = open(conf.value(), imagesFile);
             DataInputStream labels = open(conf.value(), labelsFile)) {
            byte[] pixels = new byte[size];
            int i = from;
            try {
                images.skipNBytes(16 + (long) from * size);
            } catch (EOFException e) {
                return List.of(Parsed.error(0, from + 1, imagesFile + ": ends before image " + (from + 1) + " of " + n));
            }
            try {
                labels.skipNBytes(8 + (long) from);
            } catch (EOFException e) {
                return List.of(Parsed.error(1, from + 1, labelsFile + ": ends before label " + (from + 1) + " of " + n));
            }
            for (; i < to; i++) {
                try {
                    images.readFully(pixels);
                } catch (EOFException e) {
                    out.add(Parsed.error(0, i + 1, imagesFile + ": ends in image " + (i + 1) + " of " + n));
                    break;
                }
                int label;
                try {
                    label = labels.readUnsignedByte();
                } catch (EOFException e) {
                    out.add(Parsed.error(1, i + 1, labelsFile + ": ends before label " + (i + 1) + " of " + n));
                    break;
                }
                double[] x = new double[size];
                for (int k = 0; k < size; k++) {
                    x[k] = pixels[k] & 0xff;
                }
                out.add(new Parsed(Vectors.dense(x), Integer.toString(label), null, 0, i + 1));
            }
        }
        return out;
    }

    /**
     * Whether a file can hold the records its header announces: a plain file must be long enough; a
     * gzip file cannot inflate by more than DEFLATE's maximum ratio (about 1032). So a corrupt header
     * fails here rather than launching a job for billions of records.
     */
    private static void checkLength(Configuration hadoop, String file, int header, int recordBytes, int n, String what)
            throws IOException {
        Path path = new Path(file);
        long length = path.getFileSystem(hadoop).getFileStatus(path).getLen();
        long needed = header + (long) n * recordBytes;
        if (file.endsWith(".gz")) {
            if (needed > 1032 * length + 1024) {
                throw new IllegalArgumentException(file + ": " + length + " bytes of gzip cannot hold " + n + " "
                        + what + "s of " + recordBytes + " bytes");
            }
        } else if (length < needed) {
            throw new IllegalArgumentException(file + ": ends in " + what + " " + ((length - header) / recordBytes + 1)
                    + " of " + n + " (" + length + " bytes, " + needed + " needed)");
        }
    }

    private static int readInt(DataInputStream in, String file) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new IllegalArgumentException(file + ": ends in the IDX header");
        }
    }

    /** A file through its Hadoop FileSystem, gunzipped when its name ends with .gz. */
    private static DataInputStream open(Configuration hadoop, String file) throws IOException {
        Path path = new Path(file);
        FSDataInputStream raw;
        try {
            raw = path.getFileSystem(hadoop).open(path);
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException("data " + file + " does not exist");
        }
        try {
            InputStream in = file.endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
            return new DataInputStream(new BufferedInputStream(in, 1 << 16));
        } catch (IOException e) {
            raw.close();
            throw new IllegalArgumentException(file + ": not a gzip file (" + e.getMessage() + ")");
        }
    }
}
