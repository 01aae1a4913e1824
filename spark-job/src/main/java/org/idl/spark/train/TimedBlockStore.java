package org.idl.spark.train;

import org.idl.train.BlockStore;

/** A block store that times its passes, for the split of a round's time in the training summary. */
interface TimedBlockStore extends BlockStore {
    /** The timings since the last call. */
    SparkBlockStore.Timings takeTimings();

    /** The number of blocks: the parallelism of training. */
    int blockCount();
}
