package org.idl.spark.io;

import org.apache.spark.SparkConf;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.idl.spark.SparkConfigs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The four input formats, their values, and their errors naming the file, the line and the problem. */
class DataFormatsTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().config(SparkConfigs.withKryo(new SparkConf()))
                .master("local[2]").appName("DataFormatsTest").config("spark.ui.enabled", "false").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static List<Row> sorted(LabeledFrame f) {
        return f.frame().collectAsList().stream()
                .sorted(Comparator.comparing((Row r) -> ((Vector) r.get(0)).toArray()[0])).toList();
    }

    private static void assertFails(DataSource source, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataReaders.read(spark, source, true));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void libsvm(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("a.libsvm");
        Files.writeString(file, "# comment\n1 1:0.5 3:2\n\n0 2:1.5\n2 1:3 4:-1\n");
        LabeledFrame f = DataReaders.read(spark, new DataSource(file.toString(), "libsvm", "label", "features", 0, ""), true);
        assertEquals(4, f.numFeatures());
        assertArrayEquals(new String[]{"0", "1", "2"}, f.classNames());
        List<Row> rows = sorted(f);
        assertArrayEquals(new double[]{0, 1.5, 0, 0}, ((Vector) rows.get(0).get(0)).toArray());
        assertEquals(0.0, rows.get(0).getDouble(1));
        assertArrayEquals(new double[]{3, 0, 0, -1}, ((Vector) rows.get(2).get(0)).toArray());
        assertEquals(2.0, rows.get(2).getDouble(1));

        Files.writeString(file, "1 1:0.5\n0 3:1 2:2\n");
        assertFails(new DataSource(file.toString(), "libsvm", "label", "features", 0, ""), "a.libsvm:2", "ascend");
        Files.writeString(file, "1 1:0.5\n0 1:x\n");
        assertFails(new DataSource(file.toString(), "libsvm", "label", "features", 0, ""), "a.libsvm:2", "1:x");
        Files.writeString(file, "1 1:0.5\n0 9:1\n");
        assertFails(new DataSource(file.toString(), "libsvm", "label", "features", 4, ""), "a.libsvm:2", "9", "4");
        Files.writeString(file, "1 1:NaN\n");
        assertFails(new DataSource(file.toString(), "libsvm", "label", "features", 0, ""), "a.libsvm:1", "NaN");
        Files.writeString(file, "");
        assertFails(new DataSource(file.toString(), "libsvm", "label", "features", 0, ""), "no data");
    }

    @Test
    void csvWithStringLabels(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("b.csv");
        Files.writeString(file, "x1,species,x2\n1,dog,2\n3,cat,4\n5,dog,6\n");
        LabeledFrame f = DataReaders.read(spark, new DataSource(file.toString(), "csv", "species", "features", 0, ""), true);
        assertArrayEquals(new String[]{"cat", "dog"}, f.classNames());
        assertEquals(2, f.numFeatures());
        List<Row> rows = sorted(f);
        assertArrayEquals(new double[]{1, 2}, ((Vector) rows.get(0).get(0)).toArray());
        assertEquals(1.0, rows.get(0).getDouble(1));
        assertEquals(0.0, rows.get(1).getDouble(1));

        assertFails(new DataSource(file.toString(), "csv", "label", "features", 0, ""), "b.csv:1", "'label'", "species");
        Files.writeString(file, "x1,species,x2\n1,dog,2\n3,cat\n");
        assertFails(new DataSource(file.toString(), "csv", "species", "features", 0, ""), "b.csv:3", "2 fields");
        Files.writeString(file, "x1,species,x2\n1,dog,2\n3,cat,four\n");
        assertFails(new DataSource(file.toString(), "csv", "species", "features", 0, ""), "b.csv:3", "x2", "four");
        Files.writeString(file, "x1,species,x2\n1,dog,NaN\n");
        assertFails(new DataSource(file.toString(), "csv", "species", "features", 0, ""), "b.csv:2", "NaN");
    }

    @Test
    void parquet(@TempDir Path dir) throws IOException {
        StructType schema = new StructType().add("v", org.apache.spark.ml.linalg.SQLDataTypes.VectorType())
                .add("y", DataTypes.DoubleType);
        String path = dir.resolve("c.parquet").toString();
        spark.createDataFrame(List.of(RowFactory.create(Vectors.dense(1, 2), 1.0),
                RowFactory.create(Vectors.dense(3, 4), 0.0)), schema).write().parquet(path);
        LabeledFrame f = DataReaders.read(spark, new DataSource(path, "parquet", "y", "v", 0, ""), true);
        assertEquals(2, f.numFeatures());
        assertArrayEquals(new String[]{"0", "1"}, f.classNames());
        assertEquals(1.0, sorted(f).get(0).getDouble(1));

        String bad = dir.resolve("d.parquet").toString();
        spark.createDataFrame(List.of(RowFactory.create(Vectors.dense(1, Double.NaN), 1.0)), schema).write().parquet(bad);
        assertFails(new DataSource(bad, "parquet", "y", "v", 0, ""), "d.parquet", "record 1", "NaN");
        assertFails(new DataSource(path, "parquet", "label", "v", 0, ""), "no column 'label'");
    }

    private static byte[] idxImages(int n, int rows, int cols, int magic) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(n);
        out.writeInt(rows);
        out.writeInt(cols);
        for (int i = 0; i < n * rows * cols; i++) {
            out.writeByte(i % 256);
        }
        return bytes.toByteArray();
    }

    private static byte[] idxLabels(int n) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x00000801);
        out.writeInt(n);
        for (int i = 0; i < n; i++) {
            out.writeByte(i % 3);
        }
        return bytes.toByteArray();
    }

    @Test
    void idxPlainAndGzip(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("img"), idxImages(5, 2, 3, 0x00000803));
        Files.write(dir.resolve("lab"), idxLabels(5));
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(dir.resolve("img.gz")))) {
            gz.write(idxImages(5, 2, 3, 0x00000803));
        }
        for (String images : new String[]{"img", "img.gz"}) {
            LabeledFrame f = DataReaders.read(spark, new DataSource(dir.resolve(images).toString(), "idx", "label",
                    "features", 0, dir.resolve("lab").toString()), true);
            assertEquals(6, f.numFeatures());
            List<Row> rows = sorted(f);
            assertEquals(5, rows.size());
            assertArrayEquals(new double[]{6, 7, 8, 9, 10, 11}, ((Vector) rows.get(1).get(0)).toArray());
            assertEquals(1.0, rows.get(1).getDouble(1));
        }
        Files.write(dir.resolve("lab4"), idxLabels(4));
        assertFails(new DataSource(dir.resolve("img").toString(), "idx", "label", "features", 0,
                dir.resolve("lab4").toString()), "lab4", "4 labels for 5 images");
        Files.write(dir.resolve("bad"), idxImages(5, 2, 3, 0x00000801));
        assertFails(new DataSource(dir.resolve("bad").toString(), "idx", "label", "features", 0,
                dir.resolve("lab").toString()), "bad", "magic number 2049");
    }
}
