package org.idl.train.bcd;

import org.idl.train.EnumSpec;

/** The order of the BCD steps in a round. */
public enum Schedule {
    /**
     * What trains (method.md, "What trains, measured"): re-sync X = P = X*, the true fixed point of
     * the current (A, B), every round; then P-step, (A,B)-step, and the readout fitted on the new true
     * states [X*; U]. The default.
     */
    RECIPE,
    /**
     * The paper as written (section 4.2), for reproducing section 7: X and P carried across rounds,
     * order P, X, (A,B), (C,D), the readout fitted on P.
     */
    PAPER,
    /**
     * Mini-batch proximal BCD: each epoch solves the true fixed point of a fixed sample of about
     * 10,000 points once (the epoch's curvature and metrics), then takes one pass per mini-batch
     * (P-step on the batch, then proximal (A,B)- and readout steps on the driver). Trains large data
     * sets in a few epochs; see {@link BcdTrainer}.
     */
    MINIBATCH;

    public static Schedule parse(String spec) {
        return EnumSpec.parse(Schedule.class, "schedule", spec);
    }

    public String spec() {
        return EnumSpec.of(this);
    }
}
