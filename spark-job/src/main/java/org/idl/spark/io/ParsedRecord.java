package org.idl.spark.io;

import org.apache.spark.ml.linalg.Vector;

import java.io.Serializable;

/**
 * One parsed record: features and label text, or an error whose text starts with where it is.
 * Bad input becomes such a marker on the executors rather than an exception, which would reach the
 * driver wrapped in a SparkException after retries. {@code file} (the index of the input file) and
 * {@code line} (1-based line or record number) order the records, so the first error of the input is
 * the one reported. The weight is 1 unless the data has a weight column. Registered with Kryo by name in IdlKryoRegistrator.
 */
record ParsedRecord(Vector features, String label, String error, int file, long line, double weight)
        implements Serializable {
    /** Weight 1. */
    ParsedRecord(Vector features, String label, String error, int file, long line) {
        this(features, label, error, file, line, 1.0);
    }

    static ParsedRecord error(int file, long line, String what) {
        return new ParsedRecord(null, null, what, file, line);
    }

    /** The problem with a weight's text, or null when it is a finite number >= 0. */
    static String weightProblem(String column, String text) {
        double w;
        try {
            w = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return "weight column '" + column + "' holds '" + text + "', not a number";
        }
        return Double.isFinite(w) && w >= 0 ? null
                : "weight column '" + column + "' holds " + text + " (weights must be finite and >= 0)";
    }
}
