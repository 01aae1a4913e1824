package org.idl.spark.ml;

import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.idl.model.WellPosedness;
import org.idl.spark.SparkSessionTest;
import org.idl.spark.SparkTestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A Spark MLlib perceptron imported as an implicit model predicts exactly what MLlib predicts. */
class MlpImportTest extends SparkSessionTest {

    @Test
    void anImportedPerceptronGivesMllibsPredictions(@TempDir Path dir) throws Exception {
        SparkTestData data = SparkTestData.digits();
        Dataset<Row> train = SparkTestData.frame(spark, data.train, 2);
        Dataset<Row> test = SparkTestData.frame(spark, data.test, 2);
        // Two hidden layers of different widths, so the stacking order and the block offsets matter.
        MultilayerPerceptronClassificationModel mlp = new MultilayerPerceptronClassifier()
                .setLayers(new int[]{64, 24, 16, 10}).setMaxIter(60).setSeed(3).fit(train);
        IdlClassificationModel imported = IdlClassificationModel.fromMultilayerPerceptron(mlp);
        assertEquals(40, imported.getHiddenSize());
        assertEquals("sigmoid", imported.getActivation());
        assertTrue(WellPosedness.structure(imported.implicitModel().a()).triangular());
        assertTrue(imported.implicitModel().a().infNorm() > 1, "the perceptron's A is not in the kappa ball");

        List<Row> theirs = mlp.transform(test).select("prediction", "probability", "rawPrediction").collectAsList();
        List<Row> ours = imported.transform(test).select("prediction", "probability", "rawPrediction").collectAsList();
        assertEquals(theirs.size(), ours.size());
        double worst = 0;
        for (int k = 0; k < theirs.size(); k++) {
            assertEquals(theirs.get(k).getDouble(0), ours.get(k).getDouble(0), "prediction of row " + k);
            for (int col = 1; col <= 2; col++) {
                double[] a = ((Vector) theirs.get(k).get(col)).toArray();
                double[] b = ((Vector) ours.get(k).get(col)).toArray();
                for (int j = 0; j < a.length; j++) {
                    worst = Math.max(worst, Math.abs(a[j] - b[j]) / Math.max(1, Math.abs(a[j])));
                }
            }
        }
        assertTrue(worst <= 1e-10, "largest relative difference " + worst);
        double accuracy = imported.transform(test).filter("prediction = label").count() / (double) theirs.size();
        assertTrue(accuracy > 0.9, "accuracy " + accuracy);

        // It saves and loads like any of our models.
        imported.write().save(dir.resolve("imported").toString());
        IdlClassificationModel loaded = IdlClassificationModel.load(dir.resolve("imported").toString());
        assertEquals(ours, loaded.transform(test).select("prediction", "probability", "rawPrediction").collectAsList());
    }

    @Test
    void stateDrivenFittingGivesASparserWellPosedStudentOfAnImportedPerceptron() {
        SparkTestData data = SparkTestData.digits();
        Dataset<Row> train = SparkTestData.frame(spark, data.train, 2);
        Dataset<Row> test = SparkTestData.frame(spark, data.test, 2);
        IdlClassificationModel teacher = IdlClassificationModel.fromMultilayerPerceptron(new MultilayerPerceptronClassifier()
                .setLayers(new int[]{64, 32, 10}).setMaxIter(100).setSeed(5).fit(train));
        IdlClassificationModel student = StateDriven.fit(teacher, train.drop("label"),
                new org.idl.train.sim.StateDrivenFit.Config(0.95, 1.0, 0.001, 2000));
        org.idl.model.ImplicitModel t = teacher.implicitModel();
        org.idl.model.ImplicitModel s = student.implicitModel();
        long before = org.idl.model.ModelAnalysis.nonzeros(t.a()) + org.idl.model.ModelAnalysis.nonzeros(t.b());
        long after = org.idl.model.ModelAnalysis.nonzeros(s.a()) + org.idl.model.ModelAnalysis.nonzeros(s.b());
        double teacherAccuracy = teacher.transform(test).filter("prediction = label").count() / (double) test.count();
        double studentAccuracy = student.transform(test).filter("prediction = label").count() / (double) test.count();
        System.out.printf("SIM on digits: (A, B) nonzeros %d -> %d, test accuracy %.4f -> %.4f%n", before, after,
                teacherAccuracy, studentAccuracy);
        assertTrue(after <= before / 2, after + " nonzeros, the teacher has " + before);
        assertTrue(s.a().infNorm() <= 0.95 + 1e-12, "||A||_inf = " + s.a().infNorm());
        assertTrue(studentAccuracy >= teacherAccuracy - 0.01, studentAccuracy + " against " + teacherAccuracy);
        assertEquals("sigmoid", student.getActivation());
    }

