package org.idl.train.gradient;

import org.idl.data.StandardisedDigits;
import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.train.BlockStore;
import org.idl.train.ImplicitTrainer;
import org.idl.train.LocalBlockStore;
import org.idl.train.Loss;
import org.idl.train.MetricSums;
import org.idl.train.ModelSettings;
import org.idl.train.Round;
import org.idl.train.Solver;
import org.idl.train.TrainingListener;
import org.idl.train.TrainingResult;
import org.idl.train.bcd.BcdConfig;
import org.idl.train.bcd.BcdTrainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gradient and hybrid solvers on digits (75/25 stratified, standardised), single machine. */
class GradientTrainerTest {
    private static Matrix uTrain;
    private static Matrix uTest;
    private static Matrix yTrain;
    private static Matrix yTest;

    private static StandardisedDigits digits;

    @BeforeAll
    static void load() {
        digits = StandardisedDigits.load();
        uTrain = digits.uTrain();
        uTest = digits.uTest();
        yTrain = digits.yTrain();
        yTest = digits.yTest();
    }

    private static double testAccuracy(ImplicitModel model) {
        return digits.testAccuracy(model);
    }

    @Test
    void localMiniBatchAdamTrainsAWellPosedModel() {
        BcdConfig config = BcdConfig.builder().hidden(64).build();
        GradientConfig gradient = new GradientConfig(8, 3e-3, 64, 1e-6);
        TrainingResult result = new ImplicitTrainer(Solver.GRADIENT, config, gradient).fit(uTrain, yTrain, 2, null);
        ImplicitModel model = result.model();
        double accuracy = testAccuracy(model);
        System.out.printf("gradient, 2 blocks, 8 epochs: test accuracy %.4f, train loss %.4f%n", accuracy,
                result.rounds().get(7).train().meanLoss());
        assertEquals(8, result.rounds().size());
        assertTrue(model.a().infNorm() <= config.kappa() + 1e-12, "||A||_inf " + model.a().infNorm());
        assertTrue(model.a().maxAbs() > 0, "A never moved");
        assertTrue(accuracy >= 0.96, "test accuracy " + accuracy);
        // Round r's metrics describe the model after round r: the last round's are the returned model's.
        MetricSums train = MetricSums.of(Loss.SOFTMAX_CROSS_ENTROPY, yTrain, model.predict(uTrain));
        assertEquals(train.meanLoss(), result.rounds().get(7).train().meanLoss(), 1e-9);
        assertEquals(Math.log(10), result.initial().meanLoss(), 1e-12); // C = D = 0 at the start
        assertTrue(train.meanLoss() < 0.15, "train loss " + train.meanLoss());
    }

    @Test
    void smallDataTakesSmallerBatchesSoThatAnEpochIsAtLeast32Steps() {
        GradientConfig batches128 = GradientConfig.defaults(20);
        // One partition (the smallest holds all the points):
        assertEquals(469, batches128.stepsPerEpoch(60_000, 60_000)); // ceil(60000 / 128)
        assertEquals(40, batches128.stepsPerEpoch(5_000, 5_000));   // ceil(5000 / 128): the rule does not act
        assertEquals(32, batches128.stepsPerEpoch(1_346, 1_346));   // not 11 batches of 128, but 32 of about 42
        assertEquals(32, batches128.stepsPerEpoch(112, 112));     // not 1 step an epoch
        assertEquals(20, batches128.stepsPerEpoch(20, 20));      // one point a step
        assertEquals(1, batches128.stepsPerEpoch(0, 0));
        // Never so many steps that a partition sits some out: 1,346 points on 64 partitions of 21 or 22.
        assertEquals(21, batches128.stepsPerEpoch(1_346, 21));
        assertEquals(469, batches128.stepsPerEpoch(60_000, 1)); // the rule alone never lowers ceil(m / B)

        BcdConfig config = BcdConfig.builder().hidden(8).build();
        ModelSettings settings = config.model();
        ImplicitModel start = settings.initialModel(uTrain.rows(), 10, null);
        LocalBlockStore blocks = LocalBlockStore.split(uTrain.withOnesRow(), yTrain, 64);
        GradientPasses.PointCount count = blocks.pass(start, new GradientPasses.CountPoints());
        assertEquals(uTrain.cols(), count.points());
        assertEquals(64, count.blocks());
        assertEquals(uTrain.cols() / 64, count.smallest());
        // The trainer plans 21 steps an epoch on them, not 32, and every block takes every step.
        int[] planned = new int[1];
        new GradientTrainer(settings, GradientConfig.defaults(1)).fit(blocks, start, List.of(), null,
                new TrainingListener() {
                    @Override
                    public void roundCompleted(Round round, TrainingResult state) {
                    }

                    @Override
                    public void epochPlanned(long points, int partitions, int steps, int perSync) {
                        planned[0] = steps;
                        assertEquals(uTrain.cols(), points);
                        assertEquals(64, partitions);
                        assertEquals(5, perSync); // ceil(320 / 64)
                    }
                });
        assertEquals(21, planned[0]);
        GradientPasses.EpochSums e = blocks.collectivePass(start, new GradientPasses.LocalSteps(settings.loss(),
                GradientConfig.defaults(1), 0.95, Adam.zeros(start.a(), start.b(), start.c(), start.d()), 1, 0, 42,
                uTrain.cols(), 21, 0, 21, 10));
        assertEquals(64 * 21, e.batches());
    }

