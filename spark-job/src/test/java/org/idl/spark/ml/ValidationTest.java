package org.idl.spark.ml;

import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.idl.spark.SparkSessionTest;
import org.idl.spark.job.Frames;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fit and the param setters say exactly what is wrong, naming the value. */
class ValidationTest extends SparkSessionTest {
    private static Dataset<Row> frame(Row... rows) {
        return spark.createDataFrame(List.of(rows), Frames.SCHEMA);
    }

    private static void assertFitFails(Dataset<Row> df, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new IdlClassifier().setHiddenSize(4).setMaxIter(1).fit(df));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void modelsTooLargeForTheMemoryAndTooManyPartitionsAreRefusedBeforeTraining() {
        org.idl.spark.SparkTestData data = org.idl.spark.SparkTestData.digits();
        Dataset<Row> digits = org.idl.spark.SparkTestData.frame(spark, data.train, 2);
        long start = System.nanoTime();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new IdlClassifier().setHiddenSize(30000).setMaxIter(1).fit(digits));
        assertTrue(e.getMessage().contains("hiddenSize = 30000") && e.getMessage().contains("on the driver")
                && e.getMessage().contains("A alone is 7.2 GB"), e.getMessage());
        // The gradient solver has no Gram matrix, but A and Adam's moments still do not fit.
        e = assertThrows(IllegalArgumentException.class,
                () -> new IdlClassifier().setHiddenSize(30000).setSolver("gradient").fit(digits));
        assertTrue(e.getMessage().contains("solver = gradient"), e.getMessage());
        assertTrue(System.nanoTime() - start < 60e9, "refused only after a long time");
        // 400 points in 1000 partitions.
        Dataset<Row> small = digits.limit(400).repartition(1000);
        e = assertThrows(IllegalArgumentException.class, () -> new IdlClassifier().setHiddenSize(4).setMaxIter(1)
                .fit(small));
        assertTrue(e.getMessage().contains("1000 partitions for 400 points"), e.getMessage());
    }

    @Test
    void badParamValuesFailWhenSet() {
        IdlClassifier c = new IdlClassifier();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.setKappa(1.0));
        assertTrue(e.getMessage().contains("kappa") && e.getMessage().contains("1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.setLambda(-0.5));
        assertTrue(e.getMessage().contains("lambda") && e.getMessage().contains("-0.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.setActivation("softsign"));
        assertTrue(e.getMessage().contains("softsign"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.setHiddenSize(0));
        assertTrue(e.getMessage().contains("hiddenSize"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.setRobustRadii(new double[]{0.1, Double.NaN}));
        assertTrue(e.getMessage().contains("robustRadii"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.setRobustWeight(0));
        assertTrue(e.getMessage().contains("robustWeight"), e.getMessage());
    }

    @Test
    void settingsAreRefusedWhereTheyDoNotApply() {
        Dataset<Row> digits = org.idl.spark.SparkTestData.frame(spark, org.idl.spark.SparkTestData.digits().train, 2);
        // BCD's robust counterpart: the recipe schedule alone, without penalties on B and D.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new IdlClassifier()
                .setHiddenSize(4).setMaxIter(1).setSchedule("minibatch").setRobustRadius(0.1).fit(digits));
        assertTrue(e.getMessage().contains("recipe schedule; got schedule MINIBATCH"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new IdlClassifier().setHiddenSize(4).setMaxIter(1)
                .setL1B(0.01).setRobustRadius(0.1).fit(digits));
        assertTrue(e.getMessage().contains("l1B = 0.01"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new IdlRegressor().setHiddenSize(4).setSolver("gradient")
                .setRobustRadius(0.1).fit(digits));
        assertTrue(e.getMessage().contains("needs a classifier"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new IdlClassifier().setHiddenSize(4).setSolver("gradient")
                .setGradientIter(1).setRobustRadii(new double[]{0.1, 0.2}).fit(digits));
        assertTrue(e.getMessage().contains("2 given for 64 input features"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new IdlClassifier().setHiddenSize(4).setMaxIter(1).setRank(2).fit(digits));
        assertTrue(e.getMessage().contains("rank = 2") && e.getMessage().contains("(it is bcd)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new IdlClassifier().setHiddenSize(4).setSolver("gradient").setRank(5).fit(digits));
        assertTrue(e.getMessage().contains("exceeds hiddenSize = 4"), e.getMessage());
        // A regressor has no accuracy to stop on.
        e = assertThrows(IllegalArgumentException.class, () -> new IdlRegressor().setHiddenSize(4).setSolver("gradient")
                .setEarlyStoppingMetric("accuracy").fit(digits));
        assertTrue(e.getMessage().contains("earlyStoppingMetric = accuracy needs a classifier"), e.getMessage());
    }

    @Test
    void badDataFailsFitNamingTheProblem() {
        assertFitFails(frame(), "empty");
        assertFitFails(frame(RowFactory.create(Vectors.dense(1, Double.NaN), 0.0),
                RowFactory.create(Vectors.dense(1, 2), 1.0)), "NaN");
        assertFitFails(frame(RowFactory.create(Vectors.dense(1, 2), 0.0),
                RowFactory.create(Vectors.dense(1, 2, 3), 1.0)), "sizes", "2", "3");
        assertFitFails(frame(RowFactory.create(Vectors.dense(1, 2), 0.5),
                RowFactory.create(Vectors.dense(1, 2), 1.0)), "0.5");
        assertFitFails(frame(RowFactory.create(Vectors.dense(1, 2), -1.0),
                RowFactory.create(Vectors.dense(1, 2), 1.0)), "-1.0");
        assertFitFails(frame(RowFactory.create(Vectors.dense(1, 2), Double.POSITIVE_INFINITY)), "Infinity");
        // One class only, however large its label: nothing to classify.
        assertFitFails(frame(RowFactory.create(Vectors.dense(1, 2), 3.0),
                RowFactory.create(Vectors.dense(3, 4), 3.0)), "2 classes", "3.0");
        // A label that would size the model at 100,000,001 classes is refused before any allocation.
        assertFitFails(frame(RowFactory.create(Vectors.dense(1, 2), 1e8),
                RowFactory.create(Vectors.dense(3, 4), 0.0)), "1.0E8", "100000001", "10000");
    }

    @Test
    void wrongSchemaFailsFit() {
        StructType schema = new StructType().add("features", DataTypes.StringType).add("label", DataTypes.DoubleType);
        Dataset<Row> df = spark.createDataFrame(List.of(RowFactory.create("1,2", 0.0)), schema);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new IdlClassifier().fit(df));
        assertTrue(e.getMessage().contains("features"), e.getMessage());
    }
}
