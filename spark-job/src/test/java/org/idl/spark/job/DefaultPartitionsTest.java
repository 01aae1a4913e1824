package org.idl.spark.job;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DefaultPartitionsTest {
    @Test
    void oneAPerCoreButNoMoreThanOneA256TrainingPoints() {
        assertEquals(1, JobData.defaultPartitions(16, 111));      // iris on a 16-core machine: one block
        assertEquals(5, JobData.defaultPartitions(16, 1_348));    // digits: 1797 x 0.75 training rows
        assertEquals(2, JobData.defaultPartitions(2, 1_348));     // the cores, when fewer
        assertEquals(64, JobData.defaultPartitions(64, 60_000));  // MNIST: one per core
        assertEquals(1, JobData.defaultPartitions(8, 0));
    }
}
