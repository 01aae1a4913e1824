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
 * CSV text: a header line, then one record per line; every column but the label and the ignored
 * ones is a numeric feature. Fields are parsed by univocity's CSV parser, the one Spark's own CSV
 * source uses, so RFC 4180 quoting works as there ({@code "a,b"}, {@code ""} inside quotes, quoted
 * names and numbers, as R's {@code write.csv} writes them); a record must fit on one line, which keeps
 * every error's file and line. In a directory every file starts with the same header (as Spark writes
 * CSV part files).
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
        String[] header = fields(headerLine);
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
        String weightColumn = source.weightColumn();
        int weightIndex = weightColumn.isEmpty() ? -1 : Arrays.asList(header).indexOf(weightColumn);
        if (!weightColumn.isEmpty() && weightIndex < 0 && !source.labelsOptional()) {
            throw new IllegalArgumentException(headerFile + ":1: no weight column '" + weightColumn
                    + "' in the header " + Arrays.toString(header));
        }
        boolean[] ignored = new boolean[header.length];
        for (String name : source.ignoreColumns()) {
            int i = Arrays.asList(header).indexOf(name);
            if (i < 0) {
                throw new IllegalArgumentException(headerFile + ":1: no column '" + name + "' to ignore in the header "
                        + Arrays.toString(header));
            }
            if (i == labelIndex) {
                throw new IllegalArgumentException("the label column '" + name + "' cannot be ignored");
            }
            ignored[i] = true;
        }
        String expectedHeader = headerLine;
        String firstFile = headerFile;
        return TextFiles.parseLines(spark, files, (file, name, line, text) -> {
            if (line == 1) {
                return text.equals(expectedHeader) ? null : ParsedRecord.error(file, line, name + ":1: the header '"
                        + text + "' differs from that of " + firstFile + ": '" + expectedHeader + "'");
            }
            return text.isBlank() ? null : parseLine(file, name, line, text, header, labelIndex, weightIndex, ignored,
                    classification);
        });
    }

    /** One parser per task thread: building one costs more than parsing a line. */
    private static final ThreadLocal<com.univocity.parsers.csv.CsvParser> PARSER = ThreadLocal.withInitial(() -> {
        com.univocity.parsers.csv.CsvParserSettings settings = new com.univocity.parsers.csv.CsvParserSettings();
        settings.setNullValue("");
        settings.setEmptyValue("");
        settings.setIgnoreLeadingWhitespaces(true);
        settings.setIgnoreTrailingWhitespaces(true);
        settings.setMaxColumns(1 << 20);
        settings.setMaxCharsPerColumn(-1);
        return new com.univocity.parsers.csv.CsvParser(settings);
    });

    /** The fields of one CSV line, unquoted, as Spark's CSV source reads them (null fields as ""). */
    static String[] fields(String line) {
        String[] fields = PARSER.get().parseLine(line);
        return fields == null ? new String[]{""} : fields;
    }

    /**
     * One record line (not the header, not blank) against the trimmed header; {@code labelIndex} -1: no
     * label, {@code weightIndex} -1: no weight (1).
     */
    static ParsedRecord parseLine(int file, String name, long line, String text, String[] header, int labelIndex,
                                  int weightIndex, boolean[] ignored, boolean classification) {
        String at = name + ":" + line + ": ";
        String[] fields;
        try {
            fields = fields(text);
        } catch (RuntimeException e) {
            return ParsedRecord.error(file, line, at + "not a CSV record: " + e.getMessage().lines().findFirst()
                    .orElse(""));
        }
        if (fields.length != header.length) {
            return ParsedRecord.error(file, line, at + fields.length + " fields, the header has " + header.length);
        }
        int width = 0;
        for (int i = 0; i < header.length; i++) {
            width += i == labelIndex || i == weightIndex || ignored[i] ? 0 : 1;
        }
        double[] features = new double[width];
        int f = 0;
        for (int i = 0; i < fields.length; i++) {
            if (i == labelIndex || i == weightIndex || ignored[i]) {
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
        double weight = 1;
        if (weightIndex >= 0) {
            String w = fields[weightIndex].trim();
            String problem = ParsedRecord.weightProblem(header[weightIndex], w);
            if (problem != null) {
                return ParsedRecord.error(file, line, at + problem);
            }
            weight = Double.parseDouble(w);
        }
        if (labelIndex < 0) {
            return new ParsedRecord(Vectors.dense(features), null, null, file, line, weight); // data to predict
        }
        String label = fields[labelIndex].trim();
        String problem = Labels.problem(label, classification);
        if (problem != null) {
            return ParsedRecord.error(file, line, at + "column '" + header[labelIndex] + "': " + problem);
        }
        return new ParsedRecord(Vectors.dense(features), label, null, file, line, weight);
    }
}
