package org.idl.train.bcd;

import org.idl.linalg.Matrix;
import org.idl.linalg.TestMatrices;
import org.idl.model.Activation;
import org.idl.model.ImplicitModel;
import org.idl.train.Loss;
import org.idl.train.MetricSums;
import org.idl.train.Round;
import org.idl.train.TrainingResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BCD training end to end on small data: independence of the blocking, both schedules, regression. */
class BcdTrainerTest {

    /** A 3-class problem: labels from the argmax of a random linear map of Gaussian inputs, with noise. */
    private static Matrix[] classification(long seed, int p, int m) {
        Random random = new Random(seed);
        Matrix u = Matrix.gaussian(p, m, 1.0, random);
        Matrix w = Matrix.gaussian(3, p, 1.0, random);
        Matrix scores = w.times(u).plus(Matrix.gaussian(3, m, 0.3, random));
        Matrix y = Matrix.zeros(3, m);
        for (int c = 0; c < m; c++) {
            int best = 0;
            for (int i = 1; i < 3; i++) {
                if (scores.get(i, c) > scores.get(best, c)) {
                    best = i;
                }
            }
            y.set(best, c, 1.0);
        }
        return new Matrix[]{u, y};
    }

    private static double relativeDifference(Matrix a, Matrix b) {
        return a.minus(b).maxAbs() / Math.max(1e-300, a.maxAbs());
    }

    @ParameterizedTest
    @EnumSource(value = Schedule.class, names = {"RECIPE", "MINIBATCH"})
    void resultDoesNotDependOnTheNumberOfBlocks(Schedule schedule) {
        Matrix[] data = classification(1, 8, 200);
        // Minibatch: 4 batches of about 50 points per epoch, 16 driver steps in all.
        BcdConfig config = BcdConfig.builder().hidden(12).rounds(4).seed(3).schedule(schedule).batchSize(50).build();
        TrainingResult reference = null;
        for (int blocks : new int[]{1, 2, 7}) {
            List<Round> seen = new ArrayList<>();
            TrainingResult result = new BcdTrainer(config).fit(data[0], data[1], blocks,
                    (round, state) -> seen.add(round));
            assertEquals(4, result.rounds().size());
            assertEquals(result.rounds(), seen, "the listener is told of every round");
            ImplicitModel model = result.model();
            // Training moved A away from its start at 0: the check below compares something non-trivial.
            assertTrue(model.a().maxAbs() > 1e-3, "A stayed at " + model.a().maxAbs());
            if (reference == null) {
                reference = result;
                continue;
            }
            ImplicitModel ref = reference.model();
            String what = blocks + " blocks against 1";
            assertTrue(relativeDifference(ref.a(), model.a()) <= 1e-8, what + ": A " + relativeDifference(ref.a(), model.a()));
            assertTrue(relativeDifference(ref.b(), model.b()) <= 1e-8, what + ": B " + relativeDifference(ref.b(), model.b()));
            assertTrue(relativeDifference(ref.c(), model.c()) <= 1e-8, what + ": C " + relativeDifference(ref.c(), model.c()));
            assertTrue(relativeDifference(ref.d(), model.d()) <= 1e-8, what + ": D " + relativeDifference(ref.d(), model.d()));
            double[] h0 = reference.objectiveHistory();
            double[] h1 = result.objectiveHistory();
            for (int r = 0; r < h0.length; r++) {
                assertEquals(h0[r], h1[r], 1e-8 * Math.abs(h0[r]), what + ": objective of round " + (r + 1));
                // The driver steps' values too: with the minibatch schedule the blocks each add their rows' shares.
                Round.DriverSteps s0 = reference.rounds().get(r).steps();
                Round.DriverSteps s1 = result.rounds().get(r).steps();
                double[][] pairs = {{s0.abBefore(), s1.abBefore()}, {s0.abAfter(), s1.abAfter()},
                    {s0.readoutBefore(), s1.readoutBefore()}, {s0.readoutAfter(), s1.readoutAfter()}};
                for (double[] p : pairs) {
                    assertEquals(p[0], p[1], 1e-8 * Math.abs(p[0]), what + ": driver steps of round " + (r + 1));
                }
            }
            assertEquals(reference.initial().meanLoss(), result.initial().meanLoss(), 1e-10);
        }
        // The recipe fits: training loss below the initial random-features readout.
        Round last = reference.rounds().get(reference.rounds().size() - 1);
        assertTrue(last.train().meanLoss() < reference.initial().meanLoss(),
                last.train().meanLoss() + " vs initial " + reference.initial().meanLoss());
        assertTrue(reference.model().a().infNorm() <= config.kappa() + 1e-12);
    }

