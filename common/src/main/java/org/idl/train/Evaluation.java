package org.idl.train;

import org.idl.linalg.Inputs;
import org.idl.linalg.Matrix;
import org.idl.model.FixedPointSolver;
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

    /** Columns solved together: their matrices stay in cache, and each chunk stops when its own columns converge. */
    static final int CHUNK = 512;

    @Override
    public BlockStore.Outcome<MetricSums> apply(ImplicitModel model, DataBlock block) {
        return new BlockStore.Outcome<>(block, measure(model, model.solver(tolerance), loss, block));
    }

    /**
     * The true-model metrics of a block, solved by {@code solver} (the model's, or one certified otherwise)
     * in chunks of {@link #CHUNK} columns. A stop over the whole block would iterate every column until the
     * slowest converged, over matrices too large for the cache.
     */
    public static MetricSums measure(ImplicitModel model, FixedPointSolver solver, Loss loss, DataBlock block) {
        return measure(model, solver, loss, block, 1.0);
    }

    /**
     * The same on an evenly spaced {@code share} of the block's points (all of them at 1): what a round's
     * training metrics cost when the training set is large. At least one point of a non-empty block.
     */
    public static MetricSums measure(ImplicitModel model, FixedPointSolver solver, Loss loss, DataBlock block,
                                     double share) {
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("the share of points to measure must be in (0, 1], got " + share);
        }
        Inputs u = block.inputs();
        Matrix b = model.b();
        int m = block.size();
        int count = share == 1 ? m : (int) Math.min(m, Math.ceil(m * share));
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = (int) ((long) i * m / count);
        }
        MetricSums total = null;
        for (int from = 0; from < count; from += CHUNK) {
            int to = Math.min(count, from + CHUNK);
            Inputs uc = u.columnsAt(order, from, to);
            Matrix x = solver.solve(uc.leftProduct(b), null).states();
            MetricSums s = MetricSums.of(loss, block.y().columnsAt(order, from, to), model.readout(x, uc),
                    block.weightsAt(order, from, to));
            total = total == null ? s : total.merge(s);
        }
        return total;
    }
}
