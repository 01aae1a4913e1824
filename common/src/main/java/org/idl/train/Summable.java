package org.idl.train;

/** Statistics that add up across blocks of data: what a pass sums on executors and merges on the driver. */
public interface Summable<S extends Summable<S>> {
    S merge(S other);
}
