package org.idl.train;

import org.idl.model.ImplicitModel;

import java.util.List;

/**
 * Training as it stands after {@code rounds.size()} rounds: the result of a fit, or a checkpoint
 * midway, which is enough to resume the BCD recipe (its rounds start from the true fixed point of
 * the model alone).
 *
 * @param initial true-model metrics of the starting model on the training data
 */
public record TrainingResult(ImplicitModel model, MetricSums initial, List<Round> rounds) {
    public TrainingResult {
        rounds = List.copyOf(rounds);
    }

    public double[] objectiveHistory() {
        return rounds.stream().mapToDouble(Round::objective).toArray();
    }
}
