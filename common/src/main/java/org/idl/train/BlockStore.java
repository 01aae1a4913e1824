package org.idl.train;

import org.idl.model.ImplicitModel;

import java.io.Serializable;

/**
 * Where the data blocks live: in this JVM ({@link LocalBlockStore}) or across Spark executors. The
 * BCD driver logic ({@link BcdTrainer}) only ever asks for passes: every block applies a task to
 * an immutable snapshot of the parameters, keeps the new states, and the blocks' statistics are summed.
 */
public interface BlockStore {

    /** What a task gives back for one block: its new state and its statistics. */
    record Outcome<S>(DataBlock block, S statistics) implements Serializable {
    }

    /** One block's work in a pass; holds only settings, never data. */
    interface Task<S extends Summable<S>> extends Serializable {
        Outcome<S> apply(ImplicitModel parameters, DataBlock block);

        /** False for passes that only read the blocks: a store need not keep their output. */
        default boolean changesStates() {
            return true;
        }
    }

    /** Runs one pass and returns the sum of the blocks' statistics. */
    <S extends Summable<S>> S pass(ImplicitModel parameters, Task<S> task);

    /**
     * Element-wise sums across the blocks of a {@link #collectivePass}, from inside their tasks: every
     * block calls it the same number of times, with arrays of the same length, and every block gets the
     * same sums back. This is what lets the blocks average their parameters without a pass per average.
     */
    interface AllReduce {
        /** Replaces {@code values} by their sum over all blocks. */
        void sumInPlace(double[] values);

        /**
         * The same sum, where the transport may carry each value but the last {@code exactTail} in fewer
         * bits (the Spark tasks' all-reduce does with {@code spark.idl.allReduceWire = float32}, an error of
         * about 1e-7 of the magnitudes summed, or {@code bfloat16}, about 4e-3): for averages that tolerate
         * it, such as the gradient solver's parameters and Adam moments, never for statistics a model must
         * reproduce exactly; the tail (counts, weights) is summed exactly. Every block gets the same values.
         */
        default void roundedSumInPlace(double[] values, int exactTail) {
            sumInPlace(values);
        }
    }

    /** One block's work in a pass whose blocks run at the same time and talk through an {@link AllReduce}. */
    interface CollectiveTask<S extends Summable<S>> extends Serializable {
        /** Must leave the block's states as they were: a collective pass only reads the blocks. */
        Outcome<S> apply(ImplicitModel parameters, DataBlock block, AllReduce reduce);
    }

    /** Whether {@link #collectivePass} can run here: all blocks at once, connected to each other. */
    default boolean collective() {
        return false;
    }

    /** Runs every block's task at the same time and returns the sum of their statistics. */
    default <S extends Summable<S>> S collectivePass(ImplicitModel parameters, CollectiveTask<S> task) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot run a collective pass");
    }

    /** Called before each BCD round's first pass. */
    default void roundStarted(int round) {
    }

    /** Called after each BCD round, so a distributed store can cut its lineage. */
    default void roundCompleted(int round) {
    }

    /** Releases what the store holds (caches, broadcasts); the store is not used afterwards. */
    default void release() {
    }
}
