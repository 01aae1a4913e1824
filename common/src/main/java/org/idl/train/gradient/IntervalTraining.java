package org.idl.train.gradient;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Interval-bound training (paper section 5; Gowal et al. 2018): each step's loss is
 * {@code (1 - w) L(clean) + w L(bound)}, where L(bound) is the cross-entropy of the worst-case logits
 * over the box {@code |u' - u| <= sigma} ({@link IntervalGradient}). Both the radius and w grow
 * linearly from 0 over the first {@code rampRounds} rounds (fractionally, step by step), since a model
 * trained at the full radius from the start does not learn: the bounds of an untrained model are far
 * too loose to carry a signal.
 *
 * @param radii      the box's radius per input feature, in the units the solver sees (after any
 *                   standardisation), >= 0; one value stands for every feature
 * @param weight     w once the ramp is over, in (0, 1]
 * @param rampRounds rounds over which the radius and w grow from 0 (0: full from the start)
 */
public record IntervalTraining(double[] radii, double weight, double rampRounds) implements Serializable {
    public IntervalTraining {
        if (radii == null || radii.length == 0) {
            throw new IllegalArgumentException("interval training needs at least one radius");
        }
        radii = radii.clone();
        for (int i = 0; i < radii.length; i++) {
            if (!(radii[i] >= 0) || !Double.isFinite(radii[i])) {
                throw new IllegalArgumentException("robust radius " + (radii.length == 1 ? "" : "of feature " + i + " ")
                        + "must be a finite number >= 0, got " + radii[i]);
            }
        }
        if (!(weight > 0 && weight <= 1)) {
            throw new IllegalArgumentException("robust weight must be in (0, 1], got " + weight);
        }
        if (!(rampRounds >= 0) || !Double.isFinite(rampRounds)) {
            throw new IllegalArgumentException("robust ramp must be a number of rounds >= 0, got " + rampRounds);
        }
    }

    /** How far along the ramp after {@code roundsDone} rounds, in [0, 1]. */
    public double ramp(double roundsDone) {
        return rampRounds == 0 ? 1 : Math.min(1, Math.max(0, roundsDone / rampRounds));
    }

    /** The radii per row of the augmented inputs ({@code inputs} features, then 0 for the bias row) at the ramp. */
    public double[] sigma(int inputs, boolean bias, double ramp) {
        if (radii.length != 1 && radii.length != inputs) {
            throw new IllegalArgumentException("robust radii: " + radii.length + " given for " + inputs
                    + " input features (give one, or one per feature)");
        }
        double[] out = new double[inputs + (bias ? 1 : 0)];
        for (int i = 0; i < inputs; i++) {
            out[i] = ramp * radii[radii.length == 1 ? 0 : i];
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IntervalTraining t && Arrays.equals(radii, t.radii) && weight == t.weight
                && rampRounds == t.rampRounds;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(radii) + Double.hashCode(weight) + Double.hashCode(rampRounds);
    }

    @Override
    public String toString() {
        return "IntervalTraining[radii=" + (radii.length == 1 ? radii[0] : radii.length + " values") + ", weight="
                + weight + ", rampRounds=" + rampRounds + "]";
    }
}
