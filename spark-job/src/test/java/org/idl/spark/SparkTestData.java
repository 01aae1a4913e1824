package org.idl.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.idl.data.Digits;
import org.idl.data.LabeledData;
import org.idl.data.Standardizer;
import org.idl.spark.job.Frames;

/** Digits, split and standardised as in common/'s reference test, as DataFrames. */
public final class SparkTestData {
    public final LabeledData train;
    public final LabeledData test;

    private SparkTestData(LabeledData train, LabeledData test) {
        this.train = train;
        this.test = test;
    }

    public static SparkTestData digits() {
        LabeledData.Split split = Digits.load().stratifiedSplit(0.25, 0);
        Standardizer scaler = Standardizer.fit(split.train().features());
        return new SparkTestData(new LabeledData(scaler.apply(split.train().features()), split.train().labels()),
                new LabeledData(scaler.apply(split.test().features()), split.test().labels()));
    }

    public static Dataset<Row> frame(SparkSession spark, LabeledData data, int partitions) {
        return Frames.of(spark, data, partitions);
    }
}
