package org.idl.bench.perf;

import org.idl.bench.Args;
import org.idl.bench.Json;
import org.idl.linalg.Matrix;
import org.idl.linalg.SymmetricEigen;
import org.idl.model.ImplicitModel;
import org.idl.train.DataBlock;
import org.idl.train.TrainingResult;
import org.idl.train.bcd.ABStep;
import org.idl.train.bcd.BcdConfig;
import org.idl.train.bcd.BcdTrainer;
import org.idl.train.bcd.ReadoutStep;
import org.idl.train.bcd.XStep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a BCD round's time goes inside the partitions' work: the real {@link BcdTrainer} (recipe
 * schedule) drives a {@link ProfilingStore} holding the data in one or more blocks in this JVM, which
 * times each step of each pass; the driver's solves are the round minus its passes, and are timed
 * again on their own afterwards to split them into the (A,B) FISTA and the readout solves. Each
 * segment's BLAS-3 FLOPs ({@link Flops}) over its CPU time give its GFLOP/s, set against dgemm
 * measured in the same JVM at 1000^3 and at the shapes of the problem.
 *
 * <pre>
 * PartitionProfile --root . --data mnist [--limit 60000] [--blocks 2] [--rounds 5] [--hidden 100]
 *                  [--out bench/results/perf/partition-profile-mnist.json] [--check]
 * </pre>
 */
public final class PartitionProfile {
    static final Set<String> OPTIONS = Set.of("root", "data", "limit", "blocks", "rounds", "hidden", "check",
            "dgemm-seconds", "out");

    private PartitionProfile() {
    }

    public static void main(String[] args) throws Exception {
        Args o = new Args(args, OPTIONS);
        Map<String, Object> result = run(o.path("root", "."), o.string("data", "mnist"), o.integer("limit", 0),
                o.integer("blocks", 2), o.integer("rounds", 5), o.integer("hidden", 100), o.flag("check"),
                o.real("dgemm-seconds", 1.0));
        Env.writeJsonIfAsked(o.string("out", null), result);
    }

