package org.idl.spark.ml;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.idl.spark.SparkSessionTest;
import org.idl.spark.SparkTestData;
import org.idl.spark.TextLikeData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sample weights (weightCol) and sparse inputs of 200,000 features, with the gradient solver. */
class WeightsAndSparseInputsTest extends SparkSessionTest {
    private static final SparkTestData data = SparkTestData.digits();

    private static double accuracy(IdlClassificationModel model, Dataset<Row> test) {
        return test.count() == 0 ? 0 : model.transform(test).filter("prediction = label").count() / (double) test.count();
    }

    /**
     * Every training point twice, once with a wrong label: unweighted the two cancel out; with weight 0
     * on the wrong copies the model is as good as one trained on the right ones alone.
     */
    @Test
    void zeroWeightsLeaveThePointsOut() {
        Dataset<Row> clean = SparkTestData.frame(spark, data.train, 2).withColumn("w", functions.lit(1.0));
        Dataset<Row> wrong = clean.withColumn("label", functions.pmod(functions.col("label").plus(1), functions.lit(10))
                .cast("double")).withColumn("w", functions.lit(0.0));
        Dataset<Row> both = clean.union(wrong).repartition(2, functions.rand(3));
        Dataset<Row> test = SparkTestData.frame(spark, data.test, 2);
        IdlClassifier classifier = new IdlClassifier().setSolver("gradient").setHiddenSize(32).setGradientIter(10)
                .setSeed(5);
        double alone = accuracy(classifier.fit(clean), test);
        double weighted = accuracy(classifier.copy(new org.apache.spark.ml.param.ParamMap()).setWeightCol("w").fit(both),
                test);
        double unweighted = accuracy(classifier.fit(both), test);
        assertTrue(alone > 0.9, "trained on the right labels: " + alone);
        assertTrue(weighted > alone - 0.02, "weighted " + weighted + " against " + alone);
        assertTrue(unweighted < weighted - 0.1, "unweighted " + unweighted + ", weighted " + weighted);
        // BCD (the recipe, full batch): the zero weights leave the wrong copies out exactly.
        IdlClassifier bcd = new IdlClassifier().setHiddenSize(32).setMaxIter(3);
        IdlClassificationModel fromClean = bcd.fit(clean);
        IdlClassificationModel fromBoth = bcd.copy(new org.apache.spark.ml.param.ParamMap()).setWeightCol("w").fit(both);
        double diff = fromClean.implicitModel().b().minus(fromBoth.implicitModel().b()).maxAbs()
                / fromClean.implicitModel().b().maxAbs();
        assertTrue(diff < 1e-8, "BCD with zero weights differs from BCD without those points by " + diff);
    }

    @Test
    void badWeightsAreRefused() {
        Dataset<Row> frame = SparkTestData.frame(spark, data.train, 2);
        IdlClassifier gradient = new IdlClassifier().setSolver("gradient").setGradientIter(1).setWeightCol("w");
        String negative = assertThrows(IllegalArgumentException.class,
                () -> gradient.fit(frame.withColumn("w", functions.lit(-0.5)))).getMessage();
        assertTrue(negative.contains("weight -0.5 in column 'w'"), negative);
        String zero = assertThrows(IllegalArgumentException.class,
                () -> gradient.fit(frame.withColumn("w", functions.lit(0.0)))).getMessage();
        assertTrue(zero.contains("every weight in column 'w' is 0"), zero);
        String missing = assertThrows(IllegalArgumentException.class, () -> gradient.fit(frame)).getMessage();
        assertTrue(missing.contains("no column 'w' (weightCol)"), missing);
    }

    /**
     * Text-like data ({@link TextLikeData}): 200,000 features, 40 stored per point. As
     * dense blocks the 2,000 training points would take 3.2 GB, beyond this JVM's heap: they train as
     * sparse ones, and the model predicts sparse rows, one by one and by transform, alike.
     */
    @Test
    void twoHundredThousandSparseFeaturesTrainWithTheGradientSolver() {
        int p = 200_000;
        Dataset<Row> train = TextLikeData.frame(spark, 2000, p, 1, 2);
        Dataset<Row> test = TextLikeData.frame(spark, 500, p, 2, 2);
        IdlClassifier classifier = new IdlClassifier().setSolver("gradient").setHiddenSize(10).setGradientIter(3)
                .setBatchSize(64).setSeed(3);
        IdlClassificationModel model = classifier.fit(train);
        assertEquals(p, model.numFeatures());
        double accuracy = accuracy(model, test);
        assertTrue(accuracy > 0.9, "test accuracy " + accuracy);
        Row first = model.transform(test).select("features", "rawPrediction").first();
        Vector one = model.predictRaw(first.getAs(0));
        Vector batched = first.getAs(1);
        for (int i = 0; i < one.size(); i++) {
            assertEquals(batched.apply(i), one.apply(i), 1e-9);
        }
        String bcd = assertThrows(IllegalArgumentException.class, () -> new IdlClassifier().setHiddenSize(10).fit(train))
                .getMessage();
        assertTrue(bcd.contains("Gram matrix"), bcd);
    }

}
