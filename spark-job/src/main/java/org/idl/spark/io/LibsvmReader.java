package org.idl.spark.io;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.SparkSession;

import java.util.List;

/** LIBSVM text: {@code label index:value ...}, 1-based ascending indices; # comments and blank lines skipped. */
final class LibsvmReader {
    private LibsvmReader() {
    }

    static JavaRDD<ParsedRecord> read(SparkSession spark, DataSource source, List<String> files,
                                      boolean classification) {
        int numFeatures = source.numFeatures();
        return TextFiles.parseLines(spark, files, (file, name, line, text) -> {
            String trimmed = text.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                return null;
            }
            return parseLine(file, name, line, trimmed, numFeatures, classification);
        });
    }

    /**
     * One LIBSVM line (not blank). The vector has numFeatures entries, or when that is 0 as many as
     * its largest index (DataReaders then widens all to the largest of the input).
     */
    static ParsedRecord parseLine(int file, String name, long line, String text, int numFeatures,
                                  boolean classification) {
        String at = name + ":" + line + ": ";
        String[] tokens = text.strip().split("\\s+");
        String label = tokens[0];
        String problem = Labels.problem(label, classification);
        if (problem == null && !Labels.isNumber(label) && !label.matches("[A-Za-z_][\\w.-]*")) {
            problem = "label '" + label + "' is neither a number nor a class name";
        }
        if (problem != null) {
            return ParsedRecord.error(file, line, at + problem);
        }
        int[] indices = new int[tokens.length - 1];
        double[] values = new double[tokens.length - 1];
        int previous = 0;
        for (int k = 1; k < tokens.length; k++) {
            String token = tokens[k];
            int colon = token.indexOf(':');
            if (colon <= 0) {
                return ParsedRecord.error(file, line, at + "'" + token + "' is not index:value");
            }
            int index;
            double value;
            try {
                index = Integer.parseInt(token.substring(0, colon));
                value = Double.parseDouble(token.substring(colon + 1));
            } catch (NumberFormatException e) {
                return ParsedRecord.error(file, line, at + "'" + token + "' is not index:value with numbers");
            }
            if (index < 1) {
                return ParsedRecord.error(file, line, at + "feature index " + index + " in '" + token + "' is below 1");
            }
            if (index <= previous) {
                return ParsedRecord.error(file, line, at + "feature index " + index + " in '" + token
                        + "' does not ascend (after " + previous + ")");
            }
            if (numFeatures > 0 && index > numFeatures) {
                return ParsedRecord.error(file, line, at + "feature index " + index + " in '" + token
                        + "' is beyond numFeatures = " + numFeatures);
            }
            if (!Double.isFinite(value)) {
                return ParsedRecord.error(file, line, at + "feature " + index + " is " + value + " in '" + token + "'");
            }
            indices[k - 1] = index - 1;
            values[k - 1] = value;
            previous = index;
        }
        int size = numFeatures > 0 ? numFeatures : previous;
        return new ParsedRecord(Vectors.sparse(size, indices, values), label, null, file, line);
    }
}
