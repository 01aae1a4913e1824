package org.idl.model;

import org.idl.linalg.Matrix;
import org.idl.train.LocalBlockStore;
import org.idl.train.Loss;
import org.idl.train.TrainingResult;
import org.idl.train.bcd.ABStep;
import org.idl.train.bcd.BcdConfig;
import org.idl.train.bcd.BcdTrainer;
import org.idl.train.bcd.Penalty;
import org.idl.train.bcd.ReadoutStep;
import org.idl.train.bcd.Schedule;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.idl.linalg.TestMatrices.max;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fixed zero pattern on (A, B, C, D): the (A,B)-step and the readout solve exactly over the
 * matrices with the pattern (stationarity on the free entries, zeros elsewhere), a strictly triangular
 * pattern of A replaces the kappa ball, and BCD trains a feedforward network keeping its layers.
 */
class SparsityPatternTest {

    private static final int P = 4;
    private static final int[] LAYERS = {5, 3};
    private static final int N = 8;
    private static final int Q = 2;

    /** A feedforward tanh model without biases in the pattern's layout, weights ~ N(0, scale^2). */
    private static ImplicitModel randomFeedforward(SparsityPattern pattern, double scale, Random random) {
        Matrix a = Matrix.gaussian(N, N, scale, random);
        Matrix b = Matrix.gaussian(N, P, scale, random);
        Matrix c = Matrix.gaussian(Q, N, scale, random);
        Matrix d = Matrix.zeros(Q, P);
        pattern.maskA(a);
        pattern.maskB(b);
        pattern.maskC(c);
        return new ImplicitModel(a, b, c, d, Activation.TANH, false);
    }

