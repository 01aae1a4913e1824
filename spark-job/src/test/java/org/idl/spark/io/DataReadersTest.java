package org.idl.spark.io;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.idl.spark.SparkSessionTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DataReaders} on small files of each format: the frame's schema, values, vector sizes and
 * class names, in classification (labels become class indices) and regression (labels kept); and
 * malformed input, which must fail on the driver with an IllegalArgumentException naming the file,
 * the line (text formats) or record, and the offending text. Complements {@link DataFormatsTest}.
 * One local[2] session with Kryo registration required, as in the job.
 */
class DataReadersTest extends SparkSessionTest {
    // ---- helpers ----

    private static DataSource libsvm(Path file, int numFeatures) {
        return new DataSource(file.toString(), "libsvm", "label", "features", numFeatures, "");
    }

    private static DataSource csv(Path file, String labelColumn) {
        return new DataSource(file.toString(), "csv", labelColumn, "features", 0, "");
    }

    private static DataSource parquet(String path, String labelColumn, String featuresColumn) {
        return new DataSource(path, "parquet", labelColumn, featuresColumn, 0, "");
    }

    private static DataSource idx(Path images, Path labels) {
        return new DataSource(images.toString(), "idx", "label", "features", 0, labels.toString());
    }

    /** The rows ordered by their first feature (the tests make it unique). */
    private static List<Row> rows(LabeledFrame f) {
        return f.frame().collectAsList().stream()
                .sorted(Comparator.comparingDouble((Row r) -> ((Vector) r.get(0)).apply(0))).toList();
    }

    private static double[] features(Row r) {
        return ((Vector) r.get(0)).toArray();
    }

    private static double[] labels(List<Row> rows) {
        return rows.stream().mapToDouble(r -> r.getDouble(1)).toArray();
    }

    /** Reads for regression and checks the frame: its schema, no class names, {@code numFeatures} features. */
    private static LabeledFrame readRegression(DataSource source, int numFeatures) throws IOException {
        LabeledFrame f = DataReaders.read(spark, source, false);
        assertSchema(f);
        assertNull(f.classNames());
        assertEquals(numFeatures, f.numFeatures());
        return f;
    }

    /** Reads for classification and checks the class names and each row's class index (rows as {@link #rows}). */
    private static LabeledFrame readClasses(DataSource source, String[] classNames, double[] labels)
            throws IOException {
        LabeledFrame f = DataReaders.read(spark, source, true);
        assertArrayEquals(classNames, f.classNames());
        assertArrayEquals(labels, labels(rows(f)));
        return f;
    }

    /** Writes {@code content} to the file {@code name} in dir. */
    private static Path write(Path dir, String name, CharSequence content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    /** Writes the rows as one Parquet file (one partition, so the records keep their order) in dir. */
    private static String parquetFile(Path dir, String name, StructType schema, Row... rows) {
        String path = dir.resolve(name).toString();
        spark.createDataFrame(List.of(rows), schema).coalesce(1).write().parquet(path);
        return path;
    }

    /** The frame has exactly (features: vector, label: double). */
    private static void assertSchema(LabeledFrame f) {
        StructType schema = f.frame().schema();
        assertArrayEquals(new String[]{"features", "label"}, schema.fieldNames());
        assertEquals(SQLDataTypes.VectorType(), schema.apply("features").dataType());
        assertEquals(DataTypes.DoubleType, schema.apply("label").dataType());
    }

    /** Reading fails with an IllegalArgumentException (not a SparkException) whose message holds every fragment. */
    private static IllegalArgumentException assertFails(DataSource source, boolean classification, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataReaders.read(spark, source, classification));
        assertEquals(IllegalArgumentException.class, e.getClass(), "wrapped: " + e);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
        return e;
    }

    private static IllegalArgumentException assertFails(DataSource source, String... fragments) {
        return assertFails(source, true, fragments);
    }

