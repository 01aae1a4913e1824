package org.idl.bench;

import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.ImplicitModel;
import org.idl.train.LocalBlockStore;
import org.idl.train.Loss;
import org.idl.train.bcd.BcdConfig;
import org.idl.train.bcd.BcdTrainer;
import org.idl.train.bcd.Schedule;
import org.jfree.chart.JFreeChart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Section 7.1 of the paper: a synthetic two-layer tanh network learned by BCD on the Fenchel
 * relaxation and by RMSProp backpropagation, over many trials (paper figure 1 and its RMSE gaps).
 *
 * <pre>
 *   bench/run paper-7.1 [--trials 50] [--seed 1] [--out bench/results/paper]
 * </pre>
 *
 * Per trial: a teacher {@code y = W3 tanh(W2 tanh(W1 u))}, p = 20, q = 5, W1 12x20, W2 6x12, W3 5x6,
 * entries 0 with probability 0.7, else Uniform[-0.5, 0.5]; no bias, no noise; m = 1000 training
 * inputs ~ N(0, Sigma), 500 test inputs ~ N(0, Sigma') with an independent covariance (the paper's
 * distribution shift), {@code Sigma = M M^T + 0.1 I}, M p x p Uniform[-0.5, 0.5] (see {@link #inputs}).
 * Methods, all on the same data, from starts drawn per method:
 * <ul>
 *   <li>{@code rmsprop}: {@link RmsProp} with the paper's MATLAB settings, 150 full-batch iterations;</li>
 *   <li>{@code rmsprop-long}: the same runs continued to 1000 iterations, a converged reference;</li>
 *   <li>{@code bcd-7.1}: {@link LayerwiseBcd}, the BCD the section describes (lambda2 = eps on layer 2,
 *       lambda1 = eps^2 on layer 1, as in its equation and code), 5 rounds;</li>
 *   <li>{@code bcd-7.1-swapped}: the same with lambda = eps on layer 1 and eps^2 on layer 2, the rule
 *       stated in section 4.1;</li>
 *   <li>{@code trainer-paper}, {@code trainer-recipe}: this project's {@link BcdTrainer} (section 4.2's
 *       schedule and the recipe) on the implicit form of the network, n = 18, with the feedforward
 *       {@link org.idl.model.SparsityPattern}, the tanh divergence, squared loss, the 7.1 lambdas and mu.</li>
 * </ul>
 * Every RMSE is of the true model: the network with the learned weights.
 */
public final class Paper71 {

    static final Set<String> OPTIONS = Set.of("trials", "seed", "rounds", "eps", "mu", "rmsprop-iterations",
            "rmsprop-long-iterations", "lr", "m", "m-test", "out");

    static final int P = 20;
    static final int N1 = 12;
    static final int N2 = 6;
    static final int Q = 5;
    static final double ZERO = 0.7;

    /** The paper's figures (section 7.1): mean and standard deviation of RMSE(RMSProp) - RMSE(BCD) over 50 trials. */
    static final double PAPER_GAP_TRAIN = 1.1e-2;
    static final double PAPER_GAP_TRAIN_SD = 2.7e-2;
    static final double PAPER_GAP_TEST = -3e-3;
    static final double PAPER_GAP_TEST_SD = 2.9e-2;

    static final List<String> METHODS = List.of("rmsprop", "rmsprop-long", "bcd-7.1", "bcd-7.1-swapped",
            "trainer-paper", "trainer-recipe");

    /**
     * @param mu                    mu of the BcdTrainer runs (the formulation of 7.1 has no proxy state, hence no mu)
     * @param rmspropLongIterations the same RMSProp run continued, as a converged reference
     */
    record Setup(int trials, long seed, int rounds, double eps, double mu, int rmspropIterations,
                 int rmspropLongIterations, double lr, int m, int mTest) {
        static Setup of(Args a) {
            Setup s = new Setup(a.integer("trials", 50), a.longValue("seed", 1), a.integer("rounds", 5),
                    a.real("eps", 1e-3), a.real("mu", 1e-3), a.integer("rmsprop-iterations", 150),
                    a.integer("rmsprop-long-iterations", 1000), a.real("lr", 0.01), a.integer("m", 1000),
                    a.integer("m-test", 500));
            if (s.trials < 1 || s.rounds < 1 || s.rmspropIterations < 1 || s.m < 1 || s.mTest < 1) {
                throw new IllegalArgumentException("trials, rounds, rmsprop-iterations, m and m-test must be >= 1: " + s);
            }
            if (s.rmspropLongIterations < s.rmspropIterations) {
                throw new IllegalArgumentException("rmsprop-long-iterations (" + s.rmspropLongIterations
                        + ") must be >= rmsprop-iterations (" + s.rmspropIterations + ")");
            }
            return s;
        }
    }

    record Data(TwoLayerNet teacher, Matrix u, Matrix y, Matrix uTest, Matrix yTest) {
    }

    /** RMSE on the training and test sets, by iteration or round (index 0: the start). */
    record Run(double[] train, double[] test, double seconds) {
        double finalTrain() {
            return train[train.length - 1];
        }

        double finalTest() {
            return test[test.length - 1];
        }
    }

    record Trial(int index, Map<String, Run> runs, double trivialTrain, double trivialTest) {
    }

    record Report(Setup setup, List<Trial> trials, Map<String, Object> summary, String markdown) {
    }

    private Paper71() {
    }

    public static void main(String[] args) {
        Args a = new Args(args, OPTIONS);
        Setup setup = Setup.of(a);
        Path out = Path.of(a.string("out", "bench/results/paper"));
        Report report = run(setup, out, true);
        System.out.println();
        System.out.println(report.markdown());
        System.out.println("wrote " + out.resolve("paper-7.1.json") + ", " + out.resolve("paper-7.1.md") + ", "
                + out.resolve("paper-7.1-rmse.png") + ", " + out.resolve("paper-7.1-rmsprop.png"));
    }

    static Report run(Setup setup, Path out, boolean log) {
        List<Trial> trials = new ArrayList<>();
        for (int t = 0; t < setup.trials(); t++) {
            Trial trial = runTrial(t, setup);
            trials.add(trial);
            if (log) {
                StringBuilder line = new StringBuilder("trial " + t + ":");
                for (String key : METHODS) {
                    Run r = trial.runs().get(key);
                    line.append(String.format(java.util.Locale.ROOT, " %s %.4f/%.4f", key, r.finalTrain(), r.finalTest()));
                }
                System.out.println(line);
            }
        }
        Map<String, Object> summary = summary(trials);
        String markdown = markdown(setup, summary);
        write(setup, trials, summary, markdown, out);
        return new Report(setup, trials, summary, markdown);
    }

    static Data generate(long seed, int m, int mTest) {
        Random random = new Random(seed);
        TwoLayerNet teacher = TwoLayerNet.withoutBias(TwoLayerNet.sparseUniform(N1, P, ZERO, random),
                TwoLayerNet.sparseUniform(N2, N1, ZERO, random), TwoLayerNet.sparseUniform(Q, N2, ZERO, random));
        Matrix u = inputs(m, random);
        Matrix uTest = inputs(mTest, random);
        return new Data(teacher, u, teacher.predict(u), uTest, teacher.predict(uTest));
    }

    /**
     * m inputs ~ N(0, M M^T + 0.1 I), M p x p Uniform[-0.5, 0.5], drawn as {@code M z + sqrt(0.1) z'}.
     * The paper writes {@code Sigma = M M^T - lambda_min(M M^T) I}, which is singular; the data of its
     * published code (reference [18], data.mat) has the spectrum of {@code M M^T + 0.1 I} (smallest
     * eigenvalues of its training covariance 0.101, 0.116, 0.153, 0.21; those of M M^T + 0.1 I, median
     * over draws, 0.101, 0.119, 0.157, 0.217; of M M^T - lambda_min I, 0, 0.016, 0.055, 0.117).
     */
    static Matrix inputs(int m, Random random) {
        Matrix mix = TwoLayerNet.uniform(P, P, -0.5, 0.5, random);
        Matrix u = mix.times(Matrix.gaussian(P, m, 1.0, random));
        return u.addInPlace(Math.sqrt(0.1), Matrix.gaussian(P, m, 1.0, random));
    }

    static Trial runTrial(int t, Setup setup) {
        long base = setup.seed() * 1_000_003L + t;
        Data d = generate(base, setup.m(), setup.mTest());
        Map<String, Run> runs = new LinkedHashMap<>();

        // One RMSProp run; its first rmspropIterations are the paper's baseline, all of it the long reference.
        long start = System.nanoTime();
        RmsProp.Settings rs = new RmsProp.Settings(setup.rmspropLongIterations(), setup.lr(), 0.9, 1e-8, 1e-4, true);
        TwoLayerNet rmsStart = RmsProp.glorot(P, N1, N2, Q, true, new Random(base ^ 0x5DEECE66DL));
        RmsProp.Result rms = RmsProp.train(rmsStart, d.u(), d.y(), d.uTest(), d.yTest(), rs);
        double rmsSeconds = seconds(start);
        int k = setup.rmspropIterations() + 1;
        runs.put("rmsprop", new Run(java.util.Arrays.copyOf(rms.trainRmse(), k), java.util.Arrays.copyOf(rms.testRmse(), k),
                rmsSeconds * (k - 1) / setup.rmspropLongIterations()));
        runs.put("rmsprop-long", new Run(rms.trainRmse(), rms.testRmse(), rmsSeconds));

        // The BCD methods share their start: the paper's code draws W1, W2, W3 ~ Uniform[-0.5, 0.5].
        Random bcdRandom = new Random(base ^ 0x2545F4914F6CDD1DL);
        TwoLayerNet bcdStart = TwoLayerNet.withoutBias(TwoLayerNet.uniform(N1, P, -0.5, 0.5, bcdRandom),
                TwoLayerNet.uniform(N2, N1, -0.5, 0.5, bcdRandom), TwoLayerNet.uniform(Q, N2, -0.5, 0.5, bcdRandom));
        double eps = setup.eps();
        LayerwiseBcd.Settings ls = LayerwiseBcd.Settings.paper(eps).withRounds(setup.rounds());
        start = System.nanoTime();
        LayerwiseBcd.Result lw = LayerwiseBcd.train(bcdStart, d.u(), d.y(), d.uTest(), d.yTest(), ls);
        runs.put("bcd-7.1", new Run(lw.trainRmse(), lw.testRmse(), seconds(start)));
        start = System.nanoTime();
        LayerwiseBcd.Result sw = LayerwiseBcd.train(bcdStart, d.u(), d.y(), d.uTest(), d.yTest(),
                ls.withLambdas(eps * eps, eps));
        runs.put("bcd-7.1-swapped", new Run(sw.trainRmse(), sw.testRmse(), seconds(start)));

        for (Schedule schedule : new Schedule[] {Schedule.PAPER, Schedule.RECIPE}) {
            runs.put("trainer-" + schedule.spec(), trainer(schedule, setup, bcdStart, d));
        }
        double[] mean = rowMeans(d.y());
        return new Trial(t, runs, rmseOfConstant(mean, d.y()), rmseOfConstant(mean, d.yTest()));
    }

    /** This project's BcdTrainer on the implicit form of the network, from the same start as the BCD of 7.1. */
    static Run trainer(Schedule schedule, Setup setup, TwoLayerNet start, Data d) {
        long t0 = System.nanoTime();
        double eps = setup.eps();
        double[] lambda = new double[N1 + N2];
        for (int i = 0; i < lambda.length; i++) {
            lambda[i] = i < N2 ? eps : eps * eps; // state (x2; x1): layer 2 first
        }
        BcdConfig config = BcdConfig.builder().hidden(N1 + N2).activation(Activation.TANH).loss(Loss.SQUARED)
                .bias(false).lambdaPerUnit(lambda).mu(setup.mu()).schedule(schedule).rounds(setup.rounds())
                .ridge(1e-6 / setup.m()).structure(TwoLayerNet.pattern(P, N1, N2, Q)).build();
        double[] train = new double[setup.rounds() + 1];
        double[] test = new double[setup.rounds() + 1];
        ImplicitModel startModel = start.toImplicit();
        train[0] = TwoLayerNet.rmse(startModel.predict(d.u()), d.y());
        test[0] = TwoLayerNet.rmse(startModel.predict(d.uTest()), d.yTest());
        new BcdTrainer(config).fit(LocalBlockStore.split(d.u(), d.y(), 1), startModel, (round, state) -> {
            ImplicitModel model = state.model();
            train[round.round()] = TwoLayerNet.rmse(model.predict(d.u()), d.y());
            test[round.round()] = TwoLayerNet.rmse(model.predict(d.uTest()), d.yTest());
        });
        return new Run(train, test, seconds(t0));
    }

    // ---------------------------------------------------------------- summary and outputs

    static Map<String, Object> summary(List<Trial> trials) {
        Map<String, Object> s = new LinkedHashMap<>();
        double[] rmsTrain = finals(trials, "rmsprop", true);
        double[] rmsTest = finals(trials, "rmsprop", false);
        for (String key : METHODS) {
            double[] tr = finals(trials, key, true);
            double[] te = finals(trials, key, false);
            Map<String, Object> m = new LinkedHashMap<>();
            putMeanStd(m, "trainRmse", tr);
            putMeanStd(m, "testRmse", te);
            if (!key.equals("rmsprop")) {
                double[] gtr = Stats.minus(rmsTrain, tr);
                double[] gte = Stats.minus(rmsTest, te);
                putMeanStd(m, "gapTrain", gtr);
                putMeanStd(m, "gapTest", gte);
                int wins = 0;
                for (double g : gte) {
                    wins += g > 0 ? 1 : 0;
                }
                m.put("trialsBetterThanRmspropOnTest", wins);
            }
            double[] secs = trials.stream().mapToDouble(t -> t.runs().get(key).seconds()).toArray();
            m.put("secondsMean", Stats.mean(secs));
            m.put("meanTrainRmseByStep", Stats.columnMeans(trials.stream().map(t -> t.runs().get(key).train())
                    .toArray(double[][]::new)));
            m.put("meanTestRmseByStep", Stats.columnMeans(trials.stream().map(t -> t.runs().get(key).test())
                    .toArray(double[][]::new)));
            s.put(key, m);
        }
        Map<String, Object> trivial = new LinkedHashMap<>();
        double[] tt = trials.stream().mapToDouble(Trial::trivialTrain).toArray();
        double[] te = trials.stream().mapToDouble(Trial::trivialTest).toArray();
        putMeanStd(trivial, "trainRmse", tt);
        putMeanStd(trivial, "testRmse", te);
        s.put("trivial-mean-predictor", trivial);
        return s;
    }

    /** {@code <name>Mean} and {@code <name>Std} of the values over trials (what {@link #pm} reads back). */
    private static void putMeanStd(Map<String, Object> m, String name, double[] values) {
        m.put(name + "Mean", Stats.mean(values));
        m.put(name + "Std", Stats.std(values));
    }

    @SuppressWarnings("unchecked")
    static String markdown(Setup setup, Map<String, Object> summary) {
        StringBuilder md = new StringBuilder();
        md.append("Section 7.1, ").append(setup.trials()).append(" trials (seed ").append(setup.seed())
                .append("), m = ").append(setup.m()).append(" train / ").append(setup.mTest()).append(" test, BCD ")
                .append(setup.rounds()).append(" rounds, eps = ").append(Stats.sci(setup.eps())).append(", RMSProp ")
                .append(setup.rmspropIterations()).append(" iterations (lr ").append(setup.lr())
                .append("), BcdTrainer mu = ").append(Stats.sci(setup.mu())).append(". RMSE = sqrt(||Yhat - Y||_F^2 / m) of the true model; gap = RMSE(RMSProp) - RMSE(method), mean ± sd over trials.\n\n");
        md.append("| method | train RMSE | test RMSE | gap train | gap test | test better than RMSProp | s/trial |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (String key : METHODS) {
            Map<String, Object> m = (Map<String, Object>) summary.get(key);
            md.append("| ").append(label(key, setup)).append(" | ")
                    .append(pm(m, "trainRmse", false)).append(" | ").append(pm(m, "testRmse", false)).append(" | ");
            if (m.containsKey("gapTrainMean")) {
                md.append(pm(m, "gapTrain", true)).append(" | ").append(pm(m, "gapTest", true)).append(" | ")
                        .append(m.get("trialsBetterThanRmspropOnTest")).append("/").append(setup.trials());
            } else {
                md.append(" | | ");
            }
            md.append(" | ").append(Stats.fixed((double) m.get("secondsMean"), 2)).append(" |\n");
        }
        Map<String, Object> tr = (Map<String, Object>) summary.get("trivial-mean-predictor");
        md.append("| predict the training mean | ").append(pm(tr, "trainRmse", false)).append(" | ")
                .append(pm(tr, "testRmse", false)).append(" | | | | |\n");
        md.append("| paper (50 trials) | | | ").append(Stats.sci(PAPER_GAP_TRAIN)).append(" ± ")
                .append(Stats.sci(PAPER_GAP_TRAIN_SD)).append(" | ").append(Stats.sci(PAPER_GAP_TEST)).append(" ± ")
                .append(Stats.sci(PAPER_GAP_TEST_SD)).append(" | | |\n");
        return md.toString();
    }

    static String label(String key, Setup setup) {
        return switch (key) {
            case "rmsprop" -> "RMSProp, " + setup.rmspropIterations() + " it. (the paper's baseline)";
            case "rmsprop-long" -> "RMSProp, same runs at " + setup.rmspropLongIterations() + " it.";
            case "bcd-7.1" -> "BCD of 7.1: lambda = eps (layer 2), eps^2 (layer 1)";
            case "bcd-7.1-swapped" -> "BCD of 7.1, lambda swapped: eps (layer 1), eps^2 (layer 2)";
            case "trainer-paper" -> "BcdTrainer, paper schedule (4.2), feedforward pattern";
            case "trainer-recipe" -> "BcdTrainer, recipe, feedforward pattern";
            default -> key;
        };
    }

    private static String pm(Map<String, Object> m, String key, boolean scientific) {
        double mean = (double) m.get(key + "Mean");
        double sd = (double) m.get(key + "Std");
        return scientific ? Stats.sci(mean) + " ± " + Stats.sci(sd) : Stats.fixed(mean, 4) + " ± " + Stats.fixed(sd, 4);
    }

    @SuppressWarnings("unchecked")
    static void write(Setup setup, List<Trial> trials, Map<String, Object> summary, String markdown, Path out) {
        List<Object> per = new ArrayList<>();
        for (Trial t : trials) {
            Map<String, Object> m = Json.object("trial", t.index());
            for (String key : METHODS) {
                Run r = t.runs().get(key);
                m.put(key, new double[] {r.finalTrain(), r.finalTest()});
            }
            m.put("trivial", new double[] {t.trivialTrain(), t.trivialTest()});
            per.add(m);
        }
        Map<String, Object> json = Json.object(
                "experiment", "paper section 7.1: synthetic two-layer tanh network, BCD against RMSProp",
                "setup", Json.object("trials", setup.trials(), "seed", setup.seed(), "bcdRounds", setup.rounds(),
                        "eps", setup.eps(), "trainerMu", setup.mu(), "rmspropIterations", setup.rmspropIterations(),
                        "rmspropLongIterations", setup.rmspropLongIterations(), "rmspropLearningRate", setup.lr(),
                        "m", setup.m(), "mTest", setup.mTest(), "rmse", "sqrt(||Yhat - Y||_F^2 / m), of the true model"),
                "paper", Json.object("gapTrainMean", PAPER_GAP_TRAIN, "gapTrainStd", PAPER_GAP_TRAIN_SD,
                        "gapTestMean", PAPER_GAP_TEST, "gapTestStd", PAPER_GAP_TEST_SD),
                "summary", summary, "perTrialFinalTrainTestRmse", per);
        try {
            Files.createDirectories(out);
            Files.writeString(out.resolve("paper-7.1.json"), Json.write(json));
            Files.writeString(out.resolve("paper-7.1.md"), markdown);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        // Figure 1: RMSE by BCD round, mean over trials, against RMSProp's final RMSE.
        List<Charts.Line> lines = new ArrayList<>();
        java.awt.Color[] colors = {Charts.BLUE, Charts.GREEN, Charts.PURPLE, Charts.ORANGE};
        int c = 0;
        for (String key : METHODS.subList(2, METHODS.size())) {
            Map<String, Object> m = (Map<String, Object>) summary.get(key);
            lines.add(Charts.Line.of(key + " train", (double[]) m.get("meanTrainRmseByStep"), colors[c], false, true));
            lines.add(Charts.Line.of(key + " test", (double[]) m.get("meanTestRmseByStep"), colors[c], true, true));
            c++;
        }
        Map<String, Object> rms = (Map<String, Object>) summary.get("rmsprop");
        lines.add(constant("RMSProp (" + setup.rmspropIterations() + " it.) train", (double) rms.get("trainRmseMean"),
                setup.rounds(), Charts.RED, false));
        lines.add(constant("RMSProp test", (double) rms.get("testRmseMean"), setup.rounds(), Charts.RED, true));
        JFreeChart fc = Charts.lines("RMSE across BCD rounds, mean over " + setup.trials()
                + " trials (paper figure 1; log scale)", "BCD round (0: random start)", "RMSE", lines);
        Charts.logRange(fc);
        Charts.save(fc, out.resolve("paper-7.1-rmse.png"), 900, 600);

        Map<String, Object> rmsLong = (Map<String, Object>) summary.get("rmsprop-long");
        Map<String, Object> bcd = (Map<String, Object>) summary.get("bcd-7.1");
        double[] bcdTrain = (double[]) bcd.get("meanTrainRmseByStep");
        double[] bcdTest = (double[]) bcd.get("meanTestRmseByStep");
        int last = setup.rmspropLongIterations();
        double[] longTrain = (double[]) rmsLong.get("meanTrainRmseByStep");
        double low = Double.POSITIVE_INFINITY;
        for (double v : longTrain) {
            low = Math.min(low, v);
        }
        List<Charts.Line> rl = List.of(
                Charts.Line.of("RMSProp train", (double[]) rmsLong.get("meanTrainRmseByStep"), Charts.RED, false, false),
                Charts.Line.of("RMSProp test", (double[]) rmsLong.get("meanTestRmseByStep"), Charts.RED, true, false),
                new Charts.Line("iteration " + setup.rmspropIterations() + " (the paper's stop)",
                        new double[] {setup.rmspropIterations(), setup.rmspropIterations()},
                        new double[] {0.8 * Math.min(low, bcdTrain[bcdTrain.length - 1]), longTrain[0]}, Charts.GRAY, true,
                        false),
                constant("BCD of 7.1 after " + setup.rounds() + " rounds, train", bcdTrain[bcdTrain.length - 1], last,
                        Charts.BLUE, false),
                constant("BCD of 7.1 after " + setup.rounds() + " rounds, test", bcdTest[bcdTest.length - 1], last,
                        Charts.BLUE, true));
        JFreeChart rc = Charts.lines("RMSProp RMSE by iteration, mean over " + setup.trials() + " trials (log scale)",
                "iteration", "RMSE", rl);
        Charts.logRange(rc);
        Charts.save(rc, out.resolve("paper-7.1-rmsprop.png"), 900, 520);
    }

    private static Charts.Line constant(String name, double value, int rounds, java.awt.Color color, boolean dashed) {
        return new Charts.Line(name, new double[] {0, rounds}, new double[] {value, value}, color, dashed, false);
    }

    private static double[] finals(List<Trial> trials, String key, boolean train) {
        return trials.stream().mapToDouble(t -> train ? t.runs().get(key).finalTrain() : t.runs().get(key).finalTest())
                .toArray();
    }

    private static double[] rowMeans(Matrix y) {
        double[] mean = new double[y.rows()];
        for (int c = 0; c < y.cols(); c++) {
            for (int i = 0; i < y.rows(); i++) {
                mean[i] += y.get(i, c) / y.cols();
            }
        }
        return mean;
    }

    private static double rmseOfConstant(double[] value, Matrix y) {
        double s = 0;
        for (int c = 0; c < y.cols(); c++) {
            for (int i = 0; i < y.rows(); i++) {
                double r = y.get(i, c) - value[i];
                s += r * r;
            }
        }
        return Math.sqrt(s / y.cols());
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
