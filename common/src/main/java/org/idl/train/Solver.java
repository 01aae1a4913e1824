package org.idl.train;

import java.util.Locale;

/** Which solver trains the model: block-coordinate descent, implicit gradients, or BCD then gradients. */
public enum Solver {
    BCD, GRADIENT, HYBRID;

    public String spec() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Solver parse(String spec) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "bcd" -> BCD;
            case "gradient" -> GRADIENT;
            case "hybrid" -> HYBRID;
            default -> throw new IllegalArgumentException("unknown solver '" + spec + "'; expected bcd, gradient or hybrid");
        };
    }
}
