package org.idl.spark.io;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.SparkSession;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * CSV text: a header line, then one record per line; every column but the label is a numeric
 * feature. Fields are split at commas (no quoting). In a directory every file starts with the same
 * header (as Spark writes CSV part files).
 */
final class CsvReader {
    private CsvReader() {
    }

    static JavaRDD<ParsedRecord> read(SparkSession spark, DataSource source, List<String> files,
                                      boolean classification) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String headerLine = null;
        String headerFile = null;
        for (String f : files) {
            List<String> first = sc.textFile(f).take(1);
            if (!first.isEmpty()) {
                headerLine = first.get(0);
                headerFile = f;
                break;
            }
        }
        if (headerLine == null) {
            throw new IllegalArgumentException(source.path() + ": no data");
        }
        String[] header = headerLine.split(",", -1);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < header.length; i++) {
            header[i] = header[i].trim();
            if (!seen.add(header[i])) {
                throw new IllegalArgumentException(headerFile + ":1: column '" + header[i] + "' appears twice in the header "
                        + Arrays.toString(header));
            }
        }
        int labelIndex = Arrays.asList(header).indexOf(source.labelColumn());
        if (labelIndex < 0 && !source.labelsOptional()) {
            throw new IllegalArgumentException(headerFile + ":1: no label column '" + source.labelColumn()
                    + "' in the header " + Arrays.toString(header));
        }
        String expectedHeader = headerLine;
        String firstFile = headerFile;
        return TextFiles.parseLines(spark, files, (file, name, line, text) -> {
            if (line == 1) {
                return text.equals(expectedHeader) ? null : ParsedRecord.error(file, line, name + ":1: the header '"
                        + text + "' differs from that of " + firstFile + ": '" + expectedHeader + "'");
            }
            return text.isBlank() ? null : parseLine(file, name, line, text, header, labelIndex, classification);
        });
    }

    /** One record line (not the header, not blank) against the trimmed header; {@code labelIndex} -1: no label. */
    static ParsedRecord parseLine(int file, String name, long line, String text, String[] header, int labelIndex,
                                  boolean classification) {
        String at = name + ":" + line + ": ";
        String[] fields = text.split(",", -1);
        if (fields.length != header.length) {
            return ParsedRecord.error(file, line, at + fields.length + " fields, the header has " + header.length);
        }
        double[] features = new double[labelIndex < 0 ? header.length : header.length - 1];
        int f = 0;
        for (int i = 0; i < fields.length; i++) {
            if (i == labelIndex) {
                continue;
            }
            String field = fields[i].trim();
            double v;
            try {
                v = Double.parseDouble(field);
            } catch (NumberFormatException e) {
                return ParsedRecord.error(file, line, at + "column '" + header[i] + "' holds '" + field
                        + "', not a number");
            }
            if (!Double.isFinite(v)) {
                return ParsedRecord.error(file, line, at + "column '" + header[i] + "' is " + field);
            }
            features[f++] = v;
        }
        if (labelIndex < 0) {
            return new ParsedRecord(Vectors.dense(features), null, null, file, line); // data to predict
        }
        String label = fields[labelIndex].trim();
        String problem = Labels.problem(label, classification);
        if (problem != null) {
            return ParsedRecord.error(file, line, at + "column '" + header[labelIndex] + "': " + problem);
        }
        return new ParsedRecord(Vectors.dense(features), label, null, file, line);
    }
}
