package org.idl.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.idl.data.Digits;
import org.idl.data.LabeledData;
import org.idl.data.Standardizer;
import org.idl.linalg.Matrix;

import java.util.ArrayList;
import java.util.List;

/** Digits, split and standardised as in common/'s reference test, as DataFrames. */
final class SparkTestData {
    static final StructType SCHEMA = new StructType()
            .add("features", SQLDataTypes.VectorType(), false)
            .add("label", DataTypes.DoubleType, false);

    final LabeledData train;
    final LabeledData test;

    private SparkTestData(LabeledData train, LabeledData test) {
        this.train = train;
        this.test = test;
    }

    static SparkTestData digits() {
        LabeledData.Split split = Digits.load().stratifiedSplit(0.25, 0);
        Standardizer scaler = Standardizer.fit(split.train().features());
        return new SparkTestData(new LabeledData(scaler.apply(split.train().features()), split.train().labels()),
                new LabeledData(scaler.apply(split.test().features()), split.test().labels()));
    }

    /** The data points as rows, in order, in {@code partitions} contiguous slices. */
    static Dataset<Row> frame(SparkSession spark, LabeledData data, int partitions) {
        List<Row> rows = new ArrayList<>();
        Matrix x = data.features();
        for (int c = 0; c < data.size(); c++) {
            rows.add(RowFactory.create(Vectors.dense(x.columns(c, c + 1).data()), (double) data.labels()[c]));
        }
        return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, partitions),
                SCHEMA);
    }
}
