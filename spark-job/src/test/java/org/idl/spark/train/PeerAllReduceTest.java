package org.idl.spark.train;

import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.idl.model.ImplicitModel;
import org.idl.spark.SparkConfigs;
import org.idl.spark.SparkTestData;
import org.idl.spark.SparkTests;
import org.idl.spark.ml.IdlClassificationModel;
import org.idl.spark.ml.IdlClassifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The partitions' own averaging: TCP connections between the tasks of a barrier stage, a ring, or
 * recursive halving and doubling when their number is a power of two.
 */
class PeerAllReduceTest {
    private static final SparkTestData data = SparkTestData.digits();
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        // Sixteen task slots: barrier stages of up to sixteen partitions.
        spark = SparkSession.builder().config(SparkConfigs.withKryo(new SparkConf())).master("local[16]")
                .appName("PeerAllReduceTest").config("spark.ui.enabled", "false")
                .config("spark.idl.inProcess", "false").getOrCreate(); // the tasks' all-reduce, through Spark jobs
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void everyTaskGetsTheSumOfAllTasksArrays() throws java.io.IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // A ring for 3 and 5, halving and doubling for 2, 4, 8 and 16; 13 values are not a multiple of the
        // chunks, and 3 values leave some of 4 or more chunks empty.
        for (PeerAllReduce.Wire wire : PeerAllReduce.Wire.values()) {
            for (int length : new int[]{13, 3}) {
                for (int k : new int[]{1, 2, 3, 4, 5, 8, 16}) {
                    JavaRDD<Integer> ranks = sc.parallelize(IntStream.range(0, k).boxed().toList(), k);
                    List<double[]> results;
                    try (PeerTracker tracker = new PeerTracker(k, "127.0.0.1")) {
                        results = ranks.rdd().barrier().mapPartitions(new SumOnce(tracker.address(), length, wire),
                                false, scala.reflect.ClassTag$.MODULE$.apply(double[].class)).toJavaRDD().collect();
                    }
                    double[] expected = new double[length];
                    double[] magnitude = new double[length];
                    for (int r = 0; r < k; r++) {
                        for (int i = 0; i < expected.length; i++) {
                            expected[i] += SumOnce.value(r, i);
                            magnitude[i] += Math.abs(SumOnce.value(r, i));
                        }
                    }
                    String what = wire + ", " + k + " tasks, " + length + " values";
                    boolean narrow = wire != PeerAllReduce.Wire.FLOAT64 && k > 1;
                    // The last EXACT_TAIL values travel as doubles on any wire.
                    int rounded = length - EXACT_TAIL;
                    assertEquals(k, results.size());
                    for (double[] got : results) {
                        double[] exact = java.util.Arrays.copyOfRange(got, 0, length);
                        assertArrayEquals(expected, exact, 1e-12, "sumInPlace, " + what);
                        for (int i = 0; i < length; i++) {
                            // Each partial sum sent is rounded, by 2^-24 (float32) or 2^-8 (bfloat16) of at
                            // most the magnitudes summed, at most K - 1 times along a chain, and the finished
                            // sum once more.
                            double unit = wire == PeerAllReduce.Wire.BFLOAT16 ? 0x1p-8 : 0x1p-24;
                            double tolerance = narrow && i < rounded ? k * magnitude[i] * unit : 1e-12;
                            assertEquals(expected[i], got[length + i], tolerance, "roundedSumInPlace, " + what);
                        }
                        assertArrayEquals(results.get(0), got, 0.0, "tasks disagree");
                        if (narrow) {
                            for (int i = 0; i < rounded; i++) {
                                double v = got[length + i];
                                assertEquals(v, wire.round(v), 0.0, "a sum on the " + wire + " wire is on it: " + v);
                            }
                        }
                    }
                    if (narrow && k > 2) {
                        boolean differs = false;
                        for (int i = 0; i < rounded; i++) {
                            differs |= results.get(0)[length + i] != expected[i];
                        }
                        assertTrue(differs, "the " + wire + " wire sent doubles: " + what);
                    }
                }
            }
        }
        assertEquals(PeerAllReduce.Wire.FLOAT64, PeerAllReduce.Wire.parse("float64"));
        assertEquals(PeerAllReduce.Wire.BFLOAT16, PeerAllReduce.Wire.parse("bfloat16"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PeerAllReduce.Wire.parse("f16"));
        assertTrue(e.getMessage().contains("spark.idl.allReduceWire must be bfloat16, float32 or float64, got 'f16'"),
                e.getMessage());
        // bfloat16 keeps 8 significant bits (7 stored), rounds to nearest (ties to even), and keeps NaN a NaN.
        assertEquals(1872.0, PeerAllReduce.Wire.BFLOAT16.round(1875.0), 0.0);
        assertEquals(1.0, PeerAllReduce.Wire.BFLOAT16.round(1.0 + 0x1p-9), 0.0);
        assertEquals(1.0 + 0x1p-7, PeerAllReduce.Wire.BFLOAT16.round(1.0 + 3 * 0x1p-9), 0.0);
        assertEquals(1.0, PeerAllReduce.Wire.BFLOAT16.round(1.0 + 0x1p-8), 0.0); // a tie, to the even 1
        assertEquals(1.0 + 0x1p-6, PeerAllReduce.Wire.BFLOAT16.round(1.0 + 3 * 0x1p-8), 0.0); // a tie, up to even
        assertEquals(-1872.0, PeerAllReduce.Wire.BFLOAT16.round(-1875.0), 0.0);
        assertEquals(Double.POSITIVE_INFINITY, PeerAllReduce.Wire.BFLOAT16.round(Float.MAX_VALUE), 0.0);
        assertEquals(Double.NEGATIVE_INFINITY, PeerAllReduce.Wire.BFLOAT16.round(Double.NEGATIVE_INFINITY), 0.0);
        assertTrue(Double.isNaN(PeerAllReduce.Wire.BFLOAT16.round(Double.NaN)));
    }

