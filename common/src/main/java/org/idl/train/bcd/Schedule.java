package org.idl.train.bcd;

import java.util.Locale;

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
    PAPER;

    public static Schedule parse(String spec) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "recipe" -> RECIPE;
            case "paper" -> PAPER;
            default -> throw new IllegalArgumentException("unknown schedule '" + spec + "'; expected recipe or paper");
        };
    }

    public String spec() {
        return name().toLowerCase(Locale.ROOT);
    }
}
