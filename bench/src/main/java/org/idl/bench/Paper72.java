package org.idl.bench;

import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.ImplicitModel;
import org.idl.model.SparsityPattern;
import org.idl.train.Loss;
import org.idl.train.TrainingResult;
import org.idl.train.bcd.BcdConfig;
import org.idl.train.bcd.BcdTrainer;
import org.idl.train.bcd.Schedule;
import org.jfree.chart.JFreeChart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Section 7.2 of the paper: model recovery. A teacher implicit ReLU model with a column-sparse B
 * generates the data; a smaller implicit model trained by BCD with the column-group penalty (19)
 * should select the same input features (paper figure 2).
 *
 * <pre>
 *   bench/run paper-7.2 [--seed 1] [--lambda 5 --mu 0.01] [--out bench/results/paper]
 *   bench/run paper-7.2 --sweep 1,2,3,5,10:0.01,0.1,1      # recovery over a grid of lambda and mu
 * </pre>
 *
 * Teacher: n = 20, p = 100, q = 1, no bias; A with N(0, 1) entries, each row rescaled to L1 norm 0.5
 * (so {@code ||A||_inf = 0.5}); B zero but for k = {@code --nonzero} (10) columns chosen at random,
 * with N(0, 1/k) entries; C with N(0, 1/n) entries; D = 0; inputs N(0, I); no noise; m = 400
 * training points and 400 test points. Student: n = 10, ReLU, squared loss, no bias, kappa 0.95,
 * the penalty {@code weight * sum_j ||(B; D) e_j||_2} (19) with alpha = 2 (the Euclidean norm of each
 * column: block soft-thresholding) and the paper's weight 5 on the summed objective, i.e.
 * {@code groupBD = 5 / m} on this project's per-sample objective. The student's D is either held at 0
 * by a {@link SparsityPattern} (then (19) is the group norm of B's columns) or trained (then (19)
 * couples each column of B with D's, which BCD updates in another step). Both schedules. A column
 * counts as selected when its learned norm of (B; D) exceeds {@code --threshold} (1e-6) times the
 * largest.
 */
public final class Paper72 {

    static final Set<String> OPTIONS = Set.of("seed", "schedule", "student-d", "rounds", "lambda", "mu", "weight",
            "nonzero", "m", "m-test", "threshold", "teacher-hidden", "hidden", "inputs", "sweep", "out");

    record Setup(long seed, List<Schedule> schedules, List<Boolean> trainD, int rounds, double lambda, double mu,
                 double weight, int nonzero, int m, int mTest, double threshold, int teacherHidden, int hidden,
                 int inputs) {
        static Setup of(Args a) {
            String s = a.string("schedule", "both");
            List<Schedule> schedules = s.equals("both") ? List.of(Schedule.RECIPE, Schedule.PAPER)
                    : List.of(Schedule.parse(s));
            List<Boolean> trainD = switch (a.string("student-d", "both")) {
                case "both" -> List.of(false, true);
                case "zero" -> List.of(false);
                case "free" -> List.of(true);
                default -> throw new IllegalArgumentException("--student-d must be zero, free or both, got '"
                        + a.string("student-d", "") + "'");
            };
            Setup setup = new Setup(a.longValue("seed", 1), schedules, trainD, a.integer("rounds", 100),
                    a.real("lambda", 5), a.real("mu", 0.01), a.real("weight", 5), a.integer("nonzero", 10),
                    a.integer("m", 400), a.integer("m-test", 400), a.real("threshold", 1e-6),
                    a.integer("teacher-hidden", 20), a.integer("hidden", 10), a.integer("inputs", 100));
            if (setup.nonzero < 1 || setup.nonzero > setup.inputs) {
                throw new IllegalArgumentException("--nonzero must be in [1, inputs = " + setup.inputs + "], got "
                        + setup.nonzero);
            }
            if (setup.rounds < 1 || setup.m < 1 || setup.mTest < 1 || setup.hidden < 1 || setup.teacherHidden < 1) {
                throw new IllegalArgumentException("rounds, m, m-test, hidden and teacher-hidden must be >= 1: " + setup);
            }
            return setup;
        }

        Setup with(double newLambda, double newMu) {
            return new Setup(seed, schedules, trainD, rounds, newLambda, newMu, weight, nonzero, m, mTest, threshold,
                    teacherHidden, hidden, inputs);
        }
    }

    record Data(ImplicitModel teacher, boolean[] support, Matrix u, Matrix y, Matrix uTest, Matrix yTest) {
    }

    /** One training run's outcome. */
    record Outcome(Schedule schedule, boolean trainD, double lambda, double mu, ImplicitModel model,
                   double[] learnedNorms, int nonzeroKept, int nonzeroLost, int zeroKept, int zeroLost, int exactZeros,
                   double trainRmse, double testRmse, double[] trainRmseByRound, double seconds) {
        boolean supportRecovered() {
            return nonzeroLost == 0 && zeroLost == 0;
        }

        String name() {
            return schedule.spec() + (trainD ? ", D trained" : ", D = 0");
        }

        String fileKey() {
            return schedule.spec() + (trainD ? "-d-trained" : "-d-zero");
        }
    }

    private Paper72() {
    }

    public static void main(String[] args) {
        Args a = new Args(args, OPTIONS);
        Setup setup = Setup.of(a);
        Path out = Path.of(a.string("out", "bench/results/paper"));
        String sweep = a.string("sweep", null);
        if (sweep != null) {
            String md = sweep(setup, parseList(sweep.split(":", -1)[0]), parseList(sweep.split(":", -1)[1]), out);
            System.out.println();
            System.out.println(md);
            System.out.println("wrote " + out.resolve("paper-7.2-sweep.json") + " and " + out.resolve("paper-7.2-sweep.md"));
            return;
        }
        String md = run(setup, out, true).markdown();
        System.out.println();
        System.out.println(md);
        System.out.println("wrote " + out.resolve("paper-7.2.json") + ", " + out.resolve("paper-7.2.md") + " and "
                + out.resolve("paper-7.2-column-norms-*.png"));
    }

    record Report(Setup setup, Data data, double[] trueNorms, List<Outcome> outcomes, double trivialTrain,
                  double trivialTest, String markdown) {
    }

    static Report run(Setup setup, Path out, boolean log) {
        Data d = generate(setup);
        List<Outcome> outcomes = new ArrayList<>();
        for (boolean trainD : setup.trainD()) {
            for (Schedule schedule : setup.schedules()) {
                outcomes.add(train(setup, d, schedule, trainD, log));
            }
        }
        double trivialTrain = rmseOfConstant(mean(d.y()), d.y());
        double trivialTest = rmseOfConstant(mean(d.y()), d.yTest());
        StringBuilder md = new StringBuilder(header(setup));
        md.append(table(outcomes, false));
        md.append(String.format(Locale.ROOT, "| predict the training mean | | | | | %.4f | %.4f | |%n", trivialTrain,
                trivialTest));
        Report report = new Report(setup, d, columnNorms(d.teacher().b(), null), outcomes, trivialTrain, trivialTest,
                md.toString());
        write(report, out);
        return report;
    }

    /** Recovery over a grid of lambda and mu (the paper does not state them), every schedule and D option. */
    static String sweep(Setup setup, double[] lambdas, double[] mus, Path out) {
        Data d = generate(setup);
        List<Outcome> outcomes = new ArrayList<>();
        for (boolean trainD : setup.trainD()) {
            for (Schedule schedule : setup.schedules()) {
                for (double l : lambdas) {
                    for (double mu : mus) {
                        Outcome o = train(setup.with(l, mu), d, schedule, trainD, false);
                        System.out.printf(Locale.ROOT, "%s lambda %s mu %s: kept %d/%d non-zero, %d/%d zero; train %.4f"
                                        + " test %.4f%n", o.name(), l, mu, o.nonzeroKept(), setup.nonzero(), o.zeroKept(),
                                setup.inputs() - setup.nonzero(), o.trainRmse(), o.testRmse());
                        outcomes.add(o);
                    }
                }
            }
        }
        String md = header(setup).replace("lambda = " + setup.lambda() + ", mu = " + setup.mu() + ", ", "")
                + table(outcomes, true) + String.format(Locale.ROOT, "| predict the training mean | | | | | | | %.4f |"
                + " %.4f | |%n", rmseOfConstant(mean(d.y()), d.y()), rmseOfConstant(mean(d.y()), d.yTest()));
        List<Object> runs = new ArrayList<>();
        for (Outcome o : outcomes) {
            runs.add(outcomeJson(o, false));
        }
        Map<String, Object> json = Json.object("experiment", "paper section 7.2: recovery over lambda and mu",
                "setup", setupJson(setup), "runs", runs);
        writeText(out.resolve("paper-7.2-sweep.json"), Json.write(json));
        writeText(out.resolve("paper-7.2-sweep.md"), md);
        return md;
    }

    static Data generate(Setup setup) {
        Random random = new Random(setup.seed());
        int n = setup.teacherHidden();
        int p = setup.inputs();
        Matrix a = Matrix.gaussian(n, n, 1.0, random);
        for (int i = 0; i < n; i++) {
            double l1 = 0;
            for (int j = 0; j < n; j++) {
                l1 += Math.abs(a.get(i, j));
            }
            for (int j = 0; j < n; j++) {
                a.set(i, j, a.get(i, j) * 0.5 / l1);
            }
        }
        boolean[] support = new boolean[p];
        List<Integer> columns = new ArrayList<>();
        for (int j = 0; j < p; j++) {
            columns.add(j);
        }
        java.util.Collections.shuffle(columns, random);
        for (int k = 0; k < setup.nonzero(); k++) {
            support[columns.get(k)] = true;
        }
        // Unit scales: each unit's B u has variance 1 and y = C x is O(1), so that the paper's penalty
        // weight 5 on a loss summed over m = 400 points is neither negligible nor overwhelming.
        Matrix b = Matrix.zeros(n, p);
        double scaleB = 1.0 / Math.sqrt(setup.nonzero());
        for (int j = 0; j < p; j++) {
            if (support[j]) {
                for (int i = 0; i < n; i++) {
                    b.set(i, j, scaleB * random.nextGaussian());
                }
            }
        }
        Matrix c = Matrix.gaussian(1, n, 1.0 / Math.sqrt(n), random);
        ImplicitModel teacher = new ImplicitModel(a, b, c, Matrix.zeros(1, p), Activation.RELU, false);
        Matrix u = Matrix.gaussian(p, setup.m(), 1.0, random);
        Matrix uTest = Matrix.gaussian(p, setup.mTest(), 1.0, random);
        return new Data(teacher, support, u, teacher.predict(u), uTest, teacher.predict(uTest));
    }

    static Outcome train(Setup setup, Data d, Schedule schedule, boolean trainD, boolean log) {
        long start = System.nanoTime();
        BcdConfig config = BcdConfig.builder().hidden(setup.hidden()).activation(Activation.RELU).loss(Loss.SQUARED)
                .bias(false).lambda(setup.lambda()).mu(setup.mu()).schedule(schedule).rounds(setup.rounds())
                .groupBD(setup.weight() / setup.m()).seed(setup.seed())
                .structure(trainD ? null : SparsityPattern.of(null, null, null, Matrix.zeros(1, setup.inputs())))
                .build();
        double[] byRound = new double[setup.rounds()];
        String name = schedule.spec() + (trainD ? ", D trained" : ", D = 0");
        TrainingResult result = new BcdTrainer(config).fit(d.u(), d.y(), 1, (round, state) -> {
            byRound[round.round() - 1] = Math.sqrt(round.train().squaredError() / round.train().count());
            if (log && (round.round() % 20 == 0 || round.round() == 1)) {
                System.out.printf(Locale.ROOT, "%s round %d: relaxed objective %.5f, train RMSE %.4f%n", name,
                        round.round(), round.objective(), byRound[round.round() - 1]);
            }
        });
        ImplicitModel model = result.model();
        double[] norms = columnNorms(model.b(), model.d());
        double max = 0;
        for (double v : norms) {
            max = Math.max(max, v);
        }
        double cut = setup.threshold() * max;
        int nonzeroKept = 0;
        int nonzeroLost = 0;
        int zeroKept = 0;
        int zeroLost = 0;
        int exact = 0;
        for (int j = 0; j < norms.length; j++) {
            boolean selected = norms[j] > cut;
            exact += norms[j] == 0 ? 1 : 0;
            if (d.support()[j]) {
                if (selected) {
                    nonzeroKept++;
                } else {
                    nonzeroLost++;
                }
            } else if (selected) {
                zeroLost++;
            } else {
                zeroKept++;
            }
        }
        double train = TwoLayerNet.rmse(model.predict(d.u()), d.y());
        double test = TwoLayerNet.rmse(model.predict(d.uTest()), d.yTest());
        return new Outcome(schedule, trainD, setup.lambda(), setup.mu(), model, norms, nonzeroKept, nonzeroLost,
                zeroKept, zeroLost, exact, train, test, byRound, (System.nanoTime() - start) / 1e9);
    }

    /** {@code ||(B; D) e_j||_2} for each column j (D may be null). */
    static double[] columnNorms(Matrix b, Matrix d) {
        double[] norms = new double[b.cols()];
        for (int j = 0; j < b.cols(); j++) {
            double s = 0;
            for (int i = 0; i < b.rows(); i++) {
                s += b.get(i, j) * b.get(i, j);
            }
            if (d != null) {
                for (int i = 0; i < d.rows(); i++) {
                    s += d.get(i, j) * d.get(i, j);
                }
            }
            norms[j] = Math.sqrt(s);
        }
        return norms;
    }

    private static String header(Setup setup) {
        return String.format(Locale.ROOT, "Section 7.2, seed %d: teacher n = %d, p = %d (%d non-zero columns of B), q = 1,"
                        + " m = %d; student n = %d, %d rounds, lambda = %s, mu = %s, penalty (19) with alpha = 2 and weight"
                        + " %s on the summed objective (groupBD = %s per sample). Selected: learned column norm of (B; D)"
                        + " > %s x the largest. RMSE of the true model (trained model's fixed point).%n%n",
                setup.seed(), setup.teacherHidden(), setup.inputs(), setup.nonzero(), setup.m(), setup.hidden(),
                setup.rounds(), setup.lambda(), setup.mu(), setup.weight(), Stats.sci(setup.weight() / setup.m()),
                Stats.sci(setup.threshold()));
    }

    private static String table(List<Outcome> outcomes, boolean withParams) {
        StringBuilder md = new StringBuilder();
        md.append("| run | ").append(withParams ? "lambda | mu | " : "")
                .append("non-zero columns selected | zero columns not selected | columns exactly 0 | support recovered |"
                        + " train RMSE | test RMSE | seconds |\n");
        md.append("|---|").append(withParams ? "---|---|" : "").append("---|---|---|---|---|---|---|\n");
        for (Outcome o : outcomes) {
            md.append("| ").append(o.name()).append(" | ");
            if (withParams) {
                md.append(o.lambda()).append(" | ").append(o.mu()).append(" | ");
            }
            md.append(String.format(Locale.ROOT, "%d / %d | %d / %d | %d | %s | %.4f | %.4f | %.1f |%n", o.nonzeroKept(),
                    o.nonzeroKept() + o.nonzeroLost(), o.zeroKept(), o.zeroKept() + o.zeroLost(), o.exactZeros(),
                    o.supportRecovered() ? "yes" : "no", o.trainRmse(), o.testRmse(), o.seconds()));
        }
        return md.toString();
    }

    private static Map<String, Object> setupJson(Setup setup) {
        return Json.object("seed", setup.seed(), "teacherHidden", setup.teacherHidden(), "inputs", setup.inputs(),
                "nonzeroColumns", setup.nonzero(), "m", setup.m(), "mTest", setup.mTest(), "hidden", setup.hidden(),
                "rounds", setup.rounds(), "lambda", setup.lambda(), "mu", setup.mu(),
                "penaltyWeightSummed", setup.weight(), "groupBD", setup.weight() / setup.m(), "alpha", 2,
                "threshold", setup.threshold());
    }

    private static Map<String, Object> outcomeJson(Outcome o, boolean details) {
        Map<String, Object> m = Json.object("schedule", o.schedule().spec(), "studentD", o.trainD() ? "trained" : "zero",
                "lambda", o.lambda(), "mu", o.mu(), "nonzeroColumnsSelected", o.nonzeroKept(),
                "nonzeroColumnsLost", o.nonzeroLost(), "zeroColumnsNotSelected", o.zeroKept(),
                "zeroColumnsSelected", o.zeroLost(), "exactlyZeroColumns", o.exactZeros(),
                "supportRecovered", o.supportRecovered(), "trainRmse", o.trainRmse(), "testRmse", o.testRmse(),
                "seconds", o.seconds(), "trainRmseByRound", o.trainRmseByRound());
        if (details) {
            m.put("learnedColumnNormsBD", o.learnedNorms());
            m.put("learnedColumnNormsB", columnNorms(o.model().b(), null));
        }
        return m;
    }

    static void write(Report r, Path out) {
        Setup setup = r.setup();
        List<Integer> support = new ArrayList<>();
        for (int j = 0; j < r.data().support().length; j++) {
            if (r.data().support()[j]) {
                support.add(j);
            }
        }
        List<Object> runs = new ArrayList<>();
        for (Outcome o : r.outcomes()) {
            runs.add(outcomeJson(o, true));
        }
        Map<String, Object> json = Json.object(
                "experiment", "paper section 7.2: model recovery with the column-group penalty (19)",
                "setup", setupJson(setup), "teacherSupport", support, "teacherColumnNormsB", r.trueNorms(),
                "trivialTrainRmse", r.trivialTrain(), "trivialTestRmse", r.trivialTest(), "runs", runs);
        writeText(out.resolve("paper-7.2.json"), Json.write(json));
        writeText(out.resolve("paper-7.2.md"), r.markdown());
        for (Outcome o : r.outcomes()) {
            JFreeChart learned = Charts.bars("learned B, student n = " + setup.hidden() + " (" + o.name() + ")",
                    "input feature j", "column norm of learned B", columnNorms(o.model().b(), null), Charts.BLUE);
            JFreeChart truth = Charts.bars("true B, teacher n = " + setup.teacherHidden(), "input feature j",
                    "column norm of true B", r.trueNorms(), Charts.GRAY);
            Charts.saveSideBySide(learned, truth, out.resolve("paper-7.2-column-norms-" + o.fileKey() + ".png"), 640,
                    420);
        }
    }

    private static void writeText(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double[] parseList(String s) {
        String[] parts = s.split(",");
        double[] v = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                v[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--sweep takes lambdas:mus, comma-separated numbers; got '" + s + "'");
            }
        }
        return v;
    }

    private static double mean(Matrix y) {
        double mean = 0;
        for (double v : y.data()) {
            mean += v / y.data().length;
        }
        return mean;
    }

    private static double rmseOfConstant(double c, Matrix y) {
        double s = 0;
        for (double v : y.data()) {
            s += (v - c) * (v - c);
        }
        return Math.sqrt(s / y.cols());
    }
}
