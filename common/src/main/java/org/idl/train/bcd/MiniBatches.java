package org.idl.train.bcd;

import org.idl.train.DataBlock;

/**
 * The mini-batches of the minibatch schedule: in each epoch every point falls in one of
 * {@code batches} batches, drawn from the point's content ({@link DataBlock#pointKeys}), the seed and
 * the epoch alone. So the batches, and the model trained on them, are the same however the data is
 * split into blocks or partitions, and each epoch draws new batches. Batch sizes are binomial around
 * m / batches rather than exact: drawing an exact split would need a global order of the points.
 */
public final class MiniBatches {
    private MiniBatches() {
    }

    /** The number of batches of an epoch over {@code points} points: m / batchSize rounded, at least 1. */
    public static int count(long points, int batchSize) {
        long batches = Math.round((double) points / batchSize);
        return (int) Math.max(1, Math.min(batches, Integer.MAX_VALUE));
    }

    /** The batch, in [0, batches), that the point with this key falls in at this epoch. */
    public static int batchOf(long key, long seed, int epoch, int batches) {
        long z = key + seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL;
        // SplitMix64's finaliser: every bit of the key, seed and epoch reaches every bit of the draw.
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (int) Long.remainderUnsigned(z, batches);
    }

    /** About this many points make the curvature sample of the minibatch schedule's epochs. */
    public static final int SAMPLE_POINTS = 10_000;

    /** Into how many parts the curvature sample cuts {@code points} points: one of them is the sample. */
    public static int sampleParts(long points) {
        return count(points, SAMPLE_POINTS);
    }

    /**
     * The block's columns in the curvature sample, ascending: the part 0 of {@code parts}, drawn as the
     * batches of an epoch 0 (training epochs count from 1), the same at every epoch.
     */
    public static int[] sample(DataBlock block, long seed, int parts) {
        return members(block, seed, 0, 0, parts);
    }

    /** The block's columns that fall in {@code batch} at this epoch, ascending. */
    public static int[] members(DataBlock block, long seed, int epoch, int batch, int batches) {
        long[] keys = block.pointKeys();
        int[] out = new int[keys.length];
        int k = 0;
        for (int j = 0; j < keys.length; j++) {
            if (batchOf(keys[j], seed, epoch, batches) == batch) {
                out[k++] = j;
            }
        }
        return java.util.Arrays.copyOf(out, k);
    }
}
