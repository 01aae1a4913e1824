package org.idl.spark.io;

import org.apache.spark.ml.linalg.Vector;

import java.io.Serializable;

/**
 * One parsed record: features and label text, or an error whose text starts with where it is.
 * Bad input becomes such a marker on the executors rather than an exception, which would reach the
 * driver wrapped in a SparkException after retries. {@code file} (the index of the input file) and
 * {@code line} (1-based line or record number) order the records, so the first error of the input is
 * the one reported. Registered with Kryo by name in IdlKryoRegistrator.
 */
record ParsedRecord(Vector features, String label, String error, int file, long line) implements Serializable {
    static ParsedRecord error(int file, long line, String what) {
        return new ParsedRecord(null, null, what, file, line);
    }
}