    @Test
    void anImportedPerceptronFineTunesWithBcdKeepingItsTriangularPattern() {
        SparkTestData data = SparkTestData.digits();
        Dataset<Row> train = SparkTestData.frame(spark, data.train, 2);
        Dataset<Row> test = SparkTestData.frame(spark, data.test, 2);
        IdlClassificationModel imported = IdlClassificationModel.fromMultilayerPerceptron(new MultilayerPerceptronClassifier()
                .setLayers(new int[]{64, 24, 16, 10}).setMaxIter(15).setSeed(3).fit(train));
        org.idl.model.ImplicitModel start = imported.implicitModel();
        IdlClassificationModel tuned = new IdlClassifier().setSolver("bcd").setActivation("sigmoid").setHiddenSize(40)
                .setMaxIter(3).setInitialModel(start).fit(train);
        org.idl.model.ImplicitModel m = tuned.implicitModel();
        // A keeps the perceptron's zeros, so it stays strictly triangular, well-posed beyond the kappa ball.
        for (int k = 0; k < m.a().data().length; k++) {
            if (start.a().data()[k] == 0) {
                assertEquals(0.0, m.a().data()[k], "entry " + k + " of A left the pattern");
            }
        }
        assertEquals(WellPosedness.Structure.STRICTLY_UPPER, WellPosedness.structure(m.a()));
        assertTrue(m.a().minus(start.a()).maxAbs() > 0, "A never moved");
        double before = imported.transform(test).filter("prediction = label").count() / (double) test.count();
        double after = tuned.transform(test).filter("prediction = label").count() / (double) test.count();
        double trainBefore = imported.transform(train).filter("prediction = label").count() / (double) train.count();
        double trainAfter = tuned.transform(train).filter("prediction = label").count() / (double) train.count();
        System.out.printf("fine-tuning the imported perceptron by 3 BCD rounds: test %.4f -> %.4f, train %.4f -> %.4f%n",
                before, after, trainBefore, trainAfter);
        assertTrue(trainAfter >= trainBefore - 0.01, trainAfter + " against " + trainBefore);
        // The gradient solver keeps A in the kappa ball, and says so.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new IdlClassifier()
                .setSolver("gradient").setActivation("sigmoid").setHiddenSize(40).setInitialModel(start).fit(train));
        assertTrue(e.getMessage().contains("exceeds kappa") && e.getMessage().contains("solver = bcd"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new IdlClassifier().setHiddenSize(40)
                .setInitialModel(start).fit(train));
        assertTrue(e.getMessage().contains("activation sigmoid"), e.getMessage());
    }

    @Test
    void aPerceptronWithoutHiddenLayersIsRefused() {
        SparkTestData data = SparkTestData.digits();
        MultilayerPerceptronClassificationModel flat = new MultilayerPerceptronClassifier()
                .setLayers(new int[]{64, 10}).setMaxIter(2).fit(SparkTestData.frame(spark, data.train, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IdlClassificationModel.fromMultilayerPerceptron(flat));
        assertTrue(e.getMessage().contains("at least one hidden layer"), e.getMessage());
    }
}
