package org.idl.train;

/** Statistics that add up across blocks of data: what a pass sums on executors and merges on the driver. */
public interface Summable<S extends Summable<S>> {
    S merge(S other);

    /** The entrywise sum of two optional vectors of sums (null where a block had none). */
    static double[] sum(double[] a, double[] b) {
        if (a == null || b == null) {
            if (a != b) {
                throw new IllegalArgumentException("cannot add statistics gathered with and without a box");
            }
            return null;
        }
        double[] out = a.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += b[i];
        }
        return out;
    }
}
