package org.idl.spark.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Label text: its checks, and class labels mapped to indices 0..K-1 in sorted order (numeric order
 * when every label is a number, and then "1" and "1.0" are one class).
 */
final class Labels {
    private Labels() {
    }

    /**
     * Class names in class-index order, and the index of every label text in {@code index}. When
     * every label is a number, classes are numbers in numeric order and spellings of one number
     * ("1", "1.0", "+1") are one class, named by its spelling if it has only one, else by the number.
     */
    static String[] classes(List<String> labels, Map<String, Integer> index) {
        if (labels.stream().allMatch(Labels::isNumber)) {
            TreeMap<Double, List<String>> byValue = new TreeMap<>();
            for (String l : labels) {
                byValue.computeIfAbsent(Double.parseDouble(l), v -> new ArrayList<>()).add(l);
            }
            String[] names = new String[byValue.size()];
            int k = 0;
            for (Map.Entry<Double, List<String>> e : byValue.entrySet()) {
                names[k] = e.getValue().size() == 1 ? e.getValue().get(0) : numberText(e.getKey());
                for (String l : e.getValue()) {
                    index.put(l, k);
                }
                k++;
            }
            return names;
        }
        String[] names = labels.toArray(new String[0]);
        Arrays.sort(names);
        for (int k = 0; k < names.length; k++) {
            index.put(names[k], k);
        }
        return names;
    }

    /**
     * Indexes {@code labels} by known class names (a model's, in class-index order): a label matches a
     * name spelled the same, or, when both are numbers, of the same value ("1.0" is class "1"). Returns
     * {@code known}; a label that matches no class is an error naming it and {@code where}.
     */
    static String[] among(String[] known, List<String> labels, Map<String, Integer> index, String where) {
        Map<String, Integer> byName = new HashMap<>();
        Map<Double, Integer> byValue = new HashMap<>();
        for (int k = 0; k < known.length; k++) {
            byName.put(known[k], k);
            if (isNumber(known[k])) {
                byValue.putIfAbsent(Double.parseDouble(known[k]), k);
            }
        }
        for (String l : labels) {
            Integer k = byName.get(l);
            if (k == null && isNumber(l)) {
                k = byValue.get(Double.parseDouble(l));
            }
            if (k == null) {
                throw new IllegalArgumentException(where + ": label '" + l + "' is not one of the model's "
                        + known.length + " classes " + Arrays.toString(known));
            }
            index.put(l, k);
        }
        return known.clone();
    }

    /** A numeric label as text: whole numbers without a fraction (3, not 3.0), so they name classes well. */
    static String ofNumber(Number n) {
        double v = n.doubleValue();
        return Double.isFinite(v) ? numberText(v) : Double.toString(v);
    }

    /** 1.0 as "1", 0.5 as "0.5". */
    private static String numberText(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    static boolean isNumber(String s) {
        try {
            return Double.isFinite(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * What is wrong with a label, or null: a numeric target must be a finite number; a class label
     * must not be empty, nor NaN or infinite.
     */
    static String problem(String label, boolean classification) {
        if (label.isEmpty()) {
            return "empty label";
        }
        double value;
        try {
            value = Double.parseDouble(label);
        } catch (NumberFormatException e) {
            return classification ? null : "label '" + label + "' is not a number";
        }
        return Double.isFinite(value) ? null : "label '" + label + "' is not a finite number";
    }
}
