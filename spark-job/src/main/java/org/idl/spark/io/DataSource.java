package org.idl.spark.io;

import java.util.Set;

/**
 * Where and how to read a data set, labelled unless {@code labelsOptional} allows otherwise.
 *
 * @param path           a Hadoop path (file or directory; local, hdfs://, ...); for idx the images file
 * @param format         libsvm, csv (with a header), parquet or idx
 * @param labelColumn    csv and parquet: the label column ("label" when null or empty)
 * @param featuresColumn parquet: the vector (or array of numbers) column ("features" when null or empty)
 * @param numFeatures    libsvm: the number of features, or 0 to take the largest index
 * @param labelsPath     idx: the labels file
 * @param labelsOptional true for data to predict: csv without the label column, parquet without it and idx
 *                       without a labels file are read as features only (libsvm lines always start with one)
 * @param ignoreColumns  csv: columns that are neither features nor the label (an id, a date), by name
 * @param weightColumn   csv and parquet: the points' weights, never a feature; required in labelled data,
 *                       optional in data to predict; empty: none
 */
public record DataSource(String path, String format, String labelColumn, String featuresColumn, int numFeatures,
                         String labelsPath, boolean labelsOptional, Set<String> ignoreColumns, String weightColumn) {
    public static final Set<String> FORMATS = Set.of("libsvm", "csv", "parquet", "idx");

    /** Labelled data. */
    public DataSource(String path, String format, String labelColumn, String featuresColumn, int numFeatures,
                      String labelsPath) {
        this(path, format, labelColumn, featuresColumn, numFeatures, labelsPath, false, Set.of(), "");
    }

    /** Without weights. */
    public DataSource(String path, String format, String labelColumn, String featuresColumn, int numFeatures,
                      String labelsPath, boolean labelsOptional, Set<String> ignoreColumns) {
        this(path, format, labelColumn, featuresColumn, numFeatures, labelsPath, labelsOptional, ignoreColumns, "");
    }

    public DataSource {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("a data path is required");
        }
        // Set.of(...).contains(null) throws a NullPointerException: test for null first.
        if (format == null || !FORMATS.contains(format)) {
            throw new IllegalArgumentException("unknown data format '" + format + "'; expected one of "
                    + new java.util.TreeSet<>(FORMATS));
        }
        if (labelColumn == null || labelColumn.isEmpty()) {
            labelColumn = "label";
        }
        if (featuresColumn == null || featuresColumn.isEmpty()) {
            featuresColumn = "features";
        }
        ignoreColumns = ignoreColumns == null ? Set.of() : Set.copyOf(ignoreColumns);
        weightColumn = weightColumn == null ? "" : weightColumn;
        if (!weightColumn.isEmpty() && !format.equals("csv") && !format.equals("parquet")) {
            throw new IllegalArgumentException("data.weightColumn = '" + weightColumn + "' needs the csv or parquet format;"
                    + " " + format + " has no column for weights");
        }
        if (!weightColumn.isEmpty() && (weightColumn.equals(labelColumn) || ignoreColumns.contains(weightColumn))) {
            throw new IllegalArgumentException("the weight column '" + weightColumn + "' is also the label or an ignored"
                    + " column");
        }
        if (numFeatures < 0) {
            throw new IllegalArgumentException("numFeatures must be >= 0, got " + numFeatures);
        }
        if (format.equals("idx") && !labelsOptional && (labelsPath == null || labelsPath.isEmpty())) {
            throw new IllegalArgumentException("the idx format needs a labels file (data.labelsPath) beside " + path);
        }
    }
}
