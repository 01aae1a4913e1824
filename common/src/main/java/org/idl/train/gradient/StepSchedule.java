package org.idl.train.gradient;

import org.idl.train.EnumSpec;

/**
 * How Adam's step size changes over the gradient rounds: constant, or cosine annealing (Loshchilov
 * and Hutter 2017) from the step size towards 0 at the end of the last round, set before every step.
 */
public enum StepSchedule {
    CONSTANT,
    COSINE;

    /** The step size after {@code progress} in [0, 1] of the gradient rounds. */
    public double at(double stepSize, double progress) {
        return switch (this) {
            case CONSTANT -> stepSize;
            case COSINE -> 0.5 * stepSize * (1 + Math.cos(Math.PI * Math.min(1, Math.max(0, progress))));
        };
    }

    public String spec() {
        return EnumSpec.of(this);
    }

    public static StepSchedule parse(String spec) {
        return EnumSpec.parse(StepSchedule.class, "step schedule", spec);
    }
}
