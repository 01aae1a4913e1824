package org.idl.train;

/** Which solver trains the model: block-coordinate descent, implicit gradients, or BCD then gradients. */
public enum Solver {
    BCD, GRADIENT, HYBRID;

    public String spec() {
        return EnumSpec.of(this);
    }

    public static Solver parse(String spec) {
        return EnumSpec.parse(Solver.class, "solver", spec);
    }
}
