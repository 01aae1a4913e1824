package org.idl.bench.perf;

import org.idl.bench.Args;
import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.train.BlockStore;
import org.idl.train.DataBlock;
import org.idl.train.Evaluation;
import org.idl.train.LocalBlockStore;
import org.idl.train.Loss;
import org.idl.train.MetricSums;
import org.idl.train.ModelSettings;
import org.idl.train.bcd.BcdConfig;
import org.idl.train.bcd.BcdTrainer;
import org.idl.train.bcd.Schedule;
import org.idl.train.Summable;
import org.idl.train.gradient.GradientConfig;
import org.idl.train.gradient.GradientTrainer;
import org.idl.train.gradient.IntervalTraining;
import org.idl.robust.IntervalBounds;
import org.idl.train.gradient.StepSchedule;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The gradient solver, or BCD with the minibatch schedule ({@code --solver bcd}), on K partitions, simulated in one JVM: the same blocks, the same passes and the
 * same model as Spark with K partitions (the store does not change the math), with each block's work
 * timed as one task's. Per epoch it records the test accuracy of the true model, the passes (Spark
 * jobs) and the slowest task's compute summed over the epoch's passes, what a round costs on K
 * executors before Spark's per-job overhead.
 *
 * <pre>
 * bench/perf/run sweep --data mnist --partitions 32 --syncSteps 10 [--epochs 20] [--stopAfter 4] [--batch 128] [--lr 1e-3]
 * bench/perf/run sweep --solver bcd --data mnist --partitions 2 --batch 1000 --tauAB 0.3 --tauReadout 0.3 [--abIterations 20]
 *     [--initialReadoutPasses 30] [--seed 42]
 * bench/perf/run sweep --data mnist --radius 0.05 [--robustWeight 0.5] [--robustRamp 5] [--certifyEvery 5]
 * bench/perf/run sweep --solver bcd --bcdSchedule recipe --data mnist --radius 0.05 [--trainLimit 10000]
 * bench/perf/run sweep --data mnist --hidden 300 --rank 10
 * </pre>
 * {@code --rank k} trains A as factors of rank k; every run ends by timing the final model's predictions
 * on the test set (one thread, the best of 5).
 * {@code --radius} trains against the interval bound at that radius, in pixels scaled to [0, 1] (MNIST's
 * 0..255 divided by 255), and reports the test set's certified accuracy at it every {@code certifyEvery} epochs;
 * with {@code --solver bcd}, BCD's robust counterpart (recipe schedule) at that radius.
 * {@code --trainLimit N} trains on the first N training points only (quick experiments).
 */
public final class PartitionSweep {
    private static final Set<String> OPTIONS = Set.of("root", "data", "partitions", "syncSteps", "epochs", "stopAfter",
            "batch", "lr", "hidden", "schedule", "out", "solver", "tauAB", "tauReadout", "abIterations", "pIterations",
            "lambda", "tol", "curvatureAB", "ridge", "mu", "stepTol", "radius", "robustWeight", "robustRamp",
            "certifyEvery", "kappa", "rank", "bcdSchedule", "trainLimit", "readoutPasses", "initialReadoutPasses", "seed");

    private PartitionSweep() {
    }