    /**
     * Minibatch on more than 15,000 points: each epoch's curvature and metrics come from a sample of about
     * 10,000 of them, drawn by point key, so the model still does not depend on the blocks.
     */
    @Test
    void theCurvatureSampleDoesNotDependOnTheBlocks() {
        int m = 16_000;
        Matrix[] data = classification(11, 4, m);
        BcdConfig config = BcdConfig.builder().hidden(6).rounds(2).seed(5).schedule(Schedule.MINIBATCH)
                .batchSize(4000).initialReadoutPasses(2).build();
        assertEquals(2, MiniBatches.sampleParts(m));
        TrainingResult one = new BcdTrainer(config).fit(data[0], data[1], 1, null);
        TrainingResult three = new BcdTrainer(config).fit(data[0], data[1], 3, null);
        assertTrue(one.model().a().maxAbs() > 1e-3, "A stayed at " + one.model().a().maxAbs());
        assertTrue(relativeDifference(one.model().a(), three.model().a()) <= 1e-8,
                "A " + relativeDifference(one.model().a(), three.model().a()));
        assertTrue(relativeDifference(one.model().b(), three.model().b()) <= 1e-8,
                "B " + relativeDifference(one.model().b(), three.model().b()));
        assertTrue(relativeDifference(one.model().c(), three.model().c()) <= 1e-8,
                "C " + relativeDifference(one.model().c(), three.model().c()));
        // Round 1 is measured at the start of epoch 2, on the sample: about half of the points, the same ones.
        long sampled = one.rounds().get(0).train().count();
        assertTrue(sampled > 0.45 * m && sampled < 0.55 * m, "sample of " + sampled);
        assertEquals(sampled, three.rounds().get(0).train().count());
        // The last round is measured on every point.
        assertEquals(m, one.rounds().get(1).train().count());
    }

    /**
     * Minibatch: a point's batch follows from its content, not its position, so the same data in
     * another order trains the same model; a pass per batch (the second run) gives the model that one
     * collective pass per epoch gives (the first); and each epoch's re-sync measures the true model.
     */
    @Test
    void miniBatchesFollowThePointsNotTheirOrder() {
        Matrix[] data = classification(5, 6, 240);
        int m = data[0].cols();
        int[] reversed = new int[m];
        for (int j = 0; j < m; j++) {
            reversed[j] = m - 1 - j;
        }
        BcdConfig config = BcdConfig.builder().hidden(10).rounds(3).seed(7).schedule(Schedule.MINIBATCH)
                .batchSize(40).build();
        TrainingResult forward = new BcdTrainer(config).fit(data[0], data[1], 3, null);
        TrainingResult backward = new BcdTrainer(config).fit(BcdTrainer.localStore(data[0].columnsAt(reversed, 0, m),
                data[1].columnsAt(reversed, 0, m), 2, true).withoutCollectives(), 6, 3, null, null);
        assertTrue(relativeDifference(forward.model().b(), backward.model().b()) <= 1e-8,
                "B " + relativeDifference(forward.model().b(), backward.model().b()));
        assertTrue(relativeDifference(forward.model().c(), backward.model().c()) <= 1e-8,
                "C " + relativeDifference(forward.model().c(), backward.model().c()));
        assertTrue(forward.model().a().maxAbs() > 1e-3, "A stayed at " + forward.model().a().maxAbs());
        assertTrue(forward.model().a().infNorm() <= config.kappa() + 1e-12);
        Round last = forward.rounds().get(2);
        Matrix yhat = forward.model().predict(data[0]);
        assertEquals(MetricSums.of(Loss.SOFTMAX_CROSS_ENTROPY, data[1], yhat).meanLoss(), last.train().meanLoss(), 1e-9);
        assertTrue(last.train().meanLoss() < forward.initial().meanLoss(),
                last.train().meanLoss() + " vs initial " + forward.initial().meanLoss());
    }

