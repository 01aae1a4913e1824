package org.idl.spark.job;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.idl.data.LabeledData;
import org.idl.linalg.Matrix;
import org.idl.spark.ml.IdlClassificationModel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** In-memory labelled data as DataFrames of (features vector, label), and the metrics of a model on one. */
public final class Frames {
    public static final StructType SCHEMA = new StructType()
            .add("features", SQLDataTypes.VectorType(), false)
            .add("label", DataTypes.DoubleType, false);

    private Frames() {
    }

    /** The data points as rows, in order, in {@code partitions} contiguous slices. */
    public static Dataset<Row> of(SparkSession spark, LabeledData data, int partitions) {
        List<Row> rows = new ArrayList<>(data.size());
        Matrix x = data.features();
        for (int c = 0; c < data.size(); c++) {
            rows.add(RowFactory.create(Vectors.dense(x.columns(c, c + 1).data()), (double) data.labels()[c]));
        }
        return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, partitions),
                SCHEMA);
    }

    /** Accuracy and mean cross-entropy of a classifier's predictions (true model) on a labelled, predicted frame. */
    static Map<String, Object> classificationMetrics(Dataset<Row> predicted, IdlClassificationModel model) {
        String label = model.getLabelCol();
        Row r = predicted.agg(
                functions.count(functions.lit(1)),
                functions.sum(functions.when(functions.col(model.getPredictionCol()).equalTo(functions.col(label)), 1)
                        .otherwise(0))).first();
        long n = r.getLong(0);
        long correct = n == 0 ? 0 : r.getLong(1);
        double loss = n == 0 ? Double.NaN : predicted.select(model.getProbabilityCol(), label).javaRDD()
                .map(row -> -Math.log(Math.max(((org.apache.spark.ml.linalg.Vector) row.get(0))
                        .apply((int) row.getDouble(1)), 1e-300)))
                .reduce(Double::sum) / n;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", n == 0 ? Double.NaN : (double) correct / n);
        m.put("loss", loss);
        m.put("count", n);
        return m;
    }
}