    @Test
    void feedforwardPatternIsTheLayoutOfImplicitModelFeedforward() {
        Random random = new Random(1);
        List<Matrix> weights = new ArrayList<>();
        List<double[]> biases = new ArrayList<>();
        int[] sizes = {P, LAYERS[0], LAYERS[1], Q};
        for (int l = 0; l + 1 < sizes.length; l++) {
            weights.add(Matrix.gaussian(sizes[l + 1], sizes[l], 1.0, random));
            double[] b = new double[sizes[l + 1]];
            for (int i = 0; i < b.length; i++) {
                b[i] = random.nextGaussian();
            }
            biases.add(b);
        }
        ImplicitModel ff = ImplicitModel.feedforward(weights, biases, Activation.TANH);
        SparsityPattern pattern = SparsityPattern.feedforward(P, LAYERS, Q, true);
        pattern.requireRespectedBy(ff); // every weight lies inside the pattern
        assertTrue(pattern.makesAWellPosed());
        // ... and the pattern is no larger than the layout: every free entry of A, B, C holds a weight.
        Matrix ones = Matrix.zeros(N, N);
        java.util.Arrays.fill(ones.data(), 1.0);
        pattern.maskA(ones);
        assertEquals(LAYERS[1] * LAYERS[0], (int) sum(ones));
        assertEquals(ModelAnalysis.nonzeros(ff.a()), LAYERS[1] * LAYERS[0]);
        Matrix bOnes = Matrix.zeros(N, P + 1);
        java.util.Arrays.fill(bOnes.data(), 1.0);
        pattern.maskB(bOnes);
        assertEquals(LAYERS[0] * P + N, (int) sum(bOnes));
        assertEquals(ModelAnalysis.nonzeros(ff.b()), LAYERS[0] * P + N);

        ImplicitModel outside = ff.with(ff.a().plus(Matrix.identity(N)), ff.b(), ff.c(), ff.d());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pattern.requireRespectedBy(outside));
        assertTrue(e.getMessage().contains("A[0][0]"), e.getMessage());
    }

    @Test
    void generalPatternKeepsTheKappaBall() {
        Matrix a = Matrix.zeros(3, 3);
        a.set(0, 1, 1);
        a.set(1, 0, 1);
        assertFalse(SparsityPattern.of(a, null, null, null).makesAWellPosed());
        assertTrue(SparsityPattern.of(Matrix.zeros(3, 3), null, null, null).makesAWellPosed());
        assertFalse(SparsityPattern.of(null, null, null, null).makesAWellPosed());
        assertThrows(IllegalArgumentException.class, () -> SparsityPattern.of(Matrix.zeros(2, 3), null, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> BcdConfig.builder().hidden(4).structure(SparsityPattern.of(Matrix.zeros(3, 3), null, null, null))
                        .build());
    }

    /** States and targets of a feedforward student, the inputs of an (A,B)-step. */
    private record AbCase(ImplicitModel model, Matrix x, Matrix u, Matrix z, Matrix p, double[] lambda) {
    }

    private static AbCase abCase(SparsityPattern pattern, long seed) {
        Random random = new Random(seed);
        ImplicitModel model = randomFeedforward(pattern, 1.5, random);
        int m = 40;
        Matrix u = Matrix.gaussian(P, m, 1.0, random);
        Matrix x = model.states(u);
        Matrix z = model.b().times(u);
        Matrix.gemm(1.0, model.a(), false, x, false, 1.0, z);
        // Targets P off the fixed point, inside (-1, 1) as the tanh divergence needs.
        Matrix p = x.copy();
        for (int k = 0; k < p.data().length; k++) {
            p.data()[k] = Math.max(-0.95, Math.min(0.95, p.data()[k] + 0.3 * random.nextGaussian()));
        }
        double[] lambda = new double[N];
        for (int i = 0; i < N; i++) {
            lambda[i] = i < LAYERS[1] ? 1.0 : 0.5;
        }
        return new AbCase(model, x, u, z, p, lambda);
    }

    @Test
    void abStepSolvesTheMajoriserOnTheFeedforwardPatternWithoutTheBall() {
        SparsityPattern pattern = SparsityPattern.feedforward(P, LAYERS, Q, false);
        AbCase cs = abCase(pattern, 2);
        ABStep.Statistics st = ABStep.statistics(Activation.TANH, cs.lambda, cs.x, cs.u, cs.z, cs.p);
        double kappa = 0.1;
        ABStep.Result r = ABStep.solve(st, cs.u.gram(), cs.model.a(), cs.model.b(), cs.lambda, kappa, Penalty.NONE, P,
                null, 5000, pattern);

        // Zeros kept.
        Matrix a = r.a();
        Matrix b = r.b();
        Matrix am = a.copy();
        pattern.maskA(am);
        Matrix bm = b.copy();
        pattern.maskB(bm);
        assertEquals(0.0, a.minus(am).maxAbs());
        assertEquals(0.0, b.minus(bm).maxAbs());
        // No kappa ball: the rows of layer 2 grew beyond it (the start's rows already exceed it).
        assertTrue(a.infNorm() > kappa, "||A||_inf = " + a.infNorm());

        // Stationarity of the majoriser <G, W - W0> + 1/2 tr(Lam (W - W0) K (W - W0)^T) on the free entries.
        Matrix grad = majoriserGradient(st, cs, Matrix.hstack(a, b));
        Matrix freeA = grad.columns(0, N);
        pattern.maskA(freeA);
        Matrix freeB = grad.columns(N, N + P);
        pattern.maskB(freeB);
        double scale = st.g().maxAbs() / st.count();
        assertTrue(freeA.maxAbs() <= 1e-9 * scale, "gradient on A's free entries " + freeA.maxAbs() + " vs " + scale);
        assertTrue(freeB.maxAbs() <= 1e-9 * scale, "gradient on B's free entries " + freeB.maxAbs() + " vs " + scale);
        assertTrue(r.after() < r.before(), r.before() + " -> " + r.after());
    }

    @Test
    void abStepWithAGeneralPatternProjectsTheFreeEntriesOntoTheBall() {
        Random random = new Random(3);
        Matrix maskA = Matrix.zeros(N, N);
        for (int k = 0; k < maskA.data().length; k++) {
            maskA.data()[k] = random.nextDouble() < 0.5 ? 1 : 0;
        }
        SparsityPattern ff = SparsityPattern.feedforward(P, LAYERS, Q, false);
        AbCase cs = abCase(ff, 4);
        SparsityPattern pattern = SparsityPattern.of(maskA, null, null, null);
        assertFalse(pattern.makesAWellPosed());
        ABStep.Statistics st = ABStep.statistics(Activation.TANH, cs.lambda, cs.x, cs.u, cs.z, cs.p);
        double kappa = 0.3;
        ABStep.Result r = ABStep.solve(st, cs.u.gram(), cs.model.a(), cs.model.b(), cs.lambda, kappa, Penalty.NONE, P,
                null, 20000, pattern);
        Matrix a = r.a();
        for (int k = 0; k < a.data().length; k++) {
            if (maskA.data()[k] == 0) {
                assertEquals(0.0, a.data()[k]);
            }
        }
        assertTrue(a.infNorm() <= kappa + 1e-12, "||A||_inf = " + a.infNorm());

        // Against projected gradient on the same majoriser: mask, then the row-wise L1-ball projection.
        Matrix w0 = Matrix.hstack(cs.model.a(), cs.model.b());
        Matrix w = w0.copy();
        double step = 1.0 / (max(cs.lambda) * kmatrix(st, cs).largestEigenvaluePsd(500) * 1.1);
        for (int it = 0; it < 200000; it++) {
            w.addInPlace(-step, majoriserGradient(st, cs, w));
            Matrix aw = w.columns(0, N);
            pattern.maskA(aw);
            org.idl.model.WellPosedness.projectInfNormBall(aw, kappa);
            w.setBlock(0, 0, aw);
        }
        double fast = majoriserValue(st, cs, Matrix.hstack(a, r.b()));
        double slow = majoriserValue(st, cs, w);
        assertEquals(slow, fast, 1e-9 * Math.max(1, Math.abs(slow)), "majoriser: fast " + fast + ", slow " + slow);
    }

    @Test
    void readoutOnThePatternIsTheRowwiseLeastSquaresOnTheFreeEntries() {
        SparsityPattern pattern = SparsityPattern.feedforward(P, LAYERS, Q, false);
        Random random = new Random(5);
        ImplicitModel model = randomFeedforward(pattern, 1.0, random);
        int m = 60;
        Matrix u = Matrix.gaussian(P, m, 1.0, random);
        Matrix x = model.states(u);
        Matrix y = Matrix.gaussian(Q, m, 1.0, random);
        ReadoutStep.Statistics st = ReadoutStep.statistics(Loss.SQUARED, x, u, y, model.c(), model.d(), true);
        double ridge = 1e-3;
        ReadoutStep.Result r = ReadoutStep.solve(st, st.ss(), st.su(), u.gram(), model.c(), model.d(), Loss.SQUARED,
                ridge, Penalty.NONE, Penalty.NONE, P, null, 100, pattern);
        assertEquals(0.0, r.d().maxAbs(), "D must stay 0");
        for (int i = 0; i < Q; i++) {
            for (int j = 0; j < LAYERS[0]; j++) {
                assertEquals(0.0, r.c().get(i, LAYERS[1] + j), "C reads layer 2 only");
            }
        }
        // Independent: per output, ridge regression of y_i on the last layer's states (per-sample loss).
        int k = LAYERS[1];
        Matrix h = x.block(0, k, 0, m);
        Matrix gram = h.gram().scaleInPlace(1.0 / m);
        for (int i = 0; i < k; i++) {
            gram.set(i, i, gram.get(i, i) + ridge);
        }
        Matrix rhs = y.timesTransposed(h).scaleInPlace(1.0 / m);
        Matrix expected = new org.idl.linalg.SymmetricSolver(gram).solveRight(rhs);
        double diff = r.c().columns(0, k).minus(expected).maxAbs();
        assertTrue(diff <= 1e-10 * Math.max(1, expected.maxAbs()), "C against ridge on layer 2: " + diff);
    }

    @Test
    void bcdTrainsAFeedforwardStudentAndKeepsItsLayers() {
        Random random = new Random(6);
        SparsityPattern pattern = SparsityPattern.feedforward(P, LAYERS, Q, false);
        ImplicitModel teacher = randomFeedforward(pattern, 1.0, random);
        int m = 300;
        Matrix u = Matrix.gaussian(P, m, 1.0, random);
        Matrix y = teacher.predict(u);
        ImplicitModel start = randomFeedforward(pattern, 0.5, random);
        double[] lambda = new double[N];
        for (int i = 0; i < N; i++) {
            lambda[i] = i < LAYERS[1] ? 1e-2 : 1e-4;
        }
        for (Schedule schedule : Schedule.values()) {
            BcdConfig config = BcdConfig.builder().hidden(N).activation(Activation.TANH).loss(Loss.SQUARED).bias(false)
                    .lambdaPerUnit(lambda).mu(1e-4).schedule(schedule).rounds(8).ridge(1e-8).structure(pattern).build();
            TrainingResult result = new BcdTrainer(config).fit(LocalBlockStore.split(u, y, 2), start, null);
            ImplicitModel learnt = result.model();
            pattern.requireRespectedBy(learnt);
            double startRmse = rmse(start.predict(u), y);
            double rmse = rmse(learnt.predict(u), y);
            assertTrue(rmse < 0.7 * startRmse, schedule + ": RMSE " + startRmse + " -> " + rmse);
        }
        BcdConfig config = BcdConfig.builder().hidden(N).activation(Activation.TANH).loss(Loss.SQUARED).bias(false)
                .structure(pattern).build();
        ImplicitModel dense = new ImplicitModel(Matrix.gaussian(N, N, 0.01, random), start.b(), start.c(), start.d(),
                Activation.TANH, false);
        assertThrows(IllegalArgumentException.class,
                () -> new BcdTrainer(config).fit(LocalBlockStore.split(u, y, 1), dense, null));
    }

    // ---------------------------------------------------------------- helpers

    private static Matrix kmatrix(ABStep.Statistics st, AbCase cs) {
        return Matrix.symmetricBlocks(st.xx(), st.xu(), cs.u.gram()).scaleInPlace(1.0 / st.count());
    }

    /** Gradient of {@code <G, W - W0> + 1/2 tr(Lam (W - W0) K (W - W0)^T)}, per sample. */
    private static Matrix majoriserGradient(ABStep.Statistics st, AbCase cs, Matrix w) {
        Matrix delta = w.minus(Matrix.hstack(cs.model.a(), cs.model.b())).scaleRowsInPlace(cs.lambda);
        return st.g().copy().scaleInPlace(1.0 / st.count()).plus(delta.times(kmatrix(st, cs)));
    }

    private static double majoriserValue(ABStep.Statistics st, AbCase cs, Matrix w) {
        Matrix delta = w.minus(Matrix.hstack(cs.model.a(), cs.model.b()));
        Matrix weighted = delta.copy().scaleRowsInPlace(cs.lambda);
        return st.g().dot(delta) / st.count() + 0.5 * weighted.dot(delta.times(kmatrix(st, cs)));
    }

    private static double rmse(Matrix yhat, Matrix y) {
        return Math.sqrt(yhat.minus(y).frobeniusSquared() / y.cols());
    }

    private static double sum(Matrix m) {
        double s = 0;
        for (double v : m.data()) {
            s += v;
        }
        return s;
    }
}
