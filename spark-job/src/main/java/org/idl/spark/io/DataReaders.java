package org.idl.spark.io;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

import java.io.DataInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads labelled data in LIBSVM, CSV (with a header), Parquet or IDX (MNIST) format through Hadoop
 * FileSystem paths. Every record is checked on the executors, where a bad one becomes an error
 * marker rather than an exception; the driver then reports the first error, with the file, the line
 * (or record) and what is wrong, as an IllegalArgumentException. Class labels may be text: they are
 * mapped to indices 0..K-1 in sorted order (numeric order when every label is a number).
 */
public final class DataReaders {
    private DataReaders() {
    }

    static final StructType SCHEMA = new StructType()
            .add("features", SQLDataTypes.VectorType(), false)
            .add("label", DataTypes.DoubleType, false);

    /** One parsed record: features and label text, or an error (line numbers are 1-based). */
    record Parsed(Vector features, String label, String error, long line) implements Serializable {
        static Parsed error(long line, String what) {
            return new Parsed(null, null, what, line);
        }
    }

    public static LabeledFrame read(SparkSession spark, DataSource source, boolean classification) throws IOException {
        Path path = new Path(source.path());
        FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!fs.exists(path)) {
            throw new IllegalArgumentException("data " + source.path() + " does not exist");
        }
        JavaRDD<Parsed> parsed = switch (source.format()) {
            case "libsvm" -> libsvm(spark, source);
            case "csv" -> csv(spark, source);
            case "parquet" -> parquet(spark, source);
            default -> idx(spark, source, fs);
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
        List<Parsed> errors = parsed.filter(p -> p.error() != null)
                .takeOrdered(1, (java.util.Comparator<Parsed> & Serializable) (a, b) -> Long.compare(a.line(), b.line()));
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(source.path() + ": " + errors.get(0).error());
        }
        long count = parsed.count();
        if (count == 0) {
            throw new IllegalArgumentException(source.path() + ": no data");
        }
        List<Integer> sizes = parsed.map(p -> p.features().size()).distinct().collect();
        if (sizes.size() != 1) {
            throw new IllegalArgumentException(source.path() + ": records have different numbers of features: "
                    + sizes.stream().sorted().toList());
        }
        List<String> labels = parsed.map(Parsed::label).distinct().collect();
        String[] names = null;
        JavaRDD<Row> rows;
        if (classification) {
            names = sortLabels(labels);
            List<String> order = Arrays.asList(names);
            rows = parsed.map(p -> RowFactory.create(p.features(), (double) order.indexOf(p.label())));
        } else {
            for (String l : labels) {
                if (!isNumber(l)) {
                    throw new IllegalArgumentException(source.path() + ": label '" + l + "' is not a number");
                }
            }
            rows = parsed.map(p -> RowFactory.create(p.features(), Double.parseDouble(p.label())));
        }
        return new LabeledFrame(spark.createDataFrame(rows, SCHEMA), names, sizes.get(0));
    }

    /** Numeric order when every label is a number, else text order. */
    static String[] sortLabels(List<String> labels) {
        String[] names = labels.toArray(new String[0]);
        if (labels.stream().allMatch(DataReaders::isNumber)) {
            Arrays.sort(names, (a, b) -> Double.compare(Double.parseDouble(a), Double.parseDouble(b)));
        } else {
            Arrays.sort(names);
        }
        return names;
    }

    private static boolean isNumber(String s) {
        try {
            return Double.isFinite(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Text lines with their 1-based line numbers. */
    private static JavaPairRDD<String, Long> lines(SparkSession spark, String path) {
        return JavaSparkContext.fromSparkContext(spark.sparkContext()).textFile(path).zipWithIndex()
                .mapValues(i -> i + 1);
    }

    /** {@code label index:value ...}, 1-based ascending indices; # comments and blank lines skipped. */
    private static JavaRDD<Parsed> libsvm(SparkSession spark, DataSource source) {
        String file = source.path();
        int fixed = source.numFeatures();
        JavaRDD<Parsed> raw = lines(spark, file).filter(t -> !t._1().isBlank() && !t._1().startsWith("#"))
                .map(t -> parseLibsvm(file, t._1(), t._2(), fixed));
        if (fixed > 0) {
            return raw;
        }
        raw = raw.cache();
        int max = raw.filter(p -> p.error() == null).map(p -> p.features().size()).fold(0, Math::max);
        return raw.map(p -> p.error() != null ? p : new Parsed(resize(p.features(), max), p.label(), null, p.line()));
    }

    private static Vector resize(Vector v, int size) {
        org.apache.spark.ml.linalg.SparseVector s = v.toSparse();
        return Vectors.sparse(size, s.indices(), s.values());
    }

    static Parsed parseLibsvm(String file, String line, long lineNo, int numFeatures) {
        String at = file + ":" + lineNo + ": ";
        String[] tokens = line.trim().split("\\s+");
        String label = tokens[0];
        if (!isNumber(label) && !label.matches("[A-Za-z_][\\w.-]*")) {
            return Parsed.error(lineNo, at + "label '" + label + "' is neither a number nor a class name");
        }
        int[] indices = new int[tokens.length - 1];
        double[] values = new double[tokens.length - 1];
        int previous = 0;
        for (int k = 1; k < tokens.length; k++) {
            String token = tokens[k];
            int colon = token.indexOf(':');
            if (colon <= 0) {
                return Parsed.error(lineNo, at + "'" + token + "' is not index:value");
            }
            int index;
            double value;
            try {
                index = Integer.parseInt(token.substring(0, colon));
                value = Double.parseDouble(token.substring(colon + 1));
            } catch (NumberFormatException e) {
                return Parsed.error(lineNo, at + "'" + token + "' is not index:value with numbers");
            }
            if (index < 1) {
                return Parsed.error(lineNo, at + "feature index " + index + " in '" + token + "' is below 1");
            }
            if (index <= previous) {
                return Parsed.error(lineNo, at + "feature index " + index + " does not ascend (after " + previous + ")");
            }
            if (numFeatures > 0 && index > numFeatures) {
                return Parsed.error(lineNo, at + "feature index " + index + " is beyond numFeatures = " + numFeatures);
            }
            if (!Double.isFinite(value)) {
                return Parsed.error(lineNo, at + "feature " + index + " is " + value);
            }
            indices[k - 1] = index - 1;
            values[k - 1] = value;
            previous = index;
        }
        int size = numFeatures > 0 ? numFeatures : previous;
        return new Parsed(Vectors.sparse(size, indices, values), label, null, lineNo);
    }

    /** A header line, then one record per line; every column but the label is a numeric feature. */
    private static JavaRDD<Parsed> csv(SparkSession spark, DataSource source) {
        String file = source.path();
        JavaPairRDD<String, Long> lines = lines(spark, file);
        List<Tuple2<String, Long>> first = lines.take(1);
        if (first.isEmpty()) {
            throw new IllegalArgumentException(file + ": no data");
        }
        String[] header = first.get(0)._1().split(",", -1);
        for (int i = 0; i < header.length; i++) {
            header[i] = header[i].trim();
        }
        int labelIndex = Arrays.asList(header).indexOf(source.labelColumn());
        if (labelIndex < 0) {
            throw new IllegalArgumentException(file + ":1: no label column '" + source.labelColumn() + "' in the header "
                    + Arrays.toString(header));
        }
        String headerLine = first.get(0)._1();
        return lines.filter(t -> t._2() > 1 && !t._1().isBlank() && !(t._1().equals(headerLine)))
                .map(t -> parseCsv(file, t._1(), t._2(), header, labelIndex));
    }

    static Parsed parseCsv(String file, String line, long lineNo, String[] header, int labelIndex) {
        String[] fields = line.split(",", -1);
        if (fields.length != header.length) {
            return Parsed.error(lineNo, file + ":" + lineNo + ": " + fields.length + " fields, the header has "
                    + header.length);
        }
        double[] features = new double[header.length - 1];
        int f = 0;
        for (int i = 0; i < fields.length; i++) {
            if (i == labelIndex) {
                continue;
            }
            String text = fields[i].trim();
            double v;
            try {
                v = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                return Parsed.error(lineNo, file + ":" + lineNo + ": column '" + header[i] + "' holds '" + text
                        + "', not a number");
            }
            if (!Double.isFinite(v)) {
                return Parsed.error(lineNo, file + ":" + lineNo + ": column '" + header[i] + "' is " + text);
            }
            features[f++] = v;
        }
        String label = fields[labelIndex].trim();
        if (label.isEmpty()) {
            return Parsed.error(lineNo, file + ":" + lineNo + ": empty label");
        }
        return new Parsed(Vectors.dense(features), label, null, lineNo);
    }

    /** A vector (or array of doubles) column and a numeric or text label column. */
    private static JavaRDD<Parsed> parquet(SparkSession spark, DataSource source) {
        Dataset<Row> df = spark.read().parquet(source.path());
        StructType schema = df.schema();
        String featuresCol = source.featuresColumn();
        String labelCol = source.labelColumn();
        for (String c : new String[]{featuresCol, labelCol}) {
            if (schema.getFieldIndex(c).isEmpty()) {
                throw new IllegalArgumentException(source.path() + ": no column '" + c + "' in " + schema.simpleString());
            }
        }
        var featuresType = schema.apply(featuresCol).dataType();
        boolean vector = featuresType instanceof VectorUDT;
        if (!vector && !(featuresType instanceof ArrayType a && a.elementType() instanceof NumericType)) {
            throw new IllegalArgumentException(source.path() + ": column '" + featuresCol
                    + "' must hold vectors or arrays of numbers, it holds " + featuresType.simpleString());
        }
        String file = source.path();
        return df.select(featuresCol, labelCol).toJavaRDD().zipWithIndex().map(t -> {
            Row row = t._1();
            long record = t._2() + 1;
            String at = file + ": record " + record + ": ";
            if (row.isNullAt(0) || row.isNullAt(1)) {
                return Parsed.error(record, at + "null " + (row.isNullAt(0) ? featuresCol : labelCol));
            }
            Vector v;
            if (vector) {
                v = row.getAs(0);
            } else {
                List<Object> values = row.getList(0);
                double[] d = new double[values.size()];
                for (int i = 0; i < d.length; i++) {
                    if (values.get(i) == null) {
                        return Parsed.error(record, at + "null feature " + i);
                    }
                    d[i] = ((Number) values.get(i)).doubleValue();
                }
                v = Vectors.dense(d);
            }
            double[] values = v.toArray();
            for (int i = 0; i < values.length; i++) {
                if (!Double.isFinite(values[i])) {
                    return Parsed.error(record, at + "feature " + i + " is " + values[i]);
                }
            }
            String label = row.get(1).toString();
            if (row.get(1) instanceof Number n && !Double.isFinite(n.doubleValue())) {
                return Parsed.error(record, at + "label is " + label);
            }
            if (row.get(1) instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
                label = Long.toString((long) n.doubleValue());
            }
            return new Parsed(v, label, null, record);
        });
    }

    /** MNIST's IDX files: images (magic 2051, uint8 n x rows x cols) and labels (magic 2049, uint8 n). */
    private static JavaRDD<Parsed> idx(SparkSession spark, DataSource source, FileSystem fs) throws IOException {
        byte[][] images;
        int[] dims;
        try (DataInputStream in = open(fs, source.path())) {
            int magic = in.readInt();
            if (magic != 0x00000803) {
                throw new IllegalArgumentException(source.path() + ": magic number " + magic
                        + " is not that of IDX images (2051)");
            }
            dims = new int[]{in.readInt(), in.readInt(), in.readInt()};
            if (dims[0] < 0 || dims[1] <= 0 || dims[2] <= 0) {
                throw new IllegalArgumentException(source.path() + ": bad dimensions " + Arrays.toString(dims));
            }
            images = new byte[dims[0]][dims[1] * dims[2]];
            for (int i = 0; i < dims[0]; i++) {
                try {
                    in.readFully(images[i]);
                } catch (java.io.EOFException e) {
                    throw new IllegalArgumentException(source.path() + ": ends in image " + (i + 1) + " of " + dims[0]);
                }
            }
        }
        byte[] labels;
        try (DataInputStream in = open(fs, source.labelsPath())) {
            int magic = in.readInt();
            if (magic != 0x00000801) {
                throw new IllegalArgumentException(source.labelsPath() + ": magic number " + magic
                        + " is not that of IDX labels (2049)");
            }
            int n = in.readInt();
            if (n != dims[0]) {
                throw new IllegalArgumentException(source.labelsPath() + ": " + n + " labels for " + dims[0]
                        + " images in " + source.path());
            }
            labels = new byte[n];
            try {
                in.readFully(labels);
            } catch (java.io.EOFException e) {
                throw new IllegalArgumentException(source.labelsPath() + ": ends before its " + n + " labels");
            }
        }
        List<Parsed> parsed = new ArrayList<>(dims[0]);
        for (int i = 0; i < dims[0]; i++) {
            double[] pixels = new double[images[i].length];
            for (int k = 0; k < pixels.length; k++) {
                pixels[k] = images[i][k] & 0xff;
            }
            parsed.add(new Parsed(Vectors.dense(pixels), Integer.toString(labels[i] & 0xff), null, i + 1));
        }
        return JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(parsed, Math.max(1, spark.sparkContext().defaultParallelism()));
    }

    private static DataInputStream open(FileSystem fs, String file) throws IOException {
        try {
            FSDataInputStream raw = fs.open(new Path(file));
            InputStream in = file.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
            return new DataInputStream(new java.io.BufferedInputStream(in));
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException("data " + file + " does not exist");
        }
    }
}
