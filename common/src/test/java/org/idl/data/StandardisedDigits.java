package org.idl.data;

import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.robust.IntervalBounds;
import org.idl.train.Loss;
import org.idl.train.MetricSums;

import java.util.Arrays;

/**
 * The digits split the common tests train on: stratified 75/25 with seed 0, standardised on the
 * training part, labels one-hot; and the two test-set measures they assert on.
 */
public record StandardisedDigits(Matrix uTrain, Matrix yTrain, Matrix uTest, Matrix yTest) {

    public static StandardisedDigits load() {
        LabeledData.Split split = Digits.load().stratifiedSplit(0.25, 0);
        Standardizer scaler = Standardizer.fit(split.train().features());
        return new StandardisedDigits(scaler.apply(split.train().features()), split.train().oneHot(10),
                scaler.apply(split.test().features()), split.test().oneHot(10));
    }

    /** Test accuracy of the true model. */
    public double testAccuracy(ImplicitModel model) {
        return MetricSums.of(Loss.SOFTMAX_CROSS_ENTROPY, yTest, model.predict(uTest)).accuracy();
    }

    /** The share of test points predicted correctly and certified by the interval bounds, every feature at {@code radius}. */
    public double certifiedAccuracy(ImplicitModel model, double radius) {
        double[] sigma = new double[uTest.rows()];
        Arrays.fill(sigma, radius);
        boolean[] sure = IntervalBounds.certified(model, uTest, sigma, IntervalBounds.of(model, uTest, sigma));
        Matrix predicted = model.predict(uTest);
        int good = 0;
        for (int c = 0; c < sure.length; c++) {
            if (sure[c] && predicted.argmaxInColumn(c) == yTest.argmaxInColumn(c)) {
                good++;
            }
        }
        return (double) good / sure.length;
    }
}
