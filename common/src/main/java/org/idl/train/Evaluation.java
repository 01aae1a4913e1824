package org.idl.train;

import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;

/**
 * A pass of true-model metrics: predictions from the fixed point of the snapshot, solved to
 * {@code tolerance}; the loss weighs the points by their weights, if any.
 */
public record Evaluation(Loss loss, double tolerance) implements BlockStore.Task<MetricSums> {
    public Evaluation(ModelSettings settings) {
        this(settings.loss(), settings.tolerance());
    }

    @Override
    public boolean changesStates() {
        return false;
    }

    @Override
    public BlockStore.Outcome<MetricSums> apply(ImplicitModel model, DataBlock block) {
        Matrix x = model.solver(tolerance).solve(block.inputs().leftProduct(model.b()), null).states();
        return new BlockStore.Outcome<>(block, MetricSums.of(loss, block.y(), model.readout(x, block.inputs()),
                block.weights()));
    }
}