    public static Map<String, Object> run(Path root, String data, int limit, int blockCount, int roundCount, int hidden,
                                          boolean check, double dgemmSeconds) throws Exception {
        Map<String, Object> env = Env.describe();
        BenchData.Split split = BenchData.load(root, data);
        BenchData.Set train = limit > 0 ? split.train().first(limit) : split.train();
        int q = split.train().classes();
        Matrix[] uy = BenchData.augmented(train, BenchData.standardizer(train), q);
        Matrix u = uy[0];
        Matrix y = uy[1];
        int m = u.cols();
        int pb = u.rows();
        List<DataBlock> list = BenchData.blocks(u, y, blockCount);
        u = null;
        BcdConfig config = BcdConfig.builder().hidden(hidden).rounds(roundCount).build();
        ProfilingStore store = new ProfilingStore(list, check);
        List<Double> trainAccuracy = new ArrayList<>();
        System.out.printf("profiling %d rounds of the recipe on %s: m = %d in %d block(s), n = %d, p+1 = %d, q = %d%n",
                roundCount, data, m, blockCount, hidden, pb, q);
        Clock.Reading t0 = Clock.now();
        TrainingResult fit = new BcdTrainer(config).fit(store, pb - 1, q,
                (round, state) -> {
                    trainAccuracy.add(round.train().accuracy());
                    System.out.printf("round %d: train accuracy %.4f, %.2f s%n", round.round(), round.train().accuracy(),
                            round.seconds());
                }, null);
        Clock.Span training = Clock.now().since(t0);

        Map<String, Object> out = Json.object("what", "BCD recipe round split inside the partitions' work (PartitionProfile)",
                "environment", env,
                "setting", Json.object("data", data, "m", m, "blocks", blockCount, "hidden", hidden, "inputsWithBias", pb,
                        "outputs", q, "rounds", roundCount, "pStepIterations", config.pStepIterations(),
                        "abIterations", config.abIterations(), "readoutPasses", config.readoutPasses(), "check", check),
                "trainAccuracyPerRound", trainAccuracy, "trainingSeconds", Env.round(training.wall(), 3));
        if (check) {
            out.put("checkedBlocks", store.checkedBlocks());
            return out;
        }

        // Per-round segments; the summary is the median over rounds 2.. (round 1 starts from A = 0).
        List<ProfilingStore.Round> rs = store.rounds();
        int skip = rs.size() >= 3 ? 1 : 0;
        List<Map<String, Object>> perRound = new ArrayList<>();
        for (ProfilingStore.Round r : rs) {
            Map<String, Object> seg = new LinkedHashMap<>();
            r.segments().time().forEach((k, v) -> seg.put(k, List.of(Env.round(v.wall(), 4), Env.round(v.threadCpu(), 4))));
            seg.put("driver solves (round - passes)", List.of(Env.round(r.driver().wall(), 4),
                    Env.round(r.driver().threadCpu(), 4)));
            perRound.add(Json.object("round", r.round(), "wallSeconds", Env.round(r.total().wall(), 4),
                    "threadCpuSeconds", Env.round(r.total().threadCpu(), 4),
                    "processCpuSeconds", Env.round(r.total().processCpu(), 4), "picardIterations", r.picardIterations(),
                    "segments [wall, threadCpu] seconds", seg));
        }
        out.put("rounds", perRound);

        // Driver solves on their own, on the last round's statistics: (A,B) FISTA and one readout solve.
        ImplicitModel ms = store.lastStateModel();
        SymmetricEigen uuBasis = SymmetricEigen.of(store.uu()); // once per fit in the trainer
        double abSeconds = medianSeconds(3, () -> ABStep.solve(store.lastState().ab(), store.uu(), ms.a(), ms.b(),
                config.lambdas(), config.kappa(), config.penaltyB(), ms.inputs(), null, config.abIterations(), null,
                uuBasis));
        double abCpu = lastCpu;
        ImplicitModel mr = store.lastResyncModel();
        ReadoutStep.Statistics st = store.lastResync();
        double roSeconds = medianSeconds(3, () -> ReadoutStep.solve(st, st.ss(), st.su(), store.uu(), mr.c(), mr.d(),
                config.loss(), config.ridge(), config.penaltyC(), config.penaltyD(), mr.inputs(), null,
                config.abIterations()));
        double roCpu = lastCpu;

        // The X-step (paper schedule; the recipe has none), once on block 0 for reference.
        DataBlock b0 = store.blocks().get(0);
        ImplicitModel fm = fit.model();
        Matrix bu0 = fm.b().times(b0.u());
        Clock.Reading x0 = Clock.now();
        XStep.solve(config.activation(), config.lambdas(), config.mu(), fm.a(), bu0, b0.p(), b0.x(),
                config.xStepIterations());
        Clock.Span xs = Clock.now().since(x0);
        double xFlops = Flops.xStep(hidden, b0.size(), config.xStepIterations());

        // dgemm in this JVM: 1000^3 and the shapes of the problem (per block of mb columns).
        int mb = list.get(0).size();
        int nn = hidden + pb;
        List<DgemmRate.Rate> rates = List.of(
                DgemmRate.measure("1000 x 1000 x 1000", 1000, 1000, 1000, false, dgemmSeconds),
                DgemmRate.measure("B U: n x mb x (p+1)", hidden, mb, pb, false, dgemmSeconds),
                DgemmRate.measure("R U^T: n x (p+1) x mb", hidden, pb, mb, true, dgemmSeconds),
                DgemmRate.measure("A X: n x mb x n", hidden, mb, hidden, false, dgemmSeconds),
                DgemmRate.measure("C P: q x mb x n", q, mb, hidden, false, dgemmSeconds),
                DgemmRate.measure("driver (W - W0) K: n x N x N", hidden, nn, nn, false, dgemmSeconds));
        List<Map<String, Object>> rateJson = new ArrayList<>();
        for (DgemmRate.Rate r : rates) {
            rateJson.add(r.json());
        }
        out.put("dgemm", rateJson);

        // Summary table: median over rounds of each segment, FLOPs per round, GFLOP/s.
        Map<String, List<double[]>> bySegment = new LinkedHashMap<>();
        Map<String, Double> flopsBySegment = new LinkedHashMap<>();
        for (ProfilingStore.Round r : rs.subList(skip, rs.size())) {
            r.segments().time().forEach((k, v) -> bySegment.computeIfAbsent(k, x -> new ArrayList<>())
                    .add(new double[]{v.wall(), v.threadCpu()}));
            r.segments().flops().forEach((k, v) -> flopsBySegment.merge(k, v / (rs.size() - skip), Double::sum));
            bySegment.computeIfAbsent("driver solves (round - passes)", x -> new ArrayList<>())
                    .add(new double[]{r.driver().wall(), r.driver().threadCpu()});
            bySegment.computeIfAbsent("round", x -> new ArrayList<>())
                    .add(new double[]{r.total().wall(), r.total().threadCpu()});
        }
        double driverFlops = Flops.abSolveRotated(hidden, pb, config.abIterations(), 0)
                + config.readoutPasses() * Flops.readoutSolve(hidden, pb, q);
        flopsBySegment.put("driver solves (round - passes)", driverFlops);
        List<Map<String, Object>> table = new ArrayList<>();
        double partitionFlops = 0;
        double partitionCpu = 0;
        double partitionWall = 0;
        for (var e : bySegment.entrySet()) {
            String k = e.getKey();
            double wall = Env.median(e.getValue().stream().mapToDouble(v -> v[0]).toArray());
            double cpu = Env.median(e.getValue().stream().mapToDouble(v -> v[1]).toArray());
            double flop = k.equals("round") ? Double.NaN : flopsBySegment.getOrDefault(k, 0.0);
            table.add(Json.object("segment", k, "wallSeconds", Env.round(wall, 4), "threadCpuSeconds", Env.round(cpu, 4),
                    "gflop", Double.isNaN(flop) ? null : Env.round(flop / 1e9, 3),
                    "gflopsPerCpuSecond", Double.isNaN(flop) || cpu <= 0 || flop == 0 ? null : Env.round(flop / cpu / 1e9, 2)));
            if (!k.equals("round") && !k.startsWith("driver")) {
                partitionFlops += flop;
                partitionCpu += cpu;
                partitionWall += wall;
            }
        }
        table.add(Json.object("segment", "all partition work (sum of the above)",
                "wallSeconds", Env.round(partitionWall, 4), "threadCpuSeconds", Env.round(partitionCpu, 4),
                "gflop", Env.round(partitionFlops / 1e9, 3),
                "gflopsPerCpuSecond", Env.round(partitionFlops / partitionCpu / 1e9, 2)));
        out.put("summaryMedianOverRounds", skip == 1 ? "rounds 2.." + rs.size() : "all rounds");
        out.put("summary", table);

        out.put("driverSolvesAlone", Json.object(
                "abSolveSeconds [wall, threadCpu]", List.of(Env.round(abSeconds, 4), Env.round(abCpu, 4)),
                "abSolveGflop", Env.round(Flops.abSolveRotated(hidden, pb, config.abIterations(), 0) / 1e9, 3),
                "readoutSolveSeconds (one of " + config.readoutPasses() + " per round) [wall, threadCpu]",
                List.of(Env.round(roSeconds, 4), Env.round(roCpu, 4)),
                "readoutSolveGflop", Env.round(Flops.readoutSolve(hidden, pb, q) / 1e9, 3)));
        out.put("xStepOnceOnBlock0 (paper schedule only)", Json.object("columns", b0.size(),
                "iterations", config.xStepIterations(), "wallSeconds", Env.round(xs.wall(), 4),
                "threadCpuSeconds", Env.round(xs.threadCpu(), 4), "gflop", Env.round(xFlops / 1e9, 3),
                "gflopsPerCpuSecond", Env.round(xFlops / xs.threadCpu() / 1e9, 2)));
        printTable(table, rates);
        return out;
    }

