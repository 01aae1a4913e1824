package org.idl.spark.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How many partial results reach the driver through treeReduce, as Spark's treeAggregate merges them. */
class TrainingLimitsTest {
    @Test
    void resultsAtTheDriverFollowTreeAggregatesLevels() {
        assertEquals(2, TrainingLimits.resultsAtTheDriver(2, 2));
        assertEquals(2, TrainingLimits.resultsAtTheDriver(8, 2)); // scale 3: 8 -> 2
        assertEquals(8, TrainingLimits.resultsAtTheDriver(64, 2)); // scale 8: 64 -> 8
        assertEquals(31, TrainingLimits.resultsAtTheDriver(1000, 2)); // scale 32: 1000 -> 31
        assertEquals(64, TrainingLimits.resultsAtTheDriver(64, 1));
    }
}
