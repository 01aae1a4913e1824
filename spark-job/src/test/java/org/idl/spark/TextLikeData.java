package org.idl.spark;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * Text-like data: each point holds 30 words of its class's 300 and 10 words from anywhere among
 * {@code p}, each counted once; 10 classes. Sparse as bags of words are.
 */
public final class TextLikeData {
    /** One point: its class and its words (increasing indices, 0-based) with their counts. */
    public record Point(int label, int[] words, double[] counts) {
    }

    private TextLikeData() {
    }

    public static List<Point> points(int m, int p, long seed) {
        Random random = new Random(seed);
        List<Point> out = new ArrayList<>();
        for (int j = 0; j < m; j++) {
            int label = random.nextInt(10);
            TreeMap<Integer, Double> words = new TreeMap<>();
            while (words.size() < 30) {
                words.put(label * (p / 10) + random.nextInt(300), 1.0);
            }
            while (words.size() < 40) {
                words.put(random.nextInt(p), 1.0);
            }
            out.add(new Point(label, words.keySet().stream().mapToInt(Integer::intValue).toArray(),
                    words.values().stream().mapToDouble(Double::doubleValue).toArray()));
        }
        return out;
    }

    public static Dataset<Row> frame(SparkSession spark, int m, int p, long seed, int partitions) {
        List<Row> rows = new ArrayList<>();
        for (Point pt : points(m, p, seed)) {
            rows.add(RowFactory.create(Vectors.sparse(p, pt.words(), pt.counts()), (double) pt.label()));
        }
        StructType schema = new StructType().add("features", SQLDataTypes.VectorType()).add("label", DataTypes.DoubleType);
        return spark.createDataFrame(rows, schema).repartition(partitions);
    }

    /** As a LIBSVM file (1-based indices), the last feature present in every point so the file says {@code p}. */
    public static void writeLibsvm(Path file, int m, int p, long seed) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Point pt : points(m, p, seed)) {
            sb.append(pt.label());
            for (int k = 0; k < pt.words().length; k++) {
                sb.append(' ').append(pt.words()[k] + 1).append(':').append((int) pt.counts()[k]);
            }
            if (pt.words()[pt.words().length - 1] != p - 1) {
                sb.append(' ').append(p).append(":1");
            }
            sb.append('\n');
        }
        Files.writeString(file, sb);
    }
}
