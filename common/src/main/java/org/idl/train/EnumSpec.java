package org.idl.train;

import java.util.Locale;

/**
 * The spec of a constant of a configuration enum ({@link Solver}, {@code Schedule}, {@code StepSchedule}):
 * its name in lower case; and the parse back, which trims and ignores case, and otherwise fails naming
 * the setting and every choice.
 */
public final class EnumSpec {
    private EnumSpec() {
    }

    /** The constant's name in lower case: what {@link #parse} reads back. */
    public static String of(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The constant of {@code type} whose spec is {@code spec} (trimmed, in any case).
     *
     * @param what the setting, for the message: "unknown {@code what} 'spec'; expected a, b or c"
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String what, String spec) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        E[] constants = type.getEnumConstants();
        StringBuilder choices = new StringBuilder();
        for (int i = 0; i < constants.length; i++) {
            if (of(constants[i]).equals(s)) {
                return constants[i];
            }
            choices.append(i == 0 ? "" : i == constants.length - 1 ? " or " : ", ").append(of(constants[i]));
        }
        throw new IllegalArgumentException("unknown " + what + " '" + spec + "'; expected " + choices);
    }
}
