package org.idl.spark.train;

/**
 * How a task's all-reduces are counted and charged, in one place for the Spark tasks' ({@link PeerAllReduce})
 * and the in-process blocks' ({@link DriverBlockStore}): the number of sums, the seconds in them (waiting for
 * the other tasks included) and the calling thread's CPU seconds in them (receiving, adding, copying), which
 * the task's compute leaves out, as bench/partitions.py prices the all-reduces on their own.
 */
final class AllReduceClock {
    private int sums;
    private double seconds;
    private double cpuSeconds;

    /** Runs one sum and counts it. */
    void time(Runnable sum) {
        long t0 = System.nanoTime();
        long c0 = SparkBlockStore.cpuNanos();
        sum.run();
        cpuSeconds += (SparkBlockStore.cpuNanos() - c0) / 1e9;
        seconds += (System.nanoTime() - t0) / 1e9;
        sums++;
    }

    /** The timing of a task of {@code block} that took {@code cpu} seconds of CPU, these sums' included. */
    SparkBlockStore.TaskTiming taskTiming(int block, double cpu) {
        return new SparkBlockStore.TaskTiming(block, cpu - cpuSeconds, seconds, sums);
    }
}