    private static double lastCpu;

    private static double medianSeconds(int reps, Runnable r) {
        double[] wall = new double[reps];
        double[] cpu = new double[reps];
        for (int i = 0; i < reps; i++) {
            Clock.Reading t = Clock.now();
            r.run();
            Clock.Span s = Clock.now().since(t);
            wall[i] = s.wall();
            cpu[i] = s.threadCpu();
        }
        lastCpu = Env.median(cpu);
        return Env.median(wall);
    }

    private static void printTable(List<Map<String, Object>> table, List<DgemmRate.Rate> rates) {
        System.out.printf("%-55s %9s %9s %9s %9s%n", "segment (median per round)", "wall s", "cpu s", "GFLOP", "GFLOP/s");
        for (Map<String, Object> r : table) {
            System.out.printf("%-55s %9s %9s %9s %9s%n", r.get("segment"), r.get("wallSeconds"), r.get("threadCpuSeconds"),
                    r.get("gflop"), r.get("gflopsPerCpuSecond"));
        }
        for (DgemmRate.Rate r : rates) {
            System.out.printf("dgemm %-35s %8.1f GFLOP/s per CPU-s, %8.1f per wall-s%n", r.shape(), r.gflopsThreadCpu(),
                    r.gflopsWall());
        }
    }
}
