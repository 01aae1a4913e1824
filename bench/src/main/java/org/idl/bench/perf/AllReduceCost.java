package org.idl.bench.perf;

import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.idl.bench.Args;
import org.idl.bench.Json;
import org.idl.spark.SparkConfigs;
import org.idl.spark.train.PeerAllReduce;
import org.idl.spark.train.PeerTracker;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * What one average of the gradient solver costs when the partitions take it among themselves: the
 * job's own {@link PeerAllReduce}, K tasks of a barrier stage in local mode summing arrays of N
 * doubles over loopback TCP, nothing else running. The time of an all-reduce is
 * {@code steps x alpha + 2 (K - 1) / K x w N / beta} (a latency per step, the bytes through each
 * task's links; w = 8 bytes a value, 4 with {@code --wire float32}, 2 with {@code bfloat16}), with {@code 2 log2 K} steps when
 * K is a power of two (recursive halving and doubling) and {@code 2 (K - 1)} otherwise (a ring); alpha and beta are fitted by least squares to the K = 2
 * timings (two tasks on two cores: no task waits for a core), which is what {@code bench/partitions.py}
 * models K executors with. Larger K on this 2-core machine are timed too, but there the tasks take turns on
 * the cores, so those figures show contention, not the network.
 *
 * <pre>
 * AllReduceCost --partitions 2,4,8 --doubles 1000,30000,100000,292380 [--repeats 40] [--wire float32|bfloat16] --out allreduce.json
 * </pre>
 */
public final class AllReduceCost {
    private AllReduceCost() {
    }

    public static void main(String[] args) throws Exception {
        Args o = new Args(args, Set.of("partitions", "doubles", "repeats", "out", "wire"));
        PeerAllReduce.Wire wire = PeerAllReduce.Wire.parse(o.string("wire", "float64"));
        int[] partitions = o.integers("partitions", "2,4,8");
        int[] doubles = o.integers("doubles", "1000,30000,100000,292380");
        int repeats = o.integer("repeats", 100);
        int slots = IntStream.of(partitions).max().orElse(2);
        SparkSession spark = SparkSession.builder().config(SparkConfigs.withKryo(new SparkConf()))
                .master("local[" + slots + "]").appName("AllReduceCost").config("spark.ui.enabled", "false")
                .getOrCreate();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Map<String, Object>> rows = new ArrayList<>();
        List<double[]> fit = new ArrayList<>(); // K = 2: {steps, bytes per link, seconds}
        try {
            // One untimed round first: the JIT compiles the all-reduce before any timing.
            time(sc, 2, doubles[doubles.length - 1], repeats, wire);
            for (int k : partitions) {
                for (int n : doubles) {
                    double median = Env.median(time(sc, k, n, repeats, wire));
                    double steps = PeerAllReduce.isPowerOfTwo(k) ? 2.0 * Integer.numberOfTrailingZeros(k)
                            : 2.0 * (k - 1);
                    double bytes = 2.0 * (k - 1) / k * wire.bytes * n;
                    if (k == 2) {
                        fit.add(new double[]{steps, bytes, median});
                    }
                    rows.add(Json.object("partitions", k, "doubles", n, "medianSeconds", median,
                            "bytesPerLink", bytes));
                    System.out.printf("K = %d, N = %d doubles: %.3f ms per all-reduce (median of %d)%n", k, n,
                            1e3 * median, repeats);
                }
            }
        } finally {
            spark.stop();
        }
        double[] ab = leastSquares(fit);
        double alpha = ab[0];
        double beta = 1.0 / ab[1];
        System.out.printf("fitted at K = 2: alpha = %.1f us per step, beta = %.2f GB/s%n", 1e6 * alpha, beta / 1e9);
        Env.writeJsonIfAsked(o.string("out", null), Json.object(
                "what", "seconds per all-reduce of N doubles among K tasks of a barrier stage, local mode, loopback TCP"
                        + " (AllReduceCost), each value sent in wireBytesPerValue bytes; alpha and beta fitted to K = 2",
                "wireBytesPerValue", wire.bytes,
                "environment", Env.describe(), "repeats", repeats, "runs", rows,
                "alphaSeconds", alpha, "betaBytesPerSecond", beta));
    }

    /** The seconds of each of {@code repeats} sums of {@code n} doubles among {@code k} tasks, as task 0 timed them. */
    private static double[] time(JavaSparkContext sc, int k, int n, int repeats, PeerAllReduce.Wire wire)
            throws java.io.IOException {
        try (PeerTracker tracker = new PeerTracker(k, "127.0.0.1")) {
            return sc.parallelize(IntStream.range(0, k).boxed().toList(), k).rdd()
                    .barrier().mapPartitions(new Sums(tracker.address(), n, repeats, wire), false,
                            scala.reflect.ClassTag$.MODULE$.apply(double[].class))
                    .toJavaRDD().collect().get(0);
        }
    }

    /**
     * Least squares of {@code seconds = steps alpha + bytes / beta} in relative error (each row divided by
     * its seconds, so the small sums weigh as much as the large): returns {alpha, 1 / beta}.
     */
    static double[] leastSquares(List<double[]> rows) {
        double s11 = 0, s12 = 0, s22 = 0, t1 = 0, t2 = 0;
        for (double[] raw : rows) {
            double[] r = {raw[0] / raw[2], raw[1] / raw[2], 1.0};
            s11 += r[0] * r[0];
            s12 += r[0] * r[1];
            s22 += r[1] * r[1];
            t1 += r[0] * r[2];
            t2 += r[1] * r[2];
        }
        double det = s11 * s22 - s12 * s12;
        return new double[]{(t1 * s22 - t2 * s12) / det, (s11 * t2 - s12 * t1) / det};
    }

    /** A barrier task: after a few warm-up sums, times each of {@code repeats} sums of {@code n} doubles. */
    private static final class Sums extends AbstractFunction1<scala.collection.Iterator<Integer>,
            scala.collection.Iterator<double[]>> implements Serializable {
        private final String tracker;
        private final int n;
        private final int repeats;
        private final PeerAllReduce.Wire wire;

        Sums(String tracker, int n, int repeats, PeerAllReduce.Wire wire) {
            this.tracker = tracker;
            this.n = n;
            this.repeats = repeats;
            this.wire = wire;
        }

        @Override
        public scala.collection.Iterator<double[]> apply(scala.collection.Iterator<Integer> ranks) {
            int rank = ranks.next();
            double[] values = new double[n];
            double[] seconds = new double[repeats];
            try (PeerAllReduce peers = PeerAllReduce.connect(BarrierTaskContext.get(), tracker, wire)) {
                for (int i = -20; i < repeats; i++) {
                    java.util.Arrays.fill(values, rank + 1.0);
                    long t0 = System.nanoTime();
                    peers.roundedSumInPlace(values, 2); // the gradient solver's averages
                    if (i >= 0) {
                        seconds[i] = (System.nanoTime() - t0) / 1e9;
                    }
                }
            }
            return scala.collection.Iterator$.MODULE$.single(seconds);
        }
    }
}
