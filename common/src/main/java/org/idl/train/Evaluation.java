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
        Inputs u = block.inputs();
        Matrix b = model.b();
        int m = block.size();
        int[] order = new int[m];
        for (int j = 0; j < m; j++) {
            order[j] = j;
        }
        MetricSums total = null;
        for (int from = 0; from < m; from += CHUNK) {
            int to = Math.min(m, from + CHUNK);
            Inputs uc = u.columnsAt(order, from, to);
            Matrix x = solver.solve(uc.leftProduct(b), null).states();
            MetricSums s = MetricSums.of(loss, block.y().columns(from, to), model.readout(x, uc),
                    block.weightsAt(order, from, to));
            total = total == null ? s : total.merge(s);
        }
        return total;
    }
}
