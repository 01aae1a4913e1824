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
