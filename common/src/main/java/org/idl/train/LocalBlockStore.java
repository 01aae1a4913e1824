package org.idl.train;

import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;

import java.util.ArrayList;
import java.util.List;

/** Blocks held in this JVM, processed in order: the single-machine reference for the Spark store. */
public final class LocalBlockStore implements BlockStore {
    private final List<DataBlock> blocks;

    public LocalBlockStore(List<DataBlock> blocks) {
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("no data blocks");
        }
        this.blocks = new ArrayList<>(blocks);
    }

    /**
     * Splits augmented inputs and targets into {@code count} contiguous blocks of near-equal size.
     */
    public static LocalBlockStore split(Matrix augmentedU, Matrix y, int count) {
        int m = augmentedU.cols();
        if (count <= 0 || count > Math.max(1, m)) {
            throw new IllegalArgumentException("cannot split " + m + " data points into " + count + " blocks");
        }
        List<DataBlock> blocks = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            int from = (int) ((long) m * b / count);
            int to = (int) ((long) m * (b + 1) / count);
            blocks.add(DataBlock.of(augmentedU.columns(from, to), y.columns(from, to), b));
        }
        return new LocalBlockStore(blocks);
    }

    @Override
    public <S extends Summable<S>> S pass(ImplicitModel parameters, Task<S> task) {
        S total = null;
        for (int i = 0; i < blocks.size(); i++) {
            Outcome<S> outcome = task.apply(parameters, blocks.get(i));
            blocks.set(i, outcome.block());
            total = total == null ? outcome.statistics() : total.merge(outcome.statistics());
        }
        return total;
    }
}
