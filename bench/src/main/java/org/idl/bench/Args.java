package org.idl.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The command line of every bench main: {@code --key value} options and bare {@code --flag}s (true when
 * given); unknown keys and bad values fail naming them.
 */
public final class Args {
    private final Map<String, String> values = new LinkedHashMap<>();

    public Args(String[] args, Set<String> known) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("expected --key value, got '" + a + "'; options: " + known);
            }
            String key = a.substring(2);
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key + "; options: " + known);
            }
            boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
            values.put(key, hasValue ? args[++i] : "true");
        }
    }

    public String string(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    /** The value of an option that has no default. */
    public String required(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }

    public Path path(String key, String fallback) {
        return Path.of(string(key, fallback));
    }

    public int integer(String key, int fallback) {
        return parsed(key, fallback, Integer::parseInt, "an integer");
    }

    public long longValue(String key, long fallback) {
        return parsed(key, fallback, Long::parseLong, "an integer");
    }

    public double real(String key, double fallback) {
        return parsed(key, fallback, Double::parseDouble, "a number");
    }

    /** A bare {@code --key} (or {@code --key true}). */
    public boolean flag(String key) {
        return Boolean.parseBoolean(values.getOrDefault(key, "false"));
    }

    /** A comma-separated list of integers: {@code --sizes 10000,20000}. */
    public int[] integers(String key, String fallback) {
        String v = string(key, fallback);
        try {
            String[] parts = v.split(",");
            int[] out = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                out[i] = Integer.parseInt(parts[i].trim());
            }
            return out;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be integers separated by commas, got '" + v + "'");
        }
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
