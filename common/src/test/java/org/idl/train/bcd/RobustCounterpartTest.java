package org.idl.train.bcd;

import org.idl.data.StandardisedDigits;
import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.FenchelDivergence;
import org.idl.model.ImplicitModel;
import org.idl.train.Loss;
import org.idl.train.DataBlock;
import org.idl.train.gradient.IntervalGradient;
import org.idl.train.gradient.IntervalTraining;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RobustCounterpartTest {
    private static StandardisedDigits digits;

    @BeforeAll
    static void load() {
        digits = StandardisedDigits.load();
    }

    /** A small model with bias, data whose bias row is last, its states X* and the interval states. */
    private static final class Setup {
        final int n = 5;
        final int p = 4;
        final int m = 60;
        final Random random = new Random(7);
        final Matrix u = Matrix.gaussian(p, m, 1.0, random).withOnesRow();
        final double[] sigma = new double[p + 1];
        final ImplicitModel model;
        final Matrix y = Matrix.zeros(3, m);
        final Matrix x;
        final Matrix hi;
        final Matrix lo;

        Setup() {
            for (int i = 0; i < p; i++) {
                sigma[i] = 0.2 * random.nextDouble();
            }
            for (int j = 0; j < m; j++) {
                y.set(random.nextInt(3), j, 1);
            }
            Matrix a = Matrix.gaussian(n, n, 0.2, random);
            org.idl.model.WellPosedness.projectInfNormBall(a, 0.8);
            model = new ImplicitModel(a, Matrix.gaussian(n, p + 1, 0.5, random), Matrix.gaussian(3, n, 0.5, random),
                    Matrix.gaussian(3, p + 1, 0.5, random), Activation.RELU, true);
            x = model.solver(1e-12).solve(model.b().times(u), null).states();
            Matrix s = IntervalGradient.intervalStates(model.a(), model.b(), Activation.RELU, u, sigma, 1e-12);
            hi = s.block(0, n, 0, m);
            lo = s.block(n, 2 * n, 0, m);
        }

        DataBlock block() {
            return DataBlock.of(u, y).withStates(x, x.copy());
        }

        /** The lifted data of one kind ({@link RobustCounterpart#liftMap}) for every point. */
        Matrix lifted(int which) {
            Matrix base = Matrix.vstack(Matrix.vstack(Matrix.vstack(x, hi), lo), u);
            return RobustCounterpart.liftMap(which, n, sigma).times(base);
        }
    }

    @Test
    void theBoxOfThePreActivationsHoldsEveryInputInTheBox() {
        Setup s = new Setup();
        Matrix w = Matrix.hstack(s.model.a(), s.model.b());
        Matrix split = RobustCounterpart.split(w, s.n);
        assertEquals(0.0, RobustCounterpart.merge(split, s.n).minus(w).maxAbs());
        Matrix zUp = split.times(s.lifted(1));
        Matrix zLo = split.times(s.lifted(2));
        Matrix z = split.times(s.lifted(0));
        Matrix expected = s.model.b().times(s.u);
        Matrix.gemm(1.0, s.model.a(), false, s.x, false, 1.0, expected);
        assertTrue(z.minus(expected).maxAbs() < 1e-12);
        for (int trial = 0; trial < 100; trial++) {
            Matrix moved = s.u.copy();
            for (int j = 0; j < s.m; j++) {
                for (int i = 0; i < s.p; i++) {
                    moved.set(i, j, s.u.get(i, j) + s.sigma[i] * (2 * s.random.nextDouble() - 1));
                }
            }
            Matrix xm = s.model.solver(1e-12).solve(s.model.b().times(moved), null).states();
            Matrix zm = s.model.b().times(moved);
            Matrix.gemm(1.0, s.model.a(), false, xm, false, 1.0, zm);
            for (int k = 0; k < zm.data().length; k++) {
                assertTrue(zm.data()[k] <= zUp.data()[k] + 1e-9 && zm.data()[k] >= zLo.data()[k] - 1e-9,
                        "pre-activation " + zm.data()[k] + " outside [" + zLo.data()[k] + ", " + zUp.data()[k] + "]");
            }
        }
    }

    /** The (A,B)-step's bound at W = [A B], computed from the lifted data and its definition. */
    private static double abBound(Setup s, Matrix w, Matrix p, double[] lambda, double weight) {
        Matrix split = RobustCounterpart.split(w, s.n);
        Matrix z = split.times(s.lifted(0));
        Matrix zUp = split.times(s.lifted(1));
        Matrix zLo = split.times(s.lifted(2));
        Activation phi = Activation.RELU;
        double sum = 0;
        for (int k = 0; k < z.data().length; k++) {
            double pk = p.data()[k];
            sum += lambda[k % s.n] * ((1 - weight) * FenchelDivergence.value(phi, pk, z.data()[k])
                    + weight * (phi.hStar(zUp.data()[k]) + phi.h(pk) - pk * zLo.data()[k]));
        }
        return sum;
    }

    @Test
    void theRobustAbStepLowersItsBoundAndKeepsAWellPosedA() {
        Setup s = new Setup();
        double weight = 0.6;
        BcdConfig config = BcdConfig.builder().hidden(s.n).stepTolerance(1e-12)
                .interval(new IntervalTraining(Arrays.copyOf(s.sigma, s.p), weight, 0)).build();
        RobustCounterpart.Box box = new RobustCounterpart.Box(s.sigma, weight);
        Matrix z = s.model.b().times(s.u);
        Matrix.gemm(1.0, s.model.a(), false, s.x, false, 1.0, z);
        RobustCounterpart.StatePass pass = RobustCounterpart.abStatistics(config, s.model, s.block(), box, z,
                s.model.d().times(s.u));
        RobustCounterpart.Statistics st = pass.ab();
        Matrix p = pass.p().value();
        double[] lambda = config.lambdas();
        Matrix w0 = Matrix.hstack(s.model.a(), s.model.b());
        assertEquals(abBound(s, w0, p, lambda, weight), st.objective(), 1e-9 * Math.abs(st.objective()));
        // kappa below the start's ||A||_inf (0.8): the ball is active from the first iteration.
        ABStep.Result ab = RobustCounterpart.solveAB(st, s.u.gram(), s.model.a(), s.model.b(), lambda, 0.5, 300, box);
        assertTrue(s.model.a().infNorm() > 0.75 && ab.a().infNorm() <= 0.5 + 1e-12, "||A||_inf = " + ab.a().infNorm());
        assertTrue(ab.after() < ab.before(), ab.after() + " >= " + ab.before());
        double at = abBound(s, Matrix.hstack(ab.a(), ab.b()), p, lambda, weight) / s.m;
        assertTrue(at <= ab.after() + 1e-10, "bound at the new (A, B) " + at + " above the majoriser " + ab.after());
    }

    /** The readout's bound at Theta = [C D] (with the split ridge), from the lifted data and its definition. */
    private static double readoutBound(Setup s, Matrix theta, double weight, double ridge) {
        Matrix split = RobustCounterpart.split(theta, s.n);
        Matrix yhat = split.times(s.lifted(0));
        Matrix yUp = split.times(s.lifted(1));
        Matrix yLo = split.times(s.lifted(2));
        double sum = 0;
        for (int j = 0; j < s.m; j++) {
            double lseNominal = 0;
            double lseUp = 0;
            for (int k = 0; k < 3; k++) {
                lseNominal += Math.exp(yhat.get(k, j));
                lseUp += Math.exp(yUp.get(k, j));
            }
            int t = s.y.argmaxInColumn(j);
            sum += (1 - weight) * (Math.log(lseNominal) - yhat.get(t, j)) + weight * (Math.log(lseUp) - yLo.get(t, j));
        }
        // The ridge on every split entry but the bias's (the last column of each half of D's split).
        int p1 = s.p + 1;
        for (int k = 0; k < 3; k++) {
            split.set(k, 2 * s.n + p1 - 1, 0);
            split.set(k, 2 * s.n + 2 * p1 - 1, 0);
        }
        return sum / s.m + 0.5 * ridge * split.frobeniusSquared();
    }

    @Test
    void theRobustReadoutStepLowersItsBound() {
        Setup s = new Setup();
        double weight = 0.7;
        double ridge = 1e-3;
        BcdConfig config = BcdConfig.builder().hidden(s.n).stepTolerance(1e-12)
                .interval(new IntervalTraining(Arrays.copyOf(s.sigma, s.p), weight, 0)).build();
        RobustCounterpart.Box box = new RobustCounterpart.Box(s.sigma, weight);
        RobustCounterpart.Statistics st = RobustCounterpart.readoutStatistics(config, s.model, s.block(), box);
        Matrix theta0 = Matrix.hstack(s.model.c(), s.model.d());
        assertEquals(readoutBound(s, theta0, weight, 0), st.objective() / s.m, 1e-10);
        ReadoutStep.Result r = RobustCounterpart.solveReadout(st, s.u.gram(), s.model.c(), s.model.d(),
                Loss.SOFTMAX_CROSS_ENTROPY, ridge, 300, box);
        assertTrue(r.after() < r.before(), r.after() + " >= " + r.before());
        double at = readoutBound(s, Matrix.hstack(r.c(), r.d()), weight, ridge);
        assertTrue(at <= r.after() + 1e-10, "bound at the new readout " + at + " above the majoriser " + r.after());
    }

    @Test
    void theScaledBallProjectionIsTheBallsWhenUnscaledAndOptimalWhenScaled() {
        Random random = new Random(9);
        double[] v = new double[12];
        double[] ones = new double[12];
        double[] d = new double[12];
        for (int j = 0; j < v.length; j++) {
            v[j] = random.nextDouble();
            ones[j] = 1;
            d[j] = 0.1 + 3 * random.nextDouble();
        }
        double[] unscaled = v.clone();
        RobustCounterpart.projectScaledBall(unscaled, ones, 2.0);
        Matrix row = Matrix.wrap(1, v.length, v.clone());
        org.idl.model.WellPosedness.projectInfNormBall(row, 2.0);
        for (int j = 0; j < v.length; j++) {
            assertEquals(row.get(0, j), unscaled[j], 1e-12);
        }
        double[] scaled = v.clone();
        RobustCounterpart.projectScaledBall(scaled, d, 0.5);
        double used = 0;
        double distance = 0;
        for (int j = 0; j < v.length; j++) {
            assertTrue(scaled[j] >= 0);
            used += scaled[j] / d[j];
            distance += (scaled[j] - v[j]) * (scaled[j] - v[j]);
        }
        assertEquals(0.5, used, 1e-12);
        // No other feasible point nearby is closer to v.
        for (int trial = 0; trial < 2000; trial++) {
            double[] other = scaled.clone();
            int a = random.nextInt(v.length);
            int b = random.nextInt(v.length);
            double move = 0.01 * random.nextDouble();
            other[a] += move * d[a];
            other[b] = Math.max(0, other[b] - move * d[b]);
            double otherUsed = 0;
            double otherDistance = 0;
            for (int j = 0; j < v.length; j++) {
                otherUsed += other[j] / d[j];
                otherDistance += (other[j] - v[j]) * (other[j] - v[j]);
            }
            if (otherUsed <= 0.5 + 1e-12) {
                assertTrue(otherDistance >= distance - 1e-12, otherDistance + " < " + distance);
            }
        }
    }

    @Test
    void robustCounterpartGivesTheSameModelForAnyPartitioning() {
        BcdConfig config = BcdConfig.builder().hidden(16).rounds(3)
                .interval(new IntervalTraining(new double[]{0.1}, 0.5, 2)).build();
        Matrix u = digits.uTrain().columns(0, 400);
        Matrix y = digits.yTrain().columns(0, 400);
        ImplicitModel one = new BcdTrainer(config).fit(u, y, 1, null).model();
        for (int blocks : new int[]{2, 7}) {
            ImplicitModel other = new BcdTrainer(config).fit(u, y, blocks, null).model();
            for (Matrix[] pair : new Matrix[][]{{one.a(), other.a()}, {one.b(), other.b()}, {one.c(), other.c()},
                    {one.d(), other.d()}}) {
                double scale = Math.max(1, pair[0].maxAbs());
                assertTrue(pair[0].minus(pair[1]).maxAbs() <= 1e-8 * scale, blocks + " blocks: difference "
                        + pair[0].minus(pair[1]).maxAbs());
            }
        }
    }

    @Test
    void refusesWhatTheCounterpartDoesNotCover() {
        IntervalTraining box = new IntervalTraining(new double[]{0.1}, 0.5, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BcdConfig.builder().activation(Activation.TANH).interval(box).build());
        assertTrue(e.getMessage().contains("phi >= 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BcdConfig.builder().loss(Loss.SQUARED).interval(box).build());
        assertTrue(e.getMessage().contains("cross-entropy"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BcdConfig.builder().bias(false).interval(box).build());
        assertTrue(e.getMessage().contains("bias"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> BcdConfig.builder().schedule(Schedule.PAPER).interval(box).build());
        assertTrue(e.getMessage().contains("recipe schedule"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BcdConfig.builder().groupBD(0.2).interval(box).build());
        assertTrue(e.getMessage().contains("groupBD = 0.2"), e.getMessage());
    }

    @Test
    void robustCounterpartCertifiesWhatNominalBcdCannot() {
        double radius = 0.1; // standardised units
        BcdConfig nominal = BcdConfig.builder().hidden(32).rounds(10).build();
        BcdConfig robust = nominal.toBuilder().interval(new IntervalTraining(new double[]{radius}, 0.5, 3)).build();
        double[][] figures = new double[2][];
        BcdConfig[] configs = {nominal, robust};
        for (int i = 0; i < 2; i++) {
            ImplicitModel model = new BcdTrainer(configs[i]).fit(digits.uTrain(), digits.yTrain(), 2, null).model();
            figures[i] = new double[]{digits.testAccuracy(model), digits.certifiedAccuracy(model, radius)};
        }
        System.out.printf("robust BCD, radius %.2f: nominal clean %.4f certified %.4f; robust clean %.4f certified %.4f%n",
                radius, figures[0][0], figures[0][1], figures[1][0], figures[1][1]);
        assertTrue(figures[1][1] >= figures[0][1] + 0.5, Arrays.deepToString(figures));
        assertTrue(figures[1][0] >= 0.92, "robust BCD clean accuracy " + figures[1][0]);
    }
}