    public static void main(String[] args) throws Exception {
        Args o = new Args(args, OPTIONS);
        Path root = o.path("root", ".");
        String data = o.string("data", "mnist");
        int partitions = o.integer("partitions", 2);
        int syncSteps = o.integer("syncSteps", GradientConfig.DEFAULT_SYNC_STEPS);
        int epochs = o.integer("epochs", 20);
        int stopAfter = o.integer("stopAfter", epochs);
        int batch = o.integer("batch", GradientConfig.DEFAULT_BATCH_SIZE);
        double lr = o.real("lr", 1e-3);
        int hidden = o.integer("hidden", 100);
        StepSchedule schedule = StepSchedule.parse(o.string("schedule", "cosine"));
        boolean bcd = o.string("solver", "gradient").equals("bcd");
        Path out = o.path("out", "bench/results/perf/sweep-" + data + "-k" + partitions
                + (bcd ? "-bcd-b" + batch : "-h" + syncSteps) + ".json");

        BenchData.Split split = BenchData.load(root, data);
        int trainLimit = o.integer("trainLimit", Integer.MAX_VALUE);
        if (trainLimit < split.train().features().length) {
            split = new BenchData.Split(split.name(), split.train().first(trainLimit), split.test(),
                    split.source() + ", first " + trainLimit + " training points");
        }
        double[][] scaler = BenchData.standardizer(split.train());
        int classes = split.train().classes();
        Matrix[] train = BenchData.augmented(split.train(), scaler, classes);
        Matrix[] test = BenchData.augmented(split.test(), scaler, classes);
        ModelSettings settings = new ModelSettings(hidden, o.real("kappa", 0.95), Loss.SOFTMAX_CROSS_ENTROPY,
                org.idl.model.Activation.RELU, true, o.integer("seed", 42), 1e-10);
        double radius = o.real("radius", 0);
        int certifyEvery = o.integer("certifyEvery", 5);
        // The radius in each standardised feature's units: 255 r / sd, 0 for a constant pixel.
        double[] radii = new double[split.train().dimension()];
        for (int j = 0; j < radii.length; j++) {
            radii[j] = scaler[1][j] == 0 ? 0 : 255 * radius / scaler[1][j];
        }
        GradientConfig config = new GradientConfig(epochs, lr, batch, GradientConfig.DEFAULT_TOLERANCE, schedule,
                syncSteps, radius > 0 ? new IntervalTraining(radii, o.real("robustWeight", 0.5),
                o.real("robustRamp", 5)) : null, o.integer("rank", 0));
        Matrix testInputs = test[0].block(0, split.test().dimension(), 0, test[0].cols());
        TaskClock store = new TaskClock(LocalBlockStore.split(train[0], train[1], partitions));
        LocalBlockStore testStore = LocalBlockStore.split(test[0], test[1], 1);
        ImplicitModel start = settings.initialModel(split.train().dimension(), classes, null);

        List<Map<String, Object>> rounds = new ArrayList<>();
        ImplicitModel[] last = new ImplicitModel[1];
        long t0 = System.nanoTime();
        class Stop extends RuntimeException {
        }
        BcdConfig bcdConfig = null;
        org.idl.train.TrainingListener listener = (round, state) -> {
                MetricSums t = testStore.pass(state.model(), new Evaluation(settings));
                TaskClock.Epoch e = store.epochs.get(round.round() - 1);
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("epoch", round.round());
                r.put("testAccuracy", t.accuracy());
                r.put("trainLoss", round.train().meanLoss());
                r.put("trainAccuracy", round.train().accuracy());
                r.put("passes", e.passes);
                r.put("slowestTaskSeconds", e.slowest);
                r.put("computeSeconds", e.total);
                r.put("roundSeconds", round.seconds());
                if (radius > 0 && (round.round() % certifyEvery == 0 || round.round() == epochs)) {
                    r.put("certifiedAccuracy", certifiedAccuracy(state.model(), testInputs, test[1], radii));
                    System.out.printf("epoch %d: certified accuracy %.4f at radius %s%n", round.round(),
                            (Double) r.get("certifiedAccuracy"), radius);
                }
                rounds.add(r);
                if (round.steps() != null) {
                    System.out.println("  driver steps " + round.steps());
                }
                last[0] = state.model();
                System.out.printf("K=%d %s epoch %d: test %.4f, train loss %.4f acc %.4f, %d passes, slowest task %.2f s"
                                + " (all tasks %.2f s), round %.2f s%n", partitions, bcd ? "b=" + batch : "H=" + syncSteps,
                        round.round(), t.accuracy(), round.train().meanLoss(), round.train().accuracy(), e.passes,
                        e.slowest, e.total, round.seconds());
                if (round.round() >= stopAfter) {
                    throw new Stop();
                }
            };
        try {
            if (bcd) {
                bcdConfig = BcdConfig.builder().hidden(hidden).rounds(epochs)
                        .schedule(Schedule.parse(o.string("bcdSchedule", "minibatch")))
                        .readoutPasses(o.integer("readoutPasses", 3))
                        .initialReadoutPasses(o.integer("initialReadoutPasses", 30))
                        .interval(config.interval())
                        .batchSize(batch).seed(o.integer("seed", 42)).proximalAB(o.real("tauAB", 0.3)).proximalReadout(o.real("tauReadout", 0.3))
                        .abIterations(o.integer("abIterations", 20)).pStepIterations(o.integer("pIterations", 20))
                        .lambda(o.real("lambda", 0.1)).mu(o.real("mu", o.real("lambda", 0.1))).ridge(o.real("ridge", 1e-4)).tolerance(o.real("tol", 1e-10))
                        .curvatureScaleAB(o.real("curvatureAB", 1.0)).stepSchedule(schedule)
                        .stepTolerance(o.real("stepTol", 1e-3)).build();
                new BcdTrainer(bcdConfig).fit(store, split.train().dimension(), classes, listener, null);
            } else {
                new GradientTrainer(settings, config).fit(store, start, List.of(), null, listener);
            }
        } catch (Stop done) {
            // stopped early on purpose
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("environment", Env.describe());
        json.put("data", data);
        json.put("partitions", partitions);
        json.put("solver", bcd ? "bcd minibatch" : "gradient");
        if (bcdConfig != null) {
            Map<String, Object> bcdSettings = new LinkedHashMap<>();
            bcdSettings.put("bcdBatchSize", bcdConfig.batchSize());
            bcdSettings.put("curvatureScaleAB", bcdConfig.curvatureScaleAB());
            bcdSettings.put("proximalAB", bcdConfig.proximalAB());
            bcdSettings.put("proximalReadout", bcdConfig.proximalReadout());
            bcdSettings.put("initialReadoutPasses", bcdConfig.initialReadoutPasses());
            bcdSettings.put("pStepIterations", bcdConfig.pStepIterations());
            bcdSettings.put("seed", bcdConfig.seed());
            bcdSettings.put("stepSchedule", bcdConfig.stepSchedule().spec());
            bcdSettings.put("ridge", bcdConfig.ridge());
            bcdSettings.put("lambda", bcdConfig.lambda());
            bcdSettings.put("mu", bcdConfig.mu());
            bcdSettings.put("tol", bcdConfig.tolerance());
            bcdSettings.put("stepTol", bcdConfig.stepTolerance());
            bcdSettings.put("abIterations", bcdConfig.abIterations());
            json.put("bcd", bcdSettings);
        }
        if (config.interval() != null) {
            json.put("robust", Map.of("radius", radius, "weight", config.interval().weight(), "rampRounds",
                    config.interval().rampRounds(), "kappa", settings.kappa()));
        }
        if (last[0] != null) {
            json.put("prediction", predictionTiming(last[0], testInputs, test[1]));
        }
        json.put("rank", config.rank());
        json.put("syncSteps", syncSteps);
        json.put("batch", batch);
        json.put("lr", lr);
        json.put("schedule", schedule.spec());
        json.put("epochs", epochs);
        json.put("hidden", hidden);
        json.put("seconds", (System.nanoTime() - t0) / 1e9);
        json.put("rounds", rounds);
        Env.writeJson(out, json);
        System.out.println("wrote " + out);
    }

    /** Seconds to predict the whole test set (the best of 5, after one unrecorded), accuracy, Picard iterations. */
    static Map<String, Object> predictionTiming(ImplicitModel model, Matrix u, Matrix y) {
        Matrix ua = model.augment(u);
        Matrix bu = model.b().times(ua);
        double best = Double.POSITIVE_INFINITY;
        Matrix predicted = null;
        for (int run = 0; run < 6; run++) {
            long t = System.nanoTime();
            predicted = model.predict(u);
            double s = (System.nanoTime() - t) / 1e9;
            if (run > 0) {
                best = Math.min(best, s);
            }
        }
        long good = 0;
        for (int c = 0; c < u.cols(); c++) {
            good += predicted.argmaxInColumn(c) == y.argmaxInColumn(c) ? 1 : 0;
        }
        int iterations = model.solver(ImplicitModel.DEFAULT_TOLERANCE).solve(bu, null).iterations();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seconds", best);
        out.put("points", u.cols());
        out.put("testAccuracy", (double) good / u.cols());
        out.put("picardIterations", iterations);
        out.put("infNormA", model.a().infNorm());
        System.out.printf("prediction of %d points: %.3f s (best of 5), accuracy %.4f, %d Picard iterations, rank %d%n",
                u.cols(), best, (double) good / u.cols(), iterations, model.rank());
        return out;
    }

    /** The share of points correctly predicted and certified by the interval bounds at the radii. */
    static double certifiedAccuracy(ImplicitModel model, Matrix u, Matrix y, double[] radii) {
        long good = 0;
        double stateWidth = 0;
        double outputWidth = 0;
        int step = 2000;
        for (int from = 0; from < u.cols(); from += step) {
            int to = Math.min(u.cols(), from + step);
            Matrix ub = u.columns(from, to);
            IntervalBounds.Result bounds = IntervalBounds.of(model, ub, radii);
            boolean[] sure = IntervalBounds.certified(model, ub, radii, bounds);
            stateWidth += width(bounds.states());
            outputWidth += width(bounds.outputs());
            Matrix predicted = model.predict(ub);
            for (int c = 0; c < sure.length; c++) {
                if (sure[c] && predicted.argmaxInColumn(c) == y.argmaxInColumn(from + c)) {
                    good++;
                }
            }
        }
        System.out.printf("  bounds' mean width: states %.3g, outputs %.3g; ||A||_inf %.3f%n", stateWidth / u.cols(),
                outputWidth / u.cols(), model.a().infNorm());
        return (double) good / u.cols();
    }

    /** Summed over the box's columns: the mean width of a column's entries. */
    private static double width(IntervalBounds.Box box) {
        Matrix w = box.upper().minus(box.lower());
        return java.util.Arrays.stream(w.data()).sum() / w.rows();
    }


    /** Times every block's task and groups the passes by round. */
    private static final class TaskClock implements BlockStore {
        private final LocalBlockStore store;
        final List<Epoch> epochs = new ArrayList<>();
        private Epoch current = new Epoch();

        static final class Epoch {
            int passes;
            double slowest;
            double total;
        }

        TaskClock(LocalBlockStore store) {
            this.store = store;
        }

        @Override
        public <S extends Summable<S>> S pass(ImplicitModel parameters, Task<S> task) {
            double[] slowest = {0};
            S sum = store.pass(parameters, new Task<S>() {
                @Override
                public Outcome<S> apply(ImplicitModel model, DataBlock block) {
                    long t = System.nanoTime();
                    Outcome<S> out = task.apply(model, block);
                    double s = (System.nanoTime() - t) / 1e9;
                    slowest[0] = Math.max(slowest[0], s);
                    current.total += s;
                    return out;
                }

                @Override
                public boolean changesStates() {
                    return task.changesStates();
                }
            });
            current.passes++;
            current.slowest += slowest[0];
            return sum;
        }

        @Override
        public void roundStarted(int round) {
            current = new Epoch();
        }

        @Override
        public void roundCompleted(int round) {
            epochs.add(current);
        }
    }
}
