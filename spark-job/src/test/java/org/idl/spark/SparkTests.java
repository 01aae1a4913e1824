package org.idl.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;

/** What the Spark tests share: the session they run in and the comparison of trained models. */
public final class SparkTests {
    private SparkTests() {
    }

    /** Local mode on 2 cores with the job's own settings: Kryo with every class registered. */
    public static SparkSession session(String appName) {
        return SparkSession.builder().config(SparkConfigs.withKryo(new SparkConf()))
                .master("local[2]").appName(appName).config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                // Through Spark jobs: what these tests check; InProcessTest covers the driver's store.
                .config("spark.idl.inProcess", "false").getOrCreate();
    }

    /** The largest entry of {@code a - b} relative to the largest of {@code a}. */
    public static double relativeDifference(Matrix a, Matrix b) {
        return a.minus(b).maxAbs() / Math.max(a.maxAbs(), 1e-300);
    }

    /** The model's matrix named "A", "B", "C" or "D". */
    public static Matrix pick(ImplicitModel m, String name) {
        return switch (name) {
            case "A" -> m.a();
            case "B" -> m.b();
            case "C" -> m.c();
            default -> m.d();
        };
    }

    /** Fails naming the first of A, B, C, D whose relative difference exceeds {@code tolerance}. */
    public static void assertSameModel(ImplicitModel expected, ImplicitModel actual, double tolerance) {
        for (String name : java.util.List.of("A", "B", "C", "D")) {
            double diff = relativeDifference(pick(expected, name), pick(actual, name));
            if (!(diff <= tolerance)) {
                throw new AssertionError(name + " differs by " + diff + " relative");
            }
        }
    }
}