    @Test
    void anEpochIsTheSameStepsOfTheSameGlobalBatchForAnyNumberOfPartitions() {
        // 1346 points, a global batch of 32: S = 43 steps per epoch on every partition, however small.
        GradientConfig gradient = new GradientConfig(1, 3e-3, 32, 1e-6, StepSchedule.CONSTANT, 5);
        assertEquals(43, gradient.stepsPerEpoch(uTrain.cols(), uTrain.cols()));
        ModelSettings settings = BcdConfig.builder().hidden(16).build().model();
        ImplicitModel start = settings.initialModel(uTrain.rows(), 10, null);
        LocalBlockStore blocks = LocalBlockStore.split(uTrain.withOnesRow(), yTrain, 7);
        GradientPasses.EpochSums e = blocks.collectivePass(start, new GradientPasses.LocalSteps(settings.loss(),
                gradient, 0.95, Adam.zeros(start.a(), start.b(), start.c(), start.d()), 1, 0, 42, uTrain.cols(), 43, 0, 43,
                5));
        assertEquals(7 * 43, e.batches());
        assertEquals(uTrain.cols(), e.points());
        // The epoch's last average is taken among the blocks too: block 0 alone returns it, for all the points.
        java.util.Map<Integer, GradientPasses.EpochSums> returned = new java.util.concurrent.ConcurrentHashMap<>();
        GradientPasses.LocalSteps steps = new GradientPasses.LocalSteps(settings.loss(), gradient, 0.95,
                Adam.zeros(start.a(), start.b(), start.c(), start.d()), 1, 0, 42, uTrain.cols(), 43, 0, 43, 5);
        GradientPasses.EpochSums again = blocks.collectivePass(start,
                (BlockStore.CollectiveTask<GradientPasses.EpochSums>) (model, block, reduce) -> {
                    BlockStore.Outcome<GradientPasses.EpochSums> out = steps.apply(model, block, reduce);
                    returned.put(block.index(), out.statistics());
                    return out;
                });
        assertEquals(7, returned.size());
        for (var entry : returned.entrySet()) {
            boolean leader = entry.getKey() == 0;
            assertEquals(leader, entry.getValue().weightedParameters() != null, "block " + entry.getKey());
            assertEquals(leader ? uTrain.cols() : 0, entry.getValue().points(), "block " + entry.getKey());
            assertEquals(43, entry.getValue().batches());
        }
        assertArrayEquals(e.weightedParameters()[1].data(), again.weightedParameters()[1].data(), 0.0);

        // Accuracy per epoch does not fall with the number of partitions.
        BcdConfig config = BcdConfig.builder().hidden(32).build();
        GradientConfig epochs = new GradientConfig(15, 3e-3, 32, 1e-6, StepSchedule.COSINE, 5);
        double one = testAccuracy(new ImplicitTrainer(Solver.GRADIENT, config, epochs).fit(uTrain, yTrain, 1, null).model());
        double many = testAccuracy(new ImplicitTrainer(Solver.GRADIENT, config, epochs).fit(uTrain, yTrain, 16, null).model());
        System.out.printf("gradient, 15 epochs of global batches of 32: test accuracy %.4f on 1 partition, %.4f on 16%n",
                one, many);
        assertTrue(one >= 0.95 && Math.abs(one - many) <= 0.01, one + " on 1 partition, " + many + " on 16");
    }

