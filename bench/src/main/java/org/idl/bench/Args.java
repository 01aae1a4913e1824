package org.idl.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code --key value} options of a benchmark's command line; unknown keys and bad values fail naming them. */
final class Args {
    private final Map<String, String> values = new LinkedHashMap<>();

    Args(String[] args, Set<String> known) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --key value, got '" + a + "'; options: " + known);
            }
            String key = a.substring(2);
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key + "; options: " + known);
            }
            values.put(key, args[++i]);
        }
    }

    String string(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    int integer(String key, int fallback) {
        return parsed(key, fallback, Integer::parseInt, "an integer");
    }

    long longValue(String key, long fallback) {
        return parsed(key, fallback, Long::parseLong, "an integer");
    }

    double real(String key, double fallback) {
        return parsed(key, fallback, Double::parseDouble, "a number");
    }

    private <T> T parsed(String key, T fallback, java.util.function.Function<String, T> parse, String what) {
        String v = values.get(key);
        try {
            return v == null ? fallback : parse.apply(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be " + what + ", got '" + v + "'");
        }
    }

    /** The options as given, for the results file. */
    Map<String, String> given() {
        return values;
    }
}
