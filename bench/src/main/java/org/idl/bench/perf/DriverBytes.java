package org.idl.bench.perf;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.idl.bench.Args;
import org.idl.bench.Json;
import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.spark.SparkConfigs;
import org.idl.spark.train.SparkBlockStore;
import org.idl.train.BlockStore;
import org.idl.train.DataBlock;
import org.idl.train.Summable;
import org.idl.train.bcd.BcdConfig;
import org.idl.train.bcd.BcdTrainer;
import org.idl.train.bcd.Passes;
import org.idl.train.gradient.GradientConfig;
import org.idl.train.gradient.GradientTrainer;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Bytes aggregated to the driver per pass, measured: the real {@link SparkBlockStore} (Kryo with the
 * job's registrator, {@code treeReduce} of depth 2) runs BCD recipe rounds and implicit-gradient
 * rounds (full batch and local mini-batch) over MNIST blocks, one block per partition; every pass
 * runs under a job description naming its task, and a {@link ResultBytesListener} sums the result
 * sizes of each job's tasks. Set against the exact count of numbers in each statistics object
 * ({@link #numbers}) times 8 bytes, against the object's own serialised size, and against the result
 * size of a task that returns one long (the per-task envelope: accumulator updates, metrics).
 *
 * <pre>
 * DriverBytes --root . --data mnist --sizes 10000,20000 --partitions 2,4,8 [--hidden 100] --out bytes.json
 * </pre>
 */
public final class DriverBytes {
    private DriverBytes() {
    }

    /** A pass as the store ran it, with what the summed statistics weigh. */
    record PassRecord(String label, String kind, long kryoBytes, long javaBytes, long numbers) {
    }

    public static void main(String[] args) throws Exception {
        Args o = new Args(args, Set.of("root", "data", "hidden", "sizes", "partitions", "out"));
        int hidden = o.integer("hidden", 100);
        int[] sizes = o.integers("sizes", "10000,20000");
        int[] partitions = o.integers("partitions", "2,4,8");
        Map<String, Object> out = Json.object("what", "bytes of task results aggregated to the driver per pass (DriverBytes)",
                "environment", Env.describe());
        BenchData.Split split = BenchData.load(o.path("root", "."), o.string("data", "mnist"));
        List<Map<String, Object>> runs = new ArrayList<>();
        for (int m : sizes) {
            for (int p : partitions) {
                if (m != sizes[0] && p != partitions[0]) {
                    continue; // other sizes only at the first partition count: enough to show m does not matter
                }
                runs.add(run(split, m, p, hidden, 2));
            }
        }
        out.put("runs", runs);
        Env.writeJsonIfAsked(o.string("out", null), out);
    }

    /** One Spark session: {@code rounds} BCD rounds, then one round of each gradient solver, over m points. */
    public static Map<String, Object> run(BenchData.Split split, int m, int partitions, int hidden, int rounds)
            throws Exception {
        BenchData.Set train = split.train().first(m);
        int q = split.train().classes();
        Matrix[] uy = BenchData.augmented(train, BenchData.standardizer(train), q);
        int pb = uy[0].rows();
        List<DataBlock> list = BenchData.blocks(uy[0], uy[1], partitions);
        SparkConf conf = SparkConfigs.withKryo(new SparkConf().setAppName("idl bench driver bytes"))
                .setMaster("local[*]").set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        ResultBytesListener listener = new ResultBytesListener();
        spark.sparkContext().addSparkListener(listener);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<PassRecord> passes = new ArrayList<>();
        int depth = 2;
        try {
            JavaRDD<DataBlock> blocks = sc.parallelize(list, partitions);
            sc.setJobDescription("#0 baseline: one long per task");
            blocks.map(b -> 1L).treeReduce(Long::sum, depth);
            passes.add(new PassRecord("#0 baseline: one long per task", "baseline: one long", kryoSize(1L), javaSize(1L), 1));
            BcdConfig config = BcdConfig.builder().hidden(hidden).rounds(rounds).initialReadoutPasses(3).build();
            ImplicitModel start = new BcdTrainer(config).initialModel(pb - 1, q);
            Function<String, Labelled> store = solver -> new Labelled(sc,
                    new SparkBlockStore(blocks, depth, -1, StorageLevel.MEMORY_AND_DISK()), passes, solver, hidden, pb, q);
            fitAndRelease(store.apply("bcd"), s -> new BcdTrainer(config).fit(s, pb - 1, q, null, null));
            fitAndRelease(store.apply("gradient full batch"), s -> new GradientTrainer(config.model(),
                    new GradientConfig(1, 3e-3, 0, 1e-6)).fit(s, start, List.of(), null, null));
            fitAndRelease(store.apply("gradient mini-batch"), s -> new GradientTrainer(config.model(),
                    new GradientConfig(1, 3e-3, 128, 1e-6)).fit(s, start, List.of(), null, null));
        } finally {
            spark.stop(); // flushes the listener bus
        }
        Map<String, ResultBytesListener.Job> byLabel = new LinkedHashMap<>();
        for (ResultBytesListener.Job j : listener.jobs()) {
            byLabel.put(j.description, j);
        }
        // Per kind of pass: the first pass of that kind (all passes of a kind weigh the same).
        Map<String, Map<String, Object>> kinds = new LinkedHashMap<>();
        long baseline = 0;
        for (PassRecord r : passes) {
            ResultBytesListener.Job j = byLabel.get(r.label());
            if (j == null) {
                throw new IllegalStateException("no Spark job ran under '" + r.label() + "'");
            }
            if (r.kind().startsWith("baseline")) {
                baseline = j.resultBytes / Math.max(1, j.resultTasks);
            }
            Map<String, Object> k = kinds.get(r.kind());
            if (k != null) {
                k.put("passes", (Integer) k.get("passes") + 1);
                continue;
            }
            kinds.put(r.kind(), Json.object("pass", r.kind(), "passes", 1, "numbersPerPartition (formula)", r.numbers(),
                    "formulaBytes (8 per number)", 8 * r.numbers(), "kryoSerializedStatisticsBytes", r.kryoBytes(),
                    "javaSerializedStatisticsBytes", r.javaBytes(), "resultTasks", j.resultTasks,
                    "measuredResultBytesPerTask", j.resultBytes / Math.max(1, j.resultTasks),
                    "measuredResultBytesToDriver", j.resultBytes, "shuffleTasks", j.shuffleTasks,
                    "shuffleBytesWritten", j.shuffleBytes));
        }
        for (Map<String, Object> k : kinds.values()) {
            long perTask = (Long) k.get("measuredResultBytesPerTask");
            long formula = (Long) k.get("formulaBytes (8 per number)");
            k.put("measuredMinusBaseline", perTask - baseline);
            k.put("ratio (measured - baseline) / formula", formula == 0 ? null
                    : Env.round((double) (perTask - baseline) / formula, 4));
        }
        Map<String, Object> run = Json.object("m", m, "partitions", partitions, "hidden", hidden, "inputsWithBias", pb,
                "outputs", q, "treeReduceDepth", depth, "baselineResultBytesPerTask", baseline,
                "passes", new ArrayList<>(kinds.values()));
        System.out.printf("m = %d, %d partitions (baseline task result: %d bytes)%n", m, partitions, baseline);
        for (Map<String, Object> k : kinds.values()) {
            System.out.printf("  %-40s numbers %9d  formula %10d B  kryo %10d B  measured/task %10d B  x%d tasks  shuffle %d B%n",
                    k.get("pass"), k.get("numbersPerPartition (formula)"), k.get("formulaBytes (8 per number)"),
                    k.get("kryoSerializedStatisticsBytes"), k.get("measuredResultBytesPerTask"), k.get("resultTasks"),
                    k.get("shuffleBytesWritten"));
        }
        return run;
    }

    /**
     * The exact count of numbers (doubles, longs, ints) in one partition's statistics for a pass, with
     * n hidden units, P = p + 1 inputs with the bias, q outputs. MetricSums holds 5 (loss, correct,
     * squared error, count, outputs).
     */
    public static long numbers(String kind, int n, int pb, int q) {
        long metric = 5;
        long ab = (long) n * (n + pb) + (long) n * n + (long) n * pb + 2; // G, X X^T, X U^T, divergence, count
        long params = (long) n * n + (long) n * pb + (long) q * n + (long) q * pb; // A, B, C, D
        return switch (kind) {
            case "Initialize" -> (long) pb * pb + 1; // U U^T, count
            case "RecipeState (with Gram)" -> ab + 1 + metric; // + relaxed objective
            case "RecipeState" -> (long) n * (n + pb) + 2 + 1 + metric; // the Gram blocks came with the re-sync
            case "PaperState" -> ab + 1;
            case "Resync", "Readout (with Gram)" -> (long) q * (n + pb) + (long) n * n + (long) n * pb + metric;
            case "Readout" -> (long) q * (n + pb) + metric;
            case "Evaluation" -> metric;
            case "FullGradient" -> params + metric + 2; // + forward and adjoint iterations
            case "CountPoints" -> 3; // points, blocks, the smallest block's points
            case "LocalSteps" -> 3 * params + 1 + 1 + metric + 3; // parameters, Adam m and v, Adam steps, points,
            // metrics, batches, forward and adjoint iterations
            default -> throw new IllegalArgumentException("no formula for " + kind);
        };
    }

    /** Runs {@code fit} on the store, then releases the store. */
    private static void fitAndRelease(Labelled store, Consumer<BlockStore> fit) {
        try {
            fit.accept(store);
        } finally {
            store.release();
        }
    }

    static String kind(BlockStore.Task<?> task) {
        if (task instanceof Passes.Readout r) {
            return r.withGram() ? "Readout (with Gram)" : "Readout";
        }
        if (task instanceof Passes.RecipeState r) {
            return r.withGram() ? "RecipeState (with Gram)" : "RecipeState";
        }
        return task.getClass().getSimpleName();
    }

    /** Runs every pass of the wrapped store under a job description naming it, and weighs its result. */
    private static final class Labelled implements BlockStore {
        private final JavaSparkContext sc;
        private final SparkBlockStore store;
        private final List<PassRecord> passes;
        private final String solver;
        private final int n;
        private final int pb;
        private final int q;

        Labelled(JavaSparkContext sc, SparkBlockStore store, List<PassRecord> passes, String solver, int n, int pb, int q) {
            this.sc = sc;
            this.store = store;
            this.passes = passes;
            this.solver = solver;
            this.n = n;
            this.pb = pb;
            this.q = q;
        }

        @Override
        public <S extends Summable<S>> S pass(ImplicitModel parameters, Task<S> task) {
            String kind = kind(task);
            String label = "#" + passes.size() + " " + solver + ": " + kind;
            sc.setJobDescription(label);
            S total;
            try {
                total = store.pass(parameters, task);
            } finally {
                sc.setJobDescription(null);
            }
            passes.add(new PassRecord(label, solver + ": " + kind, kryoSize(total), javaSize(total), numbers(kind, n, pb, q)));
            return total;
        }

        @Override
        public void roundStarted(int round) {
            store.roundStarted(round);
        }

        @Override
        public void roundCompleted(int round) {
            store.roundCompleted(round);
        }

        @Override
        public void release() {
            store.release();
        }
    }

    /** The size of {@code value} through Spark's configured serializer (Kryo with the job's registrator). */
    static long kryoSize(Object value) {
        return SparkEnv.get().serializer().newInstance()
                .serialize(value, scala.reflect.ClassTag$.MODULE$.apply(Object.class)).remaining();
    }

    static long javaSize(Object value) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(value);
            }
            return bytes.size();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