    @Test
    void averagingInsideACollectivePassGivesTheSameModelAsAPassPerAverage() {
        BcdConfig config = BcdConfig.builder().hidden(16).build();
        GradientConfig epochs = new GradientConfig(3, 3e-3, 64, 1e-6, StepSchedule.COSINE, 4); // 32 steps (the fewest an epoch takes), 8 averages
        Matrix u = uTrain.withOnesRow();
        for (int k : new int[]{1, 2, 5}) {
            LocalBlockStore blocks = LocalBlockStore.split(u, yTrain, k);
            TrainingResult together = new GradientTrainer(config.model(), epochs).fit(blocks,
                    config.model().initialModel(uTrain.rows(), 10, null), List.of(), null, null);
            TrainingResult passes = new GradientTrainer(config.model(), epochs).fit(blocks.withoutCollectives(),
                    config.model().initialModel(uTrain.rows(), 10, null), List.of(), null, null);
            ImplicitModel a = together.model();
            ImplicitModel b = passes.model();
            // The same sums in the same order: the same bits.
            assertArrayEquals(b.a().data(), a.a().data(), 0.0, k + " blocks");
            assertArrayEquals(b.b().data(), a.b().data(), 0.0, k + " blocks");
            assertArrayEquals(b.c().data(), a.c().data(), 0.0, k + " blocks");
            assertArrayEquals(b.d().data(), a.d().data(), 0.0, k + " blocks");
            assertEquals(passes.rounds().get(2).train().meanLoss(), together.rounds().get(2).train().meanLoss(), 0.0);
        }
    }

    @Test
    void lowRankTrainingKeepsTheFactorsTheBallAndTheRule() {
        BcdConfig config = BcdConfig.builder().hidden(32).build();
        GradientConfig gradient = new GradientConfig(8, 3e-3, 64, 1e-6).withRank(4);
        ImplicitModel model = new ImplicitTrainer(Solver.GRADIENT, config, gradient).fit(uTrain, yTrain, 2, null).model();
        assertEquals(4, model.rank());
        assertEquals(32, model.left().rows());
        assertTrue(model.a().minus(model.left().timesTransposed(model.right())).maxAbs() <= 1e-15);
        assertTrue(model.a().infNorm() <= config.kappa() + 1e-12, "||A||_inf " + model.a().infNorm());
        assertTrue(model.left().maxAbs() > 0, "L never moved");
        double accuracy = testAccuracy(model);
        assertTrue(accuracy >= 0.93, "test accuracy " + accuracy);
        // The rank-k fixed point is the dense rule's: the same predictions from A itself.
        ImplicitModel dense = new ImplicitModel(model.a(), model.b(), model.c(), model.d(), model.activation(), true);
        assertTrue(model.predict(uTest).minus(dense.predict(uTest)).maxAbs() <= 1e-8);
        // Mini-batch epochs with averaging inside a collective pass or a pass per average: the same model.
        GradientConfig epochs = new GradientConfig(2, 3e-3, 64, 1e-6, StepSchedule.COSINE, 4).withRank(4);
        LocalBlockStore blocks = LocalBlockStore.split(uTrain.withOnesRow(), yTrain, 3);
        ImplicitModel together = new GradientTrainer(config.model(), epochs).fit(blocks,
                config.model().initialModel(uTrain.rows(), 10, null), List.of(), null, null).model();
        ImplicitModel passes = new GradientTrainer(config.model(), epochs).fit(blocks.withoutCollectives(),
                config.model().initialModel(uTrain.rows(), 10, null), List.of(), null, null).model();
        assertArrayEquals(passes.left().data(), together.left().data(), 0.0);
        assertArrayEquals(passes.right().data(), together.right().data(), 0.0);
        assertThrows(IllegalArgumentException.class, () -> new GradientConfig(1, 1e-3, 64, 1e-6).withRank(-1));
        // From a low-rank model, a dense configuration trains a dense A.
        ImplicitModel densified = new GradientTrainer(config.model(), new GradientConfig(1, 3e-3, 64, 1e-6)).fit(blocks,
                together, List.of(), null, null).model();
        assertEquals(0, densified.rank());
    }

