package org.idl.train.bcd;

import org.idl.data.Digits;
import org.idl.data.LabeledData;
import org.idl.data.Standardizer;
import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.FenchelDivergence;
import org.idl.model.ImplicitModel;
import org.idl.robust.IntervalBounds;
import org.idl.train.Loss;
import org.idl.train.MetricSums;
import org.idl.train.TrainingResult;
import org.idl.train.gradient.IntervalTraining;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RobustCounterpartTest {
    private static Matrix uTrain;
    private static Matrix uTest;
    private static Matrix yTrain;
    private static Matrix yTest;

    @BeforeAll
    static void load() {
        LabeledData.Split split = Digits.load().stratifiedSplit(0.25, 0);
        Standardizer scaler = Standardizer.fit(split.train().features());
        uTrain = scaler.apply(split.train().features());
        uTest = scaler.apply(split.test().features());
        yTrain = split.train().oneHot(10);
        yTest = split.test().oneHot(10);
    }

    /** Random data with the bias row last, as the trainer augments it. */
    private static Matrix inputs(int p, int m, Random random) {
        return Matrix.gaussian(p, m, 1.0, random).withOnesRow();
    }

    private static double[] sigma(int p, Random random) {
        double[] s = new double[p + 1];
        for (int i = 0; i < p; i++) {
            s[i] = 0.3 * random.nextDouble();
        }
        return s;
    }

    /** {@code [s; u; -u] (+ w-weighted [0; sigma; sigma])}: the lifted data, built point by point. */
    private static Matrix lifted(Matrix s, Matrix u, double[] sigma, double shift) {
        int n = s.rows();
        int p = u.rows();
        Matrix out = Matrix.zeros(n + 2 * p, s.cols());
        for (int j = 0; j < s.cols(); j++) {
            for (int i = 0; i < n; i++) {
                out.set(i, j, s.get(i, j));
            }
            for (int i = 0; i < p; i++) {
                out.set(n + i, j, u.get(i, j) + shift * sigma[i]);
                out.set(n + p + i, j, -u.get(i, j) + shift * sigma[i]);
            }
        }
        return out;
    }

    @Test
    void liftedCurvatureIsTheMixOfTheLiftedDataGrams() {
        Random random = new Random(1);
        int n = 5;
        int p = 4;
        int m = 40;
        Matrix x = Matrix.gaussian(n, m, 1.0, random);
        Matrix u = inputs(p, m, random);
        double[] sigma = sigma(p, random);
        double w = 0.4;
        Matrix k = Matrix.symmetricBlocks(x.gram(), x.timesTransposed(u), u.gram()).scaleInPlace(1.0 / m);
        Matrix expected = lifted(x, u, sigma, 0).gram().scaleInPlace((1 - w) / m)
                .addInPlace(w / m, lifted(x, u, sigma, 1).gram());
        Matrix actual = RobustCounterpart.lift(k, n, new RobustCounterpart.Box(sigma, w));
        assertTrue(actual.minus(expected).maxAbs() < 1e-12, "difference " + actual.minus(expected).maxAbs());
    }

    @Test
    void splitAndMergeAreInverse() {
        Matrix b = Matrix.gaussian(3, 6, 1.0, new Random(2));
        Matrix split = RobustCounterpart.split(b);
        assertEquals(12, split.cols());
        for (double v : split.data()) {
            assertTrue(v >= 0);
        }
        assertEquals(0.0, RobustCounterpart.merge(split).minus(b).maxAbs());
    }

    /** The per-unit divergence bound, from its definition: {@code h*(z + r) - p z + p r}, mixed with F(p, z) by w. */
    private static double bound(Activation phi, double z, double p, double r, double w) {
        return (1 - w) * FenchelDivergence.value(phi, p, z) + w * (phi.hStar(z + r) + phi.h(p) - p * z + p * r);
    }

    @Test
    void divergenceBoundHoldsOverTheBoxAndItsStatisticsAreTheLiftedOnes() {
        Random random = new Random(3);
        int n = 4;
        int p = 6;
        int m = 30;
        Activation phi = Activation.RELU;
        Matrix a = Matrix.gaussian(n, n, 0.2, random);
        Matrix b = Matrix.gaussian(n, p + 1, 0.5, random);
        Matrix x = Matrix.gaussian(n, m, 1.0, random);
        phi.applyInPlace(x.data());
        Matrix p0 = Matrix.gaussian(n, m, 1.0, random);
        phi.applyInPlace(p0.data());
        Matrix u = inputs(p, m, random);
        double[] sigma = sigma(p, random);
        double[] lambda = {0.1, 0.2, 0.1, 0.3};
        RobustCounterpart.Box box = new RobustCounterpart.Box(sigma, 1.0);
        double[] r = box.shift(b, 0);
        Matrix z = b.times(u);
        Matrix.gemm(1.0, a, false, x, false, 1.0, z);
        ABStep.Statistics st = ABStep.statistics(phi, lambda, x, u, z, p0, null, true, r, 1.0);
        // Soundness: the bound is above the divergence of every input in the box.
        for (int trial = 0; trial < 200; trial++) {
            Matrix moved = u.copy();
            for (int j = 0; j < m; j++) {
                for (int i = 0; i < p; i++) {
                    moved.set(i, j, u.get(i, j) + sigma[i] * (2 * random.nextDouble() - 1));
                }
            }
            Matrix zm = b.times(moved);
            Matrix.gemm(1.0, a, false, x, false, 1.0, zm);
            double divergence = 0;
            for (int k = 0; k < zm.data().length; k++) {
                divergence += lambda[k % n] * FenchelDivergence.value(phi, p0.data()[k], zm.data()[k]);
            }
            assertTrue(divergence <= st.divergence() + 1e-12, divergence + " > " + st.divergence());
        }
        double expected = 0;
        for (int k = 0; k < z.data().length; k++) {
            expected += lambda[k % n] * bound(phi, z.data()[k], p0.data()[k], r[k % n], 1.0);
        }
        assertEquals(expected, st.divergence(), 1e-10 * Math.abs(expected));
        // The lifted gradient is the gradient of the bound in [A B+ B-], from the lifted data.
        double w = 0.6;
        ABStep.Statistics mixed = ABStep.statistics(phi, lambda, x, u, z, p0, null, true, r, w);
        Matrix g = RobustCounterpart.liftGradient(mixed.g(), mixed.spread(), 1.0, n, sigma);
        Matrix residual0 = Matrix.zeros(n, m);
        Matrix residual1 = Matrix.zeros(n, m);
        Matrix target = Matrix.zeros(n, m);
        for (int k = 0; k < z.data().length; k++) {
            double li = lambda[k % n];
            residual0.data()[k] = li * phi.apply(z.data()[k]);
            residual1.data()[k] = li * phi.apply(z.data()[k] + r[k % n]);
            target.data()[k] = li * p0.data()[k];
        }
        // (1 - w) phi(z) v^ + w phi(z + r) v~ - p v^ + w p [0; sigma; sigma].
        Matrix expectedG = residual0.timesTransposed(lifted(x, u, sigma, 0)).scaleInPlace(1 - w)
                .addInPlace(w, residual1.timesTransposed(lifted(x, u, sigma, 1)))
                .addInPlace(-1.0, target.timesTransposed(lifted(x, u, sigma, 0)))
                .addInPlace(w, target.timesTransposed(lifted(x, u, sigma, 1).minus(lifted(x, u, sigma, 0))));
        assertTrue(g.minus(expectedG).maxAbs() < 1e-10, "difference " + g.minus(expectedG).maxAbs());
    }

    @Test
    void stepsLowerTheirBoundsAndKeepAWellPosedA() {
        Random random = new Random(4);
        int n = 6;
        int p = 5;
        int m = 80;
        Activation phi = Activation.RELU;
        Matrix u = inputs(p, m, random);
        Matrix y = Matrix.zeros(3, m);
        for (int j = 0; j < m; j++) {
            y.set(random.nextInt(3), j, 1);
        }
        ImplicitModel model = new ImplicitModel(Matrix.gaussian(n, n, 0.1, random), Matrix.gaussian(n, p + 1, 0.5, random),
                Matrix.gaussian(3, n, 0.5, random), Matrix.gaussian(3, p + 1, 0.5, random), phi, true);
        Matrix x = model.solver(1e-12).solve(model.b().times(u), null).states();
        Matrix pTargets = x.copy();
        double[] lambda = {0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
        RobustCounterpart.Box box = new RobustCounterpart.Box(sigma(p, random), 0.7);
        Matrix z = model.b().times(u);
        Matrix.gemm(1.0, model.a(), false, x, false, 1.0, z);
        ABStep.Statistics st = ABStep.statistics(phi, lambda, x, u, z, pTargets, null, true, box.shift(model.b(), 0),
                box.weight());
        ABStep.Result ab = RobustCounterpart.solveAB(st, u.gram(), model.a(), model.b(), lambda, 0.9, 300, box);
        assertTrue(ab.a().infNorm() <= 0.9 + 1e-12);
        assertTrue(ab.after() < ab.before(), ab.after() + " >= " + ab.before());
        Matrix z1 = ab.b().times(u);
        Matrix.gemm(1.0, ab.a(), false, x, false, 1.0, z1);
        double at = ABStep.statistics(phi, lambda, x, u, z1, pTargets, null, false, box.shift(ab.b(), 0), box.weight())
                .divergence() / m;
        assertTrue(at <= ab.after() + 1e-10, "bound at the new (A, B) " + at + " above the majoriser " + ab.after());

        Loss loss = Loss.SOFTMAX_CROSS_ENTROPY;
        Matrix yhat = model.c().times(x);
        Matrix.gemm(1.0, model.d(), false, u, false, 1.0, yhat);
        RobustCounterpart.Box readoutBox = RobustCounterpart.readoutBox(model, box);
        ReadoutStep.Statistics rs = ReadoutStep.statisticsAt(loss, x, u, y, yhat, null, true,
                Matrix.hstack(model.c(), model.d()), readoutBox);
        ReadoutStep.Result readout = RobustCounterpart.solveReadout(rs, rs.ss(), rs.su(), u.gram(), model.c(), model.d(),
                loss, 1e-4, 300, readoutBox);
        assertTrue(readout.after() < readout.before(), readout.after() + " >= " + readout.before());
        Matrix yhat1 = readout.c().times(x);
        Matrix.gemm(1.0, readout.d(), false, u, false, 1.0, yhat1);
        ReadoutStep.Statistics rs1 = ReadoutStep.statisticsAt(loss, x, u, y, yhat1, null, false,
                Matrix.hstack(readout.c(), readout.d()), readoutBox);
        double after = rs1.robustLoss() / m + 0.5e-4 * (readout.c().frobeniusSquared() + readout.d().frobeniusSquared());
        assertTrue(after <= readout.after() + 1e-10, "bound at the new readout " + after + " above " + readout.after());
    }

    @Test
    void robustCounterpartGivesTheSameModelForAnyPartitioning() {
        BcdConfig config = BcdConfig.builder().hidden(16).rounds(3)
                .interval(new IntervalTraining(new double[]{0.1}, 0.5, 2)).build();
        Matrix u = uTrain.columns(0, 400);
        Matrix y = yTrain.columns(0, 400);
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

    private static double[] cleanAndCertified(ImplicitModel model, double radius) {
        double[] sigma = new double[uTest.rows()];
        Arrays.fill(sigma, radius);
        boolean[] sure = IntervalBounds.certified(model, uTest, sigma, IntervalBounds.of(model, uTest, sigma));
        Matrix predicted = model.predict(uTest);
        double certified = 0;
        for (int c = 0; c < sure.length; c++) {
            if (sure[c] && predicted.argmaxInColumn(c) == yTest.argmaxInColumn(c)) {
                certified += 1.0 / sure.length;
            }
        }
        return new double[]{MetricSums.of(Loss.SOFTMAX_CROSS_ENTROPY, yTest, model.predict(uTest)).accuracy(), certified};
    }

    @Test
    void robustCounterpartCertifiesWhatNominalBcdCannot() {
        double radius = 0.1; // standardised units
        BcdConfig nominal = BcdConfig.builder().hidden(32).rounds(10).build();
        BcdConfig robust = nominal.toBuilder().interval(new IntervalTraining(new double[]{radius}, 0.5, 3)).build();
        double[][] figures = new double[2][];
        BcdConfig[] configs = {nominal, robust};
        for (int i = 0; i < 2; i++) {
            TrainingResult result = new BcdTrainer(configs[i]).fit(uTrain, yTrain, 2, null);
            figures[i] = cleanAndCertified(result.model(), radius);
        }
        System.out.printf("robust BCD, radius %.2f: nominal clean %.4f certified %.4f; robust clean %.4f certified %.4f%n",
                radius, figures[0][0], figures[0][1], figures[1][0], figures[1][1]);
        assertTrue(figures[1][1] >= figures[0][1] + 0.5, Arrays.deepToString(figures));
        assertTrue(figures[1][0] >= 0.92, "robust BCD clean accuracy " + figures[1][0]);
    }
}