    /** Writes {@code content} to file; then reading source (file, or its directory) fails as {@link #assertFails}. */
    private static void assertFailsWith(Path file, String content, DataSource source, String... fragments)
            throws IOException {
        Files.writeString(file, content);
        assertFails(source, fragments);
    }

    // ---- DataSource ----

    @Test
    void dataSourceRejectsBadSettings() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DataSource("x", "json", "label", "features", 0, ""));
        assertTrue(e.getMessage().contains("'json'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new DataSource("x", "libsvm", "label", "features", -3, ""));
        assertTrue(e.getMessage().contains("-3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new DataSource("images.idx", "idx", "label", "features", 0, ""));
        assertTrue(e.getMessage().contains("images.idx"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DataSource("", "csv", "label", "features", 0, ""));
    }

    @Test
    void missingPathIsNamed(@TempDir Path dir) {
        assertFails(libsvm(dir.resolve("absent.libsvm"), 0), "absent.libsvm", "does not exist");
        assertFails(csv(dir.resolve("absent.csv"), "label"), "absent.csv", "does not exist");
        assertFails(parquet(dir.resolve("absent.parquet").toString(), "label", "features"), "absent.parquet",
                "does not exist");
    }

    // ---- LIBSVM ----

    @Test
    void libsvmRegressionWithFixedSizeThroughAUri(@TempDir Path dir) throws IOException {
        Path file = write(dir, "r.libsvm", "# targets\n\n2.5 1:1 3:-2\n-1e-3 2:2\n\t7  1:3   5:4.5  \n");
        // A file: URI goes through Hadoop's FileSystem like hdfs:// does.
        LabeledFrame f = readRegression(new DataSource(file.toUri().toString(), "libsvm", "label", "features", 5, ""), 5);
        List<Row> rows = f.frame().collectAsList().stream()
                .sorted(Comparator.comparingDouble((Row r) -> r.getDouble(1))).toList();
        assertArrayEquals(new double[]{-1e-3, 2.5, 7}, labels(rows));
        for (Row r : rows) {
            assertInstanceOf(SparseVector.class, r.get(0));
            assertEquals(5, ((Vector) r.get(0)).size());
        }
        assertArrayEquals(new double[]{0, 2, 0, 0, 0}, features(rows.get(0)));
        assertArrayEquals(new double[]{1, 0, -2, 0, 0}, features(rows.get(1)));
        assertArrayEquals(new double[]{3, 0, 0, 0, 4.5}, features(rows.get(2)));
    }

    @Test
    void libsvmClassesInNumericOrder(@TempDir Path dir) throws IOException {
        Path file = write(dir, "c.libsvm", "10 1:1\n9 1:2\n2 1:3 2:1\n10 1:4\n");
        // Numeric order, not text order ("10" < "2" < "9").
        LabeledFrame f = readClasses(libsvm(file, 0), new String[]{"2", "9", "10"}, new double[]{2, 1, 0, 2});
        assertSchema(f);
        assertEquals(2, f.numFeatures());
        assertEquals(2, ((Vector) rows(f).get(0).get(0)).size());

        Files.writeString(file, "+1 1:1\n-1 1:2\n+1 1:3\n");
        readClasses(libsvm(file, 0), new String[]{"-1", "+1"}, new double[]{1, 0, 1});
    }

    @Test
    void aStrayFileAmongNumericLabelsIsRefusedNotMadeAClass(@TempDir Path dir) throws IOException {
        Path data = Files.createDirectory(dir.resolve("data"));
        write(data, "a.libsvm", "1 1:1\n2 1:2\n");
        write(data, "c.txt", "junk\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataReaders.read(spark, libsvm(data, 0), true));
        assertTrue(e.getMessage().contains("c.txt:1") && e.getMessage().contains("'junk'"), e.getMessage());
    }

    @Test
    void oneLabelIsRefusedNamingItNotItsIndex(@TempDir Path dir) throws IOException {
        Path data = write(dir, "threes.libsvm", "3 1:1\n3 1:2\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataReaders.read(spark, libsvm(data, 0), true));
        assertTrue(e.getMessage().contains("every label is '3'"), e.getMessage());
    }

    @Test
    void aWeightColumnIsReadAndNeverAFeature(@TempDir Path dir) throws IOException {
        Path data = write(dir, "w.csv", "x,w,label\n1.5,2,a\n2.5,0,b\n");
        DataSource source = new DataSource(data.toString(), "csv", "label", null, 0, null, false, Set.of(), "w");
        List<Row> rows = DataReaders.read(spark, source, true).frame().collectAsList();
        assertEquals(1, rows.get(0).<Vector>getAs(0).size());
        assertEquals(2.0, rows.get(0).getDouble(2));
        assertEquals(0.0, rows.get(1).getDouble(2));
        write(dir, "w.csv", "x,w,label\n1.5,2,a\n2.5,-1,b\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataReaders.read(spark, source, true));
        assertTrue(e.getMessage().contains("w.csv:3: weight column 'w' holds -1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new DataSource(data.toString(), "libsvm", null, null, 0, null, false, Set.of(), "w"));
        assertTrue(e.getMessage().contains("needs the csv or parquet format"), e.getMessage());
    }

    @Test
    void dataReadForAModelKeepsTheModelsClassIndices(@TempDir Path dir) throws IOException {
        // A file with only some of the model's classes: label 9 is still class 1 of {"2", "9", "10"},
        // not class 0 of the file's own {"9"}; "9.0" is the same class.
        Path file = write(dir, "some.libsvm", "9 1:1\n9.0 1:2\n10 1:3\n");
        String[] model = {"2", "9", "10"};
        LabeledFrame f = DataReaders.read(spark, libsvm(file, 0), true, model);
        assertArrayEquals(model, f.classNames());
        assertArrayEquals(new double[]{1, 1, 2}, labels(rows(f)));
        // A label the model never saw is refused, named, instead of an index past the model's outputs.
        Files.writeString(file, "9 1:1\n11 1:2\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataReaders.read(spark, libsvm(file, 0), true, model));
        assertTrue(e.getMessage().contains("'11'") && e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void libsvmErrorsNameFileLineAndText(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.libsvm");
        // Comments and blank lines count as lines: the bad line is line 4 of the file.
        assertFailsWith(file, "# header\n1 1:1\n\n0 0:2\n", libsvm(file, 0), "bad.libsvm:4", "0:2", "below 1");
        assertFailsWith(file, "# header\n1 1:1\n\n0 2:2 2:3\n", libsvm(file, 0), "bad.libsvm:4", "2", "ascend");
        assertFailsWith(file, "1 1:1\n0 1:1 2:Infinity\n", libsvm(file, 0), "bad.libsvm:2", "Infinity");
        assertFailsWith(file, "1 1:1\n0 1:1 abc\n", libsvm(file, 0), "bad.libsvm:2", "'abc'");
        assertFailsWith(file, "1 1:1\n0 1.5:1\n", libsvm(file, 0), "bad.libsvm:2", "1.5:1");
        assertFailsWith(file, "1 1:1\n0 3:1 6:1\n1 2:1\n", libsvm(file, 5), "bad.libsvm:2", "6", "5");
        assertFailsWith(file, "1 1:1\nx?y 1:1\n", libsvm(file, 0), "bad.libsvm:2", "x?y");
        // The first error in the file is reported.
        assertFailsWith(file, "1 1:1\n0 1:x\n0 0:1\n", libsvm(file, 0), "bad.libsvm:2", "1:x");
        assertFailsWith(file, "# only a comment\n\n", libsvm(file, 0), "bad.libsvm", "no data");
    }

    // ---- CSV ----

    @Test
    void csvRegressionAndNumericClasses(@TempDir Path dir) throws IOException {
        Path file = write(dir, "n.csv", "a,label,b,c\n1,2,10,100\n2,0,20,200\n3,1,30,300\n\n4,2,40,400\n");
        List<Row> rows = rows(readRegression(csv(file, "label"), 3));
        assertEquals(4, rows.size());
        assertArrayEquals(new double[]{2, 20, 200}, features(rows.get(1)));
        assertArrayEquals(new double[]{2, 0, 1, 2}, labels(rows));

        readClasses(csv(file, "label"), new String[]{"0", "1", "2"}, new double[]{2, 0, 1, 2});
    }

    @Test
    void csvStringLabelsSortedAsText(@TempDir Path dir) throws IOException {
        Path file = write(dir, "s.csv", "x,y,kind\n1,5,zebra\n2,6,Ant\n3,7,cat\n4,8,zebra\n");
        LabeledFrame f = readClasses(csv(file, "kind"), new String[]{"Ant", "cat", "zebra"}, new double[]{2, 0, 1, 2});
        assertArrayEquals(new double[]{3, 7}, features(rows(f).get(2)));
    }

    @Test
    void csvErrorsNameFileLineColumnAndText(@TempDir Path dir) throws IOException {
        Path file = write(dir, "bad.csv", "x,y,label\n1,2,0\n");
        IllegalArgumentException e = assertFails(csv(file, "target"), "bad.csv", "'target'", "x", "y", "label");
        assertTrue(e.getMessage().contains("[x, y, label]"), e.getMessage());
        assertFailsWith(file, "x,y,label\n1,2,0\n3,4,1,5\n", csv(file, "label"), "bad.csv:3", "4 fields", "3");
        assertFailsWith(file, "x,y,label\n1,2,0\n3,,1\n", csv(file, "label"), "bad.csv:3", "'y'");
        assertFailsWith(file, "x,y,label\n1,2,0\n3,1e999,1\n", csv(file, "label"), "bad.csv:3", "'y'", "1e999");
        assertFailsWith(file, "x,y,label\n1,2,0\n3,4,\n", csv(file, "label"), "bad.csv:3", "label");
        assertFailsWith(file, "x,y,label\n", csv(file, "label"), "bad.csv", "no data");
        assertFailsWith(file, "", csv(file, "label"), "bad.csv", "no data");
    }

    // ---- Parquet ----

    @Test
    void parquetArrayFeaturesAndStringLabels(@TempDir Path dir) throws IOException {
        StructType schema = new StructType()
                .add("pixels", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("animal", DataTypes.StringType);
        String path = parquetFile(dir, "arrays.parquet", schema,
                RowFactory.create(List.of(1.0, 0.5, 0.0), "dog"),
                RowFactory.create(List.of(2.0, 1.5, 1.0), "cat"),
                RowFactory.create(List.of(3.0, 2.5, 2.0), "dog"));
        LabeledFrame f = readClasses(parquet(path, "animal", "pixels"), new String[]{"cat", "dog"}, new double[]{1, 0, 1});
        assertSchema(f);
        assertEquals(3, f.numFeatures());
        assertArrayEquals(new double[]{2, 1.5, 1}, features(rows(f).get(1)));
    }

    @Test
    void csvAsRAndSpreadsheetsWriteIt(@TempDir Path dir) throws IOException {
        // R's write.csv: every name and text quoted, a row-name column; an id holding a comma; a quoted number.
        Path file = dir.resolve("r.csv");
        Files.writeString(file, "\"\",\"id\",\"x1\",\"x2\",\"Class\"\n"
                + "\"1\",\"a, b\",1.5,\"2\",\"yes\"\n"
                + "\"2\",\"say \"\"hi\"\"\",3,4,\"no\"\n");
        DataSource source = new DataSource(file.toString(), "csv", "Class", "features", 0, "", false, Set.of("", "id"));
        LabeledFrame f = DataReaders.read(spark, source, true);
        assertEquals(2, f.numFeatures());
        assertArrayEquals(new String[]{"no", "yes"}, f.classNames());
        List<Row> rows = rows(f);
        assertArrayEquals(new double[]{1.5, 2}, features(rows.get(0)));
        assertEquals(1.0, rows.get(0).getDouble(1));
        // Without ignoring the id, its text is not a number, and the error names the column, file and line.
        assertFails(new DataSource(file.toString(), "csv", "Class", "features", 0, "", false, Set.of("")),
                "r.csv:2", "column 'id' holds 'a, b', not a number");
        // An ignored column must exist.
        assertFails(new DataSource(file.toString(), "csv", "Class", "features", 0, "", false, Set.of("ID")),
                "no column 'ID' to ignore");
    }

    @Test
    void dataToPredictMayHaveNoLabels(@TempDir Path dir) throws IOException {
        StructType schema = new StructType().add("pixels", DataTypes.createArrayType(DataTypes.DoubleType));
        String path = parquetFile(dir, "bare.parquet", schema, RowFactory.create(List.of(1.0, 0.5)),
                RowFactory.create(List.of(2.0, 1.5)));
        String[] classes = {"cat", "dog"};
        LabeledFrame p = DataReaders.read(spark, new DataSource(path, "parquet", "animal", "pixels", 0, "", true,
                Set.of()), true, classes);
        assertTrue(!p.labelled());
        assertEquals(List.of("features"), List.of(p.frame().columns()));
        assertEquals(2, p.frame().count());
        assertArrayEquals(classes, p.classNames());
        Path csv = dir.resolve("bare.csv");
        Files.writeString(csv, "a,b,c\n1,2,3\n4,5,6\n");
        LabeledFrame c = DataReaders.read(spark, new DataSource(csv.toString(), "csv", "label", "features", 0, "", true,
                Set.of()), true, classes);
        assertTrue(!c.labelled());
        assertEquals(3, c.numFeatures());
        // Labels stay required for data to learn from or to evaluate on.
        assertFails(parquet(path, "animal", "pixels"), "no column 'animal'");
    }

    @Test
    void parquetVectorsWithDefaultNamesAsRegression(@TempDir Path dir) throws IOException {
        StructType schema = new StructType().add("features", SQLDataTypes.VectorType())
                .add("label", DataTypes.IntegerType).add("other", DataTypes.StringType);
        String path = dir.resolve("vectors.parquet").toString();
        spark.createDataFrame(List.of(
                RowFactory.create(Vectors.dense(1, 2), 3, "a"),
                RowFactory.create(Vectors.sparse(2, new int[]{0}, new double[]{4}), 1, "b")), schema)
                .write().parquet(path);
        List<Row> rows = rows(readRegression(parquet(path, "label", "features"), 2));
        assertArrayEquals(new double[]{3, 1}, labels(rows));
        assertArrayEquals(new double[]{4, 0}, features(rows.get(1)));

        readClasses(parquet(path, "label", "features"), new String[]{"1", "3"}, new double[]{1, 0});
    }

    @Test
    void parquetErrorsNameTheRecord(@TempDir Path dir) {
        StructType schema = new StructType().add("v", SQLDataTypes.VectorType()).add("y", DataTypes.DoubleType);
        String nulls = parquetFile(dir, "nulls.parquet", schema, RowFactory.create(Vectors.dense(1, 2), 1.0),
                RowFactory.create(Vectors.dense(3, 4), null));
        assertFails(parquet(nulls, "y", "v"), "nulls.parquet", "record 2", "null", "y");

        String nan = parquetFile(dir, "nan.parquet", schema, RowFactory.create(Vectors.dense(1, 2), 1.0),
                RowFactory.create(Vectors.dense(3, 4), Double.NaN));
        assertFails(parquet(nan, "y", "v"), false, "nan.parquet", "record 2", "NaN");

        String sizes = parquetFile(dir, "sizes.parquet", schema, RowFactory.create(Vectors.dense(1, 2), 1.0),
                RowFactory.create(Vectors.dense(3, 4, 5), 0.0));
        assertFails(parquet(sizes, "y", "v"), "sizes.parquet", "record 2 has 3 features", "record 1 has 2");

        StructType text = new StructType().add("v", DataTypes.StringType).add("y", DataTypes.DoubleType);
        String wrong = dir.resolve("text.parquet").toString();
        spark.createDataFrame(List.of(RowFactory.create("1 2", 1.0)), text).write().parquet(wrong);
        assertFails(parquet(wrong, "y", "v"), "text.parquet", "'v'", "string");
        assertFails(parquet(wrong, "y", "features"), "text.parquet", "'features'");
    }

    // ---- IDX ----

    private static byte[] idxImages(int magic, int n, int rows, int cols, int pixels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(n);
        out.writeInt(rows);
        out.writeInt(cols);
        for (int i = 0; i < pixels; i++) {
            // Image i starts with i; the rest climbs to 255, so unscaled values up to 255 are checked.
            out.writeByte(i % (rows * cols) == 0 ? i / (rows * cols) : 255 - i % (rows * cols));
        }
        return bytes.toByteArray();
    }

    private static byte[] idxLabels(int magic, int... labels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(labels.length);
        for (int l : labels) {
            out.writeByte(l);
        }
        return bytes.toByteArray();
    }

    private static void gzip(Path file, byte[] content) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content);
        }
    }

    @Test
    void idxGzipAndPlain(@TempDir Path dir) throws IOException {
        gzip(dir.resolve("images-idx3-ubyte.gz"), idxImages(0x803, 4, 2, 2, 16));
        gzip(dir.resolve("labels-idx1-ubyte.gz"), idxLabels(0x801, 7, 3, 7, 0));
        Files.write(dir.resolve("labels-idx1-ubyte"), idxLabels(0x801, 7, 3, 7, 0));
        LabeledFrame f = readClasses(idx(dir.resolve("images-idx3-ubyte.gz"), dir.resolve("labels-idx1-ubyte.gz")),
                new String[]{"0", "3", "7"}, new double[]{2, 1, 2, 0});
        assertSchema(f);
        assertEquals(4, f.numFeatures());
        List<Row> rows = rows(f);
        // Pixels as they are, 0..255: not scaled.
        assertArrayEquals(new double[]{0, 254, 253, 252}, features(rows.get(0)));
        assertArrayEquals(new double[]{3, 254, 253, 252}, features(rows.get(3)));

        LabeledFrame r = readRegression(idx(dir.resolve("images-idx3-ubyte.gz"), dir.resolve("labels-idx1-ubyte")), 4);
        assertArrayEquals(new double[]{7, 3, 7, 0}, labels(rows(r)));
    }

    @Test
    void idxErrorsNameFileAndValues(@TempDir Path dir) throws IOException {
        Path images = dir.resolve("img.idx");
        Path labels = dir.resolve("lab.idx");
        Files.write(images, idxImages(0x803, 3, 2, 2, 12));
        Files.write(labels, idxLabels(0x801, 1, 2, 3));
        // Magic number of labels in the images file, and of images in the labels file.
        Path swapped = dir.resolve("swapped.idx");
        Files.write(swapped, idxLabels(0x801, 1, 2, 3));
        assertFails(idx(swapped, labels), "swapped.idx", "2049");
        assertFails(idx(images, swapped.resolveSibling("img.idx")), "img.idx", "2051");
        // Counts differ.
        Path two = dir.resolve("two.idx");
        Files.write(two, idxLabels(0x801, 1, 2));
        assertFails(idx(images, two), "two.idx", "2", "3");
        // Truncated images and labels.
        Path shortImages = dir.resolve("short-images.idx");
        Files.write(shortImages, idxImages(0x803, 3, 2, 2, 9));
        assertFails(idx(shortImages, labels), "short-images.idx", "3");
        Path shortLabels = dir.resolve("short-labels.idx");
        Files.write(shortLabels, Arrays.copyOf(idxLabels(0x801, 1, 2, 3), 10));
        assertFails(idx(images, shortLabels), "short-labels.idx", "3");
        // Missing labels file.
        assertFails(idx(images, dir.resolve("none.idx")), "none.idx", "does not exist");
        // No images.
        Path empty = dir.resolve("empty.idx");
        Files.write(empty, idxImages(0x803, 0, 2, 2, 0));
        Path noLabels = dir.resolve("no-labels.idx");
        Files.write(noLabels, idxLabels(0x801));
        assertFails(idx(empty, noLabels), "empty.idx", "no data");
    }

    // ---- directories, per-line label checks, class spellings, sizes, corrupt IDX ----

    @Test
    void textDirectoriesKeepEachFilesLineNumbers(@TempDir Path dir) throws IOException {
        Path svm = Files.createDirectories(dir.resolve("svm"));
        Files.writeString(svm.resolve("part-00000.libsvm"), "1 1:1\n0 1:2 2:1\n");
        Files.writeString(svm.resolve("part-00001.libsvm"), "1 1:3\n0 1:4 3:1\n");
        Files.writeString(svm.resolve("_SUCCESS"), "");
        Files.writeString(svm.resolve(".part-00000.libsvm.crc"), "not data");
        LabeledFrame f = readClasses(libsvm(svm, 0), new String[]{"0", "1"}, new double[]{1, 0, 1, 0});
        assertEquals(3, f.numFeatures());
        assertArrayEquals(new double[]{2, 1, 0}, features(rows(f).get(1)));
        assertFailsWith(svm.resolve("part-00001.libsvm"), "1 1:3\n0 1:x\n", libsvm(svm, 0),
                "part-00001.libsvm:2", "1:x");

        // Every CSV part file starts with the header, as Spark writes them.
        Path csv = Files.createDirectories(dir.resolve("csv"));
        Files.writeString(csv.resolve("part-00000.csv"), "a,label\n1,0\n2,1\n");
        Files.writeString(csv.resolve("part-00001.csv"), "a,label\n3,0\n4,1\n");
        Files.writeString(csv.resolve("_SUCCESS"), "");
        f = readRegression(csv(csv, "label"), 1);
        assertArrayEquals(new double[]{0, 1, 0, 1}, labels(rows(f)));
        assertFailsWith(csv.resolve("part-00001.csv"), "a,label\n3,0\nfour,1\n", csv(csv, "label"),
                "part-00001.csv:3", "'a'", "four");
        assertFailsWith(csv.resolve("part-00001.csv"), "b,label\n3,0\n", csv(csv, "label"),
                "part-00001.csv:1", "b,label", "a,label");
    }

    @Test
    void labelsAreCheckedOnTheirLine(@TempDir Path dir) throws IOException {
        Path file = write(dir, "labels.csv", "x,label\n1,0.5\n2,abc\n");
        assertFails(csv(file, "label"), false, "labels.csv:3", "'abc'", "not a number");
        Path svm = write(dir, "labels.libsvm", "1 1:1\nNaN 1:2\n");
        assertFails(libsvm(svm, 0), "labels.libsvm:2", "NaN");
        Files.writeString(svm, "cat 1:1\n");
        assertFails(libsvm(svm, 0), false, "labels.libsvm:1", "'cat'");
    }

    @Test
    void dataSourceDefaultsAndNullFormat(@TempDir Path dir) throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DataSource("x", null, "label", "features", 0, ""));
        assertTrue(e.getMessage().contains("'null'"), e.getMessage());
        DataSource s = new DataSource("x", "parquet", null, "", 0, null);
        assertEquals("label", s.labelColumn());
        assertEquals("features", s.featuresColumn());
        Path file = write(dir, "d.csv", "a,label\n1,0\n2,1\n");
        assertEquals(2, DataReaders.read(spark, new DataSource(file.toString(), "csv", null, null, 0, null), true)
                .frame().count());
    }

    @Test
    void spellingsOfOneNumberAreOneClass(@TempDir Path dir) throws IOException {
        Path file = write(dir, "spellings.csv", "x,label\n1,1\n2,1.0\n3,0\n4,2\n");
        readClasses(csv(file, "label"), new String[]{"0", "1", "2"}, new double[]{1, 1, 0, 2});
    }

    @Test
    void noFeaturesAndTooManyClasses(@TempDir Path dir) throws IOException {
        Path file = write(dir, "only-labels.csv", "label\n0\n1\n");
        assertFails(csv(file, "label"), "only-labels.csv", "no features");
        StringBuilder many = new StringBuilder("x,label\n");
        for (int i = 0; i <= DataReaders.MAX_CLASSES; i++) {
            many.append(i).append(',').append(i * 0.001).append('\n');
        }
        Path targets = write(dir, "targets.csv", many);
        assertFails(csv(targets, "label"), "targets.csv", "more than " + DataReaders.MAX_CLASSES);
        assertEquals(DataReaders.MAX_CLASSES + 1, DataReaders.read(spark, csv(targets, "label"), false).frame().count());
    }

    @Test
    void parquetLabelTypesAndEmptyDirectories(@TempDir Path dir) throws IOException {
        StructType arrays = new StructType().add("v", SQLDataTypes.VectorType())
                .add("y", DataTypes.createArrayType(DataTypes.DoubleType));
        String labelType = dir.resolve("label-type.parquet").toString();
        spark.createDataFrame(List.of(RowFactory.create(Vectors.dense(1, 2), List.of(1.0))), arrays)
                .write().parquet(labelType);
        assertFails(parquet(labelType, "y", "v"), "label-type.parquet", "'y'", "array<double>");

        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertFails(parquet(empty.toString(), "y", "v"), "empty", "Parquet");
    }

    @Test
    void idxCorruptHeadersAndGzip(@TempDir Path dir) throws IOException {
        Path labels = dir.resolve("lab.idx");
        Files.write(labels, idxLabels(0x801, 1, 2, 3));
        // A header announcing 2^31 - 1 images fails at once, without allocating or launching a job for them.
        Path huge = dir.resolve("huge.idx");
        Files.write(huge, idxImages(0x803, Integer.MAX_VALUE, 28, 28, 100));
        Path manyLabels = dir.resolve("many-labels.idx");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x801);
        out.writeInt(Integer.MAX_VALUE);
        out.writeByte(1);
        Files.write(manyLabels, bytes.toByteArray());
        assertFails(idx(huge, manyLabels), "huge.idx", "ends in image 1 of " + Integer.MAX_VALUE);
        gzip(dir.resolve("huge.idx.gz"), Files.readAllBytes(huge));
        assertFails(idx(dir.resolve("huge.idx.gz"), manyLabels), "huge.idx.gz", "cannot hold");
        // A gzip file that ends early is found by the executors reading it.
        Path truncated = dir.resolve("truncated.idx.gz");
        gzip(truncated, idxImages(0x803, 3, 2, 2, 9));
        assertFails(idx(truncated, labels), "truncated.idx.gz", "ends in image 3 of 3");
        Path notGzip = dir.resolve("plain.idx.gz");
        Files.write(notGzip, idxImages(0x803, 3, 2, 2, 12));
        assertFails(idx(notGzip, labels), "plain.idx.gz", "gzip");
    }

    @Test
    void csvHeaderWithARepeatedName(@TempDir Path dir) throws IOException {
        Path file = write(dir, "twice.csv", "x,label,x\n1,0,2\n");
        assertFails(csv(file, "label"), "twice.csv:1", "'x'", "twice");
    }
}