    @Test
    void fullBatchStepsDoNotDependOnHowTheDataIsBlocked() {
        BcdConfig config = BcdConfig.builder().hidden(16).build();
        GradientConfig gradient = new GradientConfig(12, 1e-2, 0, 1e-12);
        ImplicitModel one = new ImplicitTrainer(Solver.GRADIENT, config, gradient).fit(uTrain, yTrain, 1, null).model();
        TrainingResult seven = new ImplicitTrainer(Solver.GRADIENT, config, gradient).fit(uTrain, yTrain, 7, null);
        assertClose(one.a(), seven.model().a());
        assertClose(one.b(), seven.model().b());
        assertClose(one.c(), seven.model().c());
        assertClose(one.d(), seven.model().d());
        double[] losses = seven.rounds().stream().mapToDouble(r -> r.train().meanLoss()).toArray();
        assertTrue(losses[losses.length - 1] < 0.5 * seven.initial().meanLoss(), java.util.Arrays.toString(losses));
    }

    @Test
    void hybridContinuesFromTheBcdModelWithRoundsNumberedOn() {
        BcdConfig config = BcdConfig.builder().hidden(32).rounds(3).build();
        GradientConfig gradient = new GradientConfig(2, 1e-3, 64, 1e-6);
        TrainingResult bcd = new BcdTrainer(config).fit(uTrain, yTrain, 2, null);
        java.util.List<Integer> heard = new java.util.ArrayList<>();
        TrainingResult hybrid = new ImplicitTrainer(Solver.HYBRID, config, gradient)
                .fit(uTrain, yTrain, 2, (round, state) -> heard.add(round.round()));
        assertEquals(java.util.List.of(1, 2, 3, 4, 5), heard);
        assertEquals(5, hybrid.rounds().size());
        for (int i = 0; i < 3; i++) {
            assertEquals(bcd.rounds().get(i).train().meanLoss(), hybrid.rounds().get(i).train().meanLoss(), 1e-12);
        }
        assertArrayEquals(new double[]{bcd.initial().meanLoss()}, new double[]{hybrid.initial().meanLoss()}, 1e-12);
        assertTrue(hybrid.model().a().infNorm() <= config.kappa() + 1e-12);
        assertTrue(testAccuracy(hybrid.model()) >= 0.95, "hybrid test accuracy " + testAccuracy(hybrid.model()));
    }

    @Test
    void cosineStepsAnnealFromTheStepSizeToZeroOverTheRounds() {
        GradientConfig cosine = new GradientConfig(4, 2e-3, 64, 1e-6, StepSchedule.COSINE);
        assertEquals(2e-3, cosine.stepSizeAfter(0), 1e-18);
        assertEquals(1e-3, cosine.stepSizeAfter(2), 1e-15);
        assertEquals(0.5 * 2e-3 * (1 + Math.cos(Math.PI * 0.375)), cosine.stepSizeAfter(1.5), 1e-15);
        assertEquals(0, cosine.stepSizeAfter(4), 1e-18);
        assertEquals(2e-3, new GradientConfig(4, 2e-3, 64, 1e-6).stepSizeAfter(3.9), 0);
        // Annealing changes the path: same start, same data, different model.
        BcdConfig config = BcdConfig.builder().hidden(16).build();
        ImplicitModel constant = new ImplicitTrainer(Solver.GRADIENT, config, new GradientConfig(2, 1e-2, 64, 1e-6))
                .fit(uTrain, yTrain, 2, null).model();
        ImplicitModel annealed = new ImplicitTrainer(Solver.GRADIENT, config, new GradientConfig(2, 1e-2, 64, 1e-6,
                StepSchedule.COSINE)).fit(uTrain, yTrain, 2, null).model();
        assertTrue(constant.b().minus(annealed.b()).maxAbs() > 1e-6);
        assertThrows(IllegalArgumentException.class, () -> StepSchedule.parse("linear"));
    }

