package org.idl.train.bcd;

import org.idl.data.Digits;
import org.idl.data.LabeledData;
import org.idl.data.StandardisedDigits;
import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.train.Loss;
import org.idl.train.MetricSums;
import org.idl.train.TrainingResult;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default schedule on real data: scikit-learn's digits, 75/25 stratified, standardised, n = 64. */
class DigitsTrainingTest {

    @Test
    void recipeReachesTheAccuracyBarOnDigits() {
        LabeledData all = Digits.load();
        assertEquals(1797, all.size());
        assertEquals(64, all.features().rows());
        StandardisedDigits digits = StandardisedDigits.load();
        Matrix uTrain = digits.uTrain();
        Matrix yTrain = digits.yTrain();

        BcdConfig config = BcdConfig.builder().hidden(64).build();
        long start = System.nanoTime();
        TrainingResult result = new BcdTrainer(config).fit(uTrain, yTrain, 1, (r, state) ->
                System.out.printf("round %d objective %.5f train loss %.5f acc %.4f ab %.5f->%.5f ro %.5f->%.5f |A| %.3f %.3fs%n",
                        r.round(), r.objective(), r.train().meanLoss(), r.train().accuracy(), r.steps().abBefore(), r.steps().abAfter(),
                        r.steps().readoutBefore(), r.steps().readoutAfter(), r.infNorm(), r.seconds()));
        double seconds = (System.nanoTime() - start) / 1e9;
        ImplicitModel model = result.model();

        // Accuracy of the true model: predictions from the fixed point of the learned (A, B, C, D).
        double testAccuracy = digits.testAccuracy(model);
        MetricSums train = MetricSums.of(Loss.SOFTMAX_CROSS_ENTROPY, yTrain, model.predict(uTrain));
        System.out.printf("digits: initial train loss %.4f, final %.4f, train acc %.4f, test acc %.4f, %.1f s%n",
                result.initial().meanLoss(), train.meanLoss(), train.accuracy(), testAccuracy, seconds);
        assertTrue(model.a().infNorm() <= config.kappa() + 1e-12);
        assertTrue(testAccuracy >= 0.975, "test accuracy " + testAccuracy);
        assertTrue(train.meanLoss() < 0.5 * result.initial().meanLoss(),
                "train loss " + train.meanLoss() + " against initial " + result.initial().meanLoss());
        // The history's last metrics are those of the returned model.
        assertEquals(train.meanLoss(), result.rounds().get(result.rounds().size() - 1).train().meanLoss(), 1e-9);
    }
}
