package org.idl.train;

import org.idl.linalg.Matrix;

import java.io.Serializable;

/**
 * Sums behind the true-model metrics of a block: loss, correct argmax predictions, squared error,
 * and the number of data points. Computed from predictions at the true fixed point only.
 */
public record MetricSums(double loss, long correct, double squaredError, long count, int outputs)
        implements Serializable, Summable<MetricSums> {

    public static MetricSums of(Loss loss, Matrix y, Matrix yhat) {
        return of(loss.value(y, yhat), y, yhat);
    }

    /** The loss summed with the points' weights (null: 1 each); accuracy and squared error count each point once. */
    public static MetricSums of(Loss loss, Matrix y, Matrix yhat, double[] weights) {
        return of(loss.weightedValueAndGradient(y, yhat, null, weights), y, yhat);
    }

    /** The metrics of predictions whose summed loss is already known. */
    public static MetricSums of(double value, Matrix y, Matrix yhat) {
        long correct = 0;
        double se = 0;
        int q = y.rows();
        for (int c = 0; c < y.cols(); c++) {
            int best = 0;
            int truth = 0;
            for (int i = 0; i < q; i++) {
                double r = yhat.get(i, c) - y.get(i, c);
                se += r * r;
                if (yhat.get(i, c) > yhat.get(best, c)) {
                    best = i;
                }
                if (y.get(i, c) > y.get(truth, c)) {
                    truth = i;
                }
            }
            if (best == truth) {
                correct++;
            }
        }
        return new MetricSums(value, correct, se, y.cols(), q);
    }

    @Override
    public MetricSums merge(MetricSums o) {
        return new MetricSums(loss + o.loss, correct + o.correct, squaredError + o.squaredError, count + o.count,
                Math.max(outputs, o.outputs));
    }

    public double meanLoss() {
        return loss / count;
    }

    public double accuracy() {
        return (double) correct / count;
    }

    /** Root mean squared error over all outputs. */
    public double rmse() {
        return Math.sqrt(squaredError / ((double) count * outputs));
    }
}
