package org.idl.train;

import org.idl.model.ImplicitModel;

/**
 * Early stopping on held-out validation rows: stop once the watched metric has not improved for
 * {@code rounds} rounds, and keep the model of its best round (0 rounds: never stop).
 *
 * <p>The validation loss of a classifier can turn up long before its accuracy stops rising (the
 * model grows more confident on the points it gets wrong while it gets more of them right), so a
 * classifier may watch the accuracy instead, ties broken by the lower loss: without the tie-break,
 * a small validation share whose accuracy saturates early stops too soon.
 */
public final class EarlyStopping {

    /** What a round must improve to count as progress. */
    public enum Metric {
        /** The mean validation loss (cross-entropy, or squared error). */
        LOSS,
        /** The validation accuracy, ties broken by the lower loss; classifiers only. */
        ACCURACY;

        public String spec() {
            return EnumSpec.of(this);
        }

        public static Metric parse(String spec) {
            return EnumSpec.parse(Metric.class, "earlyStoppingMetric", spec);
        }
    }

    private final int rounds;
    private final Metric metric;
    private double bestLoss = Double.POSITIVE_INFINITY;
    private double bestAccuracy = Double.NEGATIVE_INFINITY;
    private int bestRound;
    private int lastRound;
    private ImplicitModel best;

    public EarlyStopping(int rounds, Metric metric) {
        this.rounds = rounds;
        this.metric = metric;
    }

    public boolean enabled() {
        return rounds > 0;
    }

    public void record(int round, MetricSums validation, ImplicitModel model) {
        lastRound = round;
        double loss = validation.meanLoss();
        double accuracy = validation.accuracy();
        boolean better = metric == Metric.LOSS ? loss < bestLoss
                : accuracy > bestAccuracy || (accuracy == bestAccuracy && loss < bestLoss);
        if (better) {
            bestLoss = loss;
            bestAccuracy = accuracy;
            bestRound = round;
            best = model;
        }
    }

    public boolean stop() {
        return enabled() && best != null && lastRound - bestRound >= rounds;
    }

    public ImplicitModel best() {
        return best;
    }

    public int bestRound() {
        return bestRound;
    }

    /** What the best round scored, for the log. */
    public String describeBest() {
        return metric == Metric.LOSS ? String.format("validation loss %.6g", bestLoss)
                : String.format("validation accuracy %.4f, loss %.6g", bestAccuracy, bestLoss);
    }
}