    @Test
    void intervalTrainingCertifiesWhatNominalTrainingCannot() {
        BcdConfig config = BcdConfig.builder().hidden(32).build();
        double radius = 0.1; // standardised units
        GradientConfig nominal = new GradientConfig(8, 3e-3, 64, 1e-6);
        GradientConfig robust = nominal.withInterval(new IntervalTraining(new double[]{radius}, 0.5, 3));
        double[] certified = new double[2];
        double[] clean = new double[2];
        GradientConfig[] configs = {nominal, robust};
        for (int i = 0; i < 2; i++) {
            ImplicitModel model = new ImplicitTrainer(Solver.GRADIENT, config, configs[i]).fit(uTrain, yTrain, 2, null)
                    .model();
            clean[i] = testAccuracy(model);
            certified[i] = digits.certifiedAccuracy(model, radius);
        }
        System.out.printf("radius %.2f: nominal clean %.4f certified %.4f; interval-trained clean %.4f certified %.4f%n",
                radius, clean[0], certified[0], clean[1], certified[1]);
        assertTrue(certified[1] >= certified[0] + 0.3, java.util.Arrays.toString(certified));
        assertTrue(clean[1] >= 0.9, "interval-trained clean accuracy " + clean[1]);
    }


    @Test
    void refusesWhatItCannotDo() {
        BcdConfig penalised = BcdConfig.builder().hidden(8).l1B(0.1).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ImplicitTrainer(Solver.GRADIENT, penalised, GradientConfig.defaults(1)));
        assertTrue(e.getMessage().contains("l1B = 0.1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GradientConfig(1, 0, 1, 1e-6));
        assertThrows(IllegalArgumentException.class, () -> new GradientConfig(1, 1e-3, -1, 1e-6));
        assertThrows(IllegalArgumentException.class, () -> Solver.parse("sgd"));
        // Interval training: classification only, mini-batches only, radii that fit the inputs.
        IntervalTraining interval = new IntervalTraining(new double[]{0.1}, 0.5, 1);
        BcdConfig squared = BcdConfig.builder().hidden(8).loss(Loss.SQUARED).build();
        e = assertThrows(IllegalArgumentException.class, () -> new ImplicitTrainer(Solver.GRADIENT, squared,
                new GradientConfig(1, 1e-3, 64, 1e-6).withInterval(interval)).fit(uTrain, yTrain, 1, null));
        assertTrue(e.getMessage().contains("cross-entropy"), e.getMessage());
        BcdConfig small = BcdConfig.builder().hidden(8).build();
        e = assertThrows(IllegalArgumentException.class, () -> new ImplicitTrainer(Solver.GRADIENT, small,
                new GradientConfig(1, 1e-3, 0, 1e-6).withInterval(interval)).fit(uTrain, yTrain, 1, null));
        assertTrue(e.getMessage().contains("batchSize > 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ImplicitTrainer(Solver.GRADIENT, small,
                new GradientConfig(1, 1e-3, 64, 1e-6).withInterval(new IntervalTraining(new double[]{0.1, 0.2}, 0.5, 1)))
                .fit(uTrain, yTrain, 1, null));
        assertTrue(e.getMessage().contains("2 given for 64 input features"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new IntervalTraining(new double[]{Double.NaN}, 0.5, 1));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new IntervalTraining(new double[]{0.1}, 0, 1));
    }

    private static void assertClose(Matrix expected, Matrix actual) {
        double scale = Math.max(1e-12, expected.maxAbs());
        assertTrue(expected.minus(actual).maxAbs() <= 1e-8 * scale,
                "relative difference " + expected.minus(actual).maxAbs() / scale);
    }
}
