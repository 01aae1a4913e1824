package org.idl.spark.train;

import org.idl.train.EnumSpec;

/**
 * Where the gradient solver's partitions average their parameters between local steps (the
 * {@code averaging} param).
 */
public enum Averaging {
    /** {@link #RING} when every partition has a task slot of its own and a block of data, else {@link #DRIVER}. */
    AUTO,
    /**
     * Among the partitions themselves: one barrier-mode Spark job per epoch whose tasks sum over TCP
     * between them ({@link PeerAllReduce}). Needs a task slot per partition, executors that can open
     * connections to each other, and no dynamic allocation.
     */
    RING,
    /** On the driver: one Spark job per average, its results summed by treeReduce. Runs anywhere. */
    DRIVER;

    public String spec() {
        return EnumSpec.of(this);
    }

    public static Averaging parse(String spec) {
        return EnumSpec.parse(Averaging.class, "averaging", spec);
    }
}