    /** How many values at the end of a rounded sum travel exactly. */
    private static final int EXACT_TAIL = 2;

    /** Each task sums, three times over, exactly and rounded, an array that depends on its rank. */
    private static final class SumOnce extends scala.runtime.AbstractFunction1<scala.collection.Iterator<Integer>,
            scala.collection.Iterator<double[]>> implements java.io.Serializable {
        private final String tracker;
        private final int length;
        private final PeerAllReduce.Wire wire;

        SumOnce(String tracker, int length, PeerAllReduce.Wire wire) {
            this.tracker = tracker;
            this.length = length;
            this.wire = wire;
        }

        static double value(int rank, int i) {
            return Math.sin(rank * 13 + i) * (rank + 1);
        }

        /** The exact sum, then the rounded one, side by side. */
        @Override
        public scala.collection.Iterator<double[]> apply(scala.collection.Iterator<Integer> it) {
            int rank = it.next();
            double[] values = new double[length];
            try (PeerAllReduce peers = PeerAllReduce.connect(BarrierTaskContext.get(), tracker, wire)) {
                double[] result = new double[2 * length];
                for (int round = 0; round < 3; round++) {
                    for (int rounded = 0; rounded < 2; rounded++) {
                        for (int i = 0; i < values.length; i++) {
                            values[i] = value(rank, i);
                        }
                        if (rounded == 1) {
                            peers.roundedSumInPlace(values, EXACT_TAIL);
                        } else {
                            peers.sumInPlace(values);
                        }
                        System.arraycopy(values, 0, result, rounded * length, length);
                    }
                }
                return scala.collection.Iterator$.MODULE$.single(result);
            }
        }
    }

    @Test
    void averagingAmongTheTasksTrainsTheDriversModelInFewerJobs() {
        assertAveragingAmongTheTasksTrainsTheDriversModel(5); // a ring
        assertAveragingAmongTheTasksTrainsTheDriversModel(4); // halving and doubling
    }

    private static void assertAveragingAmongTheTasksTrainsTheDriversModel(int partitions) {
        List<IdlClassificationModel> models = new ArrayList<>();
        for (String averaging : new String[]{"ring", "driver", "ring-float32"}) {
            // The default wire sends doubles: the tasks' sums are the driver's to rounding. The float32
            // wire rounds every average to single precision.
            if (averaging.equals("ring-float32")) {
                spark.conf().set(PeerAllReduce.CONF, "float32");
            }
            try {
                IdlClassifier classifier = new IdlClassifier().setHiddenSize(16).setSolver("gradient").setGradientIter(2)
                        .setBatchSize(64).setSyncSteps(4).setStepSize(1e-2).setGradientTol(1e-4)
                        .setAveraging(averaging.startsWith("ring") ? "ring" : averaging);
                models.add(classifier.fit(SparkTestData.frame(spark, data.train, partitions)));
            } finally {
                spark.conf().unset(PeerAllReduce.CONF);
            }
        }
        ImplicitModel ring = models.get(0).implicitModel();
        ImplicitModel driver = models.get(1).implicitModel();
        ImplicitModel single = models.get(2).implicitModel();
        double singleDiff = 0;
        for (String name : List.of("A", "B", "C", "D")) {
            double diff = SparkTests.relativeDifference(SparkTests.pick(driver, name), SparkTests.pick(ring, name));
            assertTrue(diff <= 1e-10, name + " differs by " + diff + " relative at " + partitions + " partitions");
            double s = SparkTests.relativeDifference(SparkTests.pick(driver, name), SparkTests.pick(single, name));
            assertTrue(s <= 1e-4, name + " on the float32 wire differs by " + s + " relative at " + partitions
                    + " partitions");
            singleDiff = Math.max(singleDiff, s);
        }
        assertTrue(singleDiff > 1e-12, "the float32 wire gave the doubles' model exactly: " + singleDiff);
        // 1347 points, 32 steps an epoch (ceil(1347 / 64) = 22 is fewer than the 32 an epoch takes at least),
        // averaged every 4: 7 averages among the tasks and the epoch's last (among the tasks too, or one Spark
        // job each on the driver).
        assertEquals(8, models.get(0).summary().syncs()[1]);
        assertEquals(0, models.get(1).summary().syncs()[1]);
        assertEquals(1, models.get(0).summary().passes()[1]);
        assertEquals(8, models.get(1).summary().passes()[1]);
    }

    @Test
    void ringAveragingNeedsATaskSlotPerPartition() {
        IdlClassifier classifier = new IdlClassifier().setHiddenSize(8).setSolver("gradient").setGradientIter(1)
                .setBatchSize(64).setSyncSteps(4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> classifier.setAveraging("ring").fit(SparkTestData.frame(spark, data.train, 17)));
        assertTrue(e.getMessage().contains("16 task slots for 17 partitions"), e.getMessage());
        // auto falls back to the driver.
        IdlClassificationModel model = classifier.setAveraging("auto").fit(SparkTestData.frame(spark, data.train, 17));
        assertEquals(0, model.summary().syncs()[0]);
        assertEquals(8, model.summary().passes()[0]);
    }
}
