package org.idl.spark.io;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/**
 * Parquet: a vector (or array of numbers) column and a numeric or text label column. Spark reads it
 * as one input, so every record is file 0 and numbered in the frame's order.
 */
final class ParquetReader {
    private ParquetReader() {
    }

    static JavaRDD<ParsedRecord> read(SparkSession spark, DataSource source, boolean classification) {
        String path = source.path();
        Dataset<Row> df;
        try {
            df = spark.read().parquet(path);
        } catch (Exception e) {
            // Scala declares no exceptions, so javac does not let us catch AnalysisException by itself.
            if (e instanceof AnalysisException) {
                throw new IllegalArgumentException(path + ": cannot be read as Parquet: " + e.getMessage());
            }
            throw e;
        }
        StructType schema = df.schema();
        String featuresCol = source.featuresColumn();
        String labelCol = source.labelColumn();
        boolean labelled = schema.getFieldIndex(labelCol).isDefined() || !source.labelsOptional();
        for (String c : labelled ? new String[]{featuresCol, labelCol} : new String[]{featuresCol}) {
            if (schema.getFieldIndex(c).isEmpty()) {
                throw new IllegalArgumentException(path + ": no column '" + c + "' in " + schema.simpleString());
            }
        }
        DataType featuresType = schema.apply(featuresCol).dataType();
        boolean vector = featuresType instanceof VectorUDT;
        if (!vector && !(featuresType instanceof ArrayType a && a.elementType() instanceof NumericType)) {
            throw new IllegalArgumentException(path + ": column '" + featuresCol
                    + "' must hold vectors or arrays of numbers, it holds " + featuresType.simpleString());
        }
        if (!labelled) { // data to predict
            return df.select(df.col(featuresCol), functions.lit(null).cast("string")).toJavaRDD().zipWithIndex()
                    .map(t -> record(t._1(), t._2() + 1, path, featuresCol, null, vector, classification));
        }
        DataType labelType = schema.apply(labelCol).dataType();
        if (!(labelType instanceof NumericType) && !(labelType instanceof StringType)) {
            throw new IllegalArgumentException(path + ": label column '" + labelCol
                    + "' must hold numbers or text, it holds " + labelType.simpleString());
        }
        String weightCol = source.weightColumn();
        if (!weightCol.isEmpty()) {
            if (schema.getFieldIndex(weightCol).isEmpty()) {
                throw new IllegalArgumentException(path + ": no weight column '" + weightCol + "' in "
                        + schema.simpleString());
            }
            if (!(schema.apply(weightCol).dataType() instanceof NumericType)) {
                throw new IllegalArgumentException(path + ": weight column '" + weightCol + "' must hold numbers, it holds "
                        + schema.apply(weightCol).dataType().simpleString());
            }
        }
        org.apache.spark.sql.Column weight = weightCol.isEmpty() ? functions.lit(1.0) : df.col(weightCol).cast("double");
        return df.select(df.col(featuresCol), df.col(labelCol), weight).toJavaRDD().zipWithIndex()
                .map(t -> withWeight(record(t._1(), t._2() + 1, path, featuresCol, labelCol, vector, classification),
                        t._1(), path, t._2() + 1, weightCol));
    }

    /** The record with the row's weight (its third field), or an error naming a bad one. */
    private static ParsedRecord withWeight(ParsedRecord r, Row row, String path, long record, String weightCol) {
        if (r.error() != null) {
            return r;
        }
        String text = row.isNullAt(2) ? "null" : String.valueOf(row.getDouble(2));
        String problem = ParsedRecord.weightProblem(weightCol, text);
        if (problem != null) {
            return ParsedRecord.error(0, record, path + ": record " + record + ": " + problem);
        }
        return new ParsedRecord(r.features(), r.label(), null, r.file(), r.line(), row.getDouble(2));
    }

    /** {@code labelCol} null: data to predict, no label. */
    private static ParsedRecord record(Row row, long record, String path, String featuresCol, String labelCol,
                                       boolean vector, boolean classification) {
        String label = row.isNullAt(1) ? null : row.get(1) instanceof Number n ? Labels.ofNumber(n) : row.getString(1);
        String at = path + ": record " + record + (label == null ? "" : " (label " + label + ")") + ": ";
        if (label == null && labelCol != null) {
            return ParsedRecord.error(0, record, at + "null in column '" + labelCol + "'");
        }
        if (row.isNullAt(0)) {
            return ParsedRecord.error(0, record, at + "null in column '" + featuresCol + "'");
        }
        Vector v;
        if (vector) {
            v = row.getAs(0);
        } else {
            List<Object> values = row.getList(0);
            double[] d = new double[values.size()];
            for (int i = 0; i < d.length; i++) {
                if (values.get(i) == null) {
                    return ParsedRecord.error(0, record, at + "null feature " + i + " in column '" + featuresCol + "'");
                }
                d[i] = ((Number) values.get(i)).doubleValue();
            }
            v = Vectors.dense(d);
        }
        double[] values = v.toArray();
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                return ParsedRecord.error(0, record, at + "feature " + i + " is " + values[i]);
            }
        }
        String problem = labelCol == null ? null : Labels.problem(label, classification);
        if (problem != null) {
            return ParsedRecord.error(0, record, at + problem);
        }
        return new ParsedRecord(v, label, null, 0, record);
    }
}