    /**
     * Minibatch with a penalty on B, whose steps do not separate by rows: in a collective epoch block 0
     * takes them whole, and the model is the one the driver's pass per batch gives.
     */
    @Test
    void aPenalisedMiniBatchEpochGivesTheDriversModel() {
        Matrix[] data = classification(9, 6, 240);
        int m = data[0].cols();
        BcdConfig config = BcdConfig.builder().hidden(8).rounds(2).seed(5).schedule(Schedule.MINIBATCH)
                .batchSize(60).l1B(1e-3).abIterations(30).build();
        TrainingResult collective = new BcdTrainer(config).fit(data[0], data[1], 3, null);
        TrainingResult driver = new BcdTrainer(config).fit(BcdTrainer.localStore(data[0], data[1], 2, true)
                .withoutCollectives(), 6, 3, null, null);
        assertTrue(collective.model().a().maxAbs() > 1e-3, "A stayed at " + collective.model().a().maxAbs());
        assertTrue(relativeDifference(driver.model().b(), collective.model().b()) <= 1e-8,
                "B " + relativeDifference(driver.model().b(), collective.model().b()));
        assertTrue(relativeDifference(driver.model().c(), collective.model().c()) <= 1e-8,
                "C " + relativeDifference(driver.model().c(), collective.model().c()));
        assertEquals(driver.rounds().get(1).steps().abAfter(), collective.rounds().get(1).steps().abAfter(),
                1e-8 * Math.abs(driver.rounds().get(1).steps().abAfter()));
        assertEquals(m, collective.rounds().get(1).train().count());
    }

    @Test
    void paperScheduleRunsWithAFiniteObjectiveHistory() {
        Matrix[] data = classification(2, 6, 150);
        BcdConfig config = BcdConfig.builder().hidden(10).rounds(3).schedule(Schedule.PAPER).seed(4).build();
        TrainingResult result = new BcdTrainer(config).fit(data[0], data[1], 3, null);
        double[] history = result.objectiveHistory();
        assertEquals(3, history.length);
        for (double v : history) {
            assertTrue(Double.isFinite(v) && v >= 0, "objective " + v);
        }
        assertNotNull(result.initial());
        for (Round round : result.rounds()) {
            assertNotNull(round.train(), "round " + round.round() + " has true-model metrics");
            assertTrue(Double.isFinite(round.train().meanLoss()));
            assertEquals(150, round.train().count());
            assertTrue(round.steps().abAfter() <= round.steps().abBefore() + 1e-12, "the (A,B)-step's majoriser went up");
            assertTrue(round.infNorm() <= config.kappa() + 1e-12);
        }
        assertTrue(result.model().a().infNorm() <= config.kappa() + 1e-12);
        // The reported metrics are those of the true model.
        Matrix yhat = result.model().predict(data[0]);
        Round last = result.rounds().get(2);
        assertEquals(MetricSums.of(Loss.SOFTMAX_CROSS_ENTROPY, data[1], yhat).meanLoss(), last.train().meanLoss(), 1e-9);
    }

    @Test
    void squaredLossRegressionOnATeacherImplicitModelImprovesRmse() {
        Random random = new Random(5);
        int n = 6;
        int p = 5;
        int q = 2;
        Matrix a = TestMatrices.gaussianWithInfNorm(n, 0.5, random);
        ImplicitModel teacher = new ImplicitModel(a, Matrix.gaussian(n, p + 1, 1.0, random),
                Matrix.gaussian(q, n, 1.0, random), Matrix.gaussian(q, p + 1, 0.3, random), Activation.RELU, true);
        Matrix u = Matrix.gaussian(p, 200, 1.0, random);
        Matrix y = teacher.predict(u);

        BcdConfig config = BcdConfig.builder().hidden(12).loss(Loss.SQUARED).rounds(8).lambda(0.3).mu(0.3).seed(6)
                .build();
        TrainingResult result = new BcdTrainer(config).fit(u, y, 2, null);
        double initial = result.initial().rmse();
        double last = result.rounds().get(result.rounds().size() - 1).train().rmse();
        // The reported RMSE is that of the true model's predictions.
        Matrix yhat = result.model().predict(u);
        double direct = Math.sqrt(yhat.minus(y).frobeniusSquared() / (200.0 * q));
        assertEquals(direct, last, 1e-9);
        assertTrue(initial > 0);
        assertTrue(last < 0.9 * initial, "RMSE " + initial + " -> " + last);
        // Every round's true-model RMSE is below the initial one.
        for (Round round : result.rounds()) {
            assertTrue(round.train().rmse() < initial, "round " + round.round() + ": " + round.train().rmse());
        }
    }
}
