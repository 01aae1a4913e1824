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
        String v = values.get(key);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be an integer, got '" + v + "'");
        }
    }

    long longValue(String key, long fallback) {
        String v = values.get(key);
        try {
            return v == null ? fallback : Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be an integer, got '" + v + "'");
        }
    }

    double real(String key, double fallback) {
        String v = values.get(key);
        try {
            return v == null ? fallback : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a number, got '" + v + "'");
        }
    }

    /** The options as given, for the results file. */
    Map<String, String> given() {
        return values;
    }
}
