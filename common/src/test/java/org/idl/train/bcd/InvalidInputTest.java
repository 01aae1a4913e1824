package org.idl.train.bcd;

import org.idl.data.LabeledData;
import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.ImplicitModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Invalid input fails early with an IllegalArgumentException whose message names the offending value. */
class InvalidInputTest {

    @TempDir
    Path dir;

    private static String fails(Executable action, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action);
        String message = e.getMessage();
        for (String f : fragments) {
            assertTrue(message != null && message.contains(f), "message '" + message + "' should mention '" + f + "'");
        }
        return message;
    }

    private static ImplicitModel model(int n, int p, int q) {
        return new ImplicitModel(Matrix.zeros(n, n), Matrix.zeros(n, p + 1), Matrix.zeros(q, n), Matrix.zeros(q, p + 1),
                Activation.RELU, true);
    }

    @Test
    void aMatrixLargerThanAJavaArrayIsRefusedNamingItsShape() {
        // 200,001 features by 12,000 points: 2.4e9 entries. It was an ArithmeticException, "integer overflow".
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> org.idl.linalg.Matrix.zeros(200_001, 12_000));
        assertTrue(e.getMessage().contains("200001 x 12000") && e.getMessage().contains("more partitions"),
                e.getMessage());
    }

    @Test
    void mismatchedModelShapes() {
        fails(() -> new ImplicitModel(Matrix.zeros(3, 3), Matrix.zeros(4, 2), Matrix.zeros(1, 3), Matrix.zeros(1, 2),
                Activation.RELU, false), "A", "B", "3 x 3", "4 x 2");
        fails(() -> new ImplicitModel(Matrix.zeros(3, 4), Matrix.zeros(3, 2), Matrix.zeros(1, 3), Matrix.zeros(1, 2),
                Activation.RELU, false), "square", "3 x 4");
        fails(() -> new ImplicitModel(Matrix.zeros(3, 3), Matrix.zeros(3, 2), Matrix.zeros(1, 2), Matrix.zeros(1, 2),
                Activation.RELU, false), "C", "2 columns");
        fails(() -> new ImplicitModel(Matrix.zeros(3, 3), Matrix.zeros(3, 2), Matrix.zeros(1, 3), Matrix.zeros(1, 5),
                Activation.RELU, false), "D", "5 columns");
        fails(() -> new ImplicitModel(Matrix.zeros(3, 3), Matrix.zeros(3, 2), Matrix.zeros(1, 3), Matrix.zeros(1, 2),
                null, false), "activation");
    }

    @Test
    void predictWithTheWrongNumberOfFeatures() {
        ImplicitModel model = model(3, 4, 2);
        fails(() -> model.predict(Matrix.zeros(3, 5)), "3 features", "expects 4");
        fails(() -> model.predict(Matrix.zeros(5, 5)), "5 features", "expects 4");
        assertEquals(2, model.predict(Matrix.zeros(4, 5)).rows());
    }

    @Test
    void nonFiniteEntries() {
        ImplicitModel model = model(3, 4, 2);
        Matrix u = Matrix.zeros(4, 6);
        u.set(2, 5, Double.NaN);
        fails(() -> model.predict(u), "U", "NaN", "(2, 5)");
        Matrix v = Matrix.zeros(4, 6);
        v.set(0, 1, Double.NEGATIVE_INFINITY);
        fails(() -> model.predict(v), "U", "-Infinity");

        Matrix a = Matrix.zeros(3, 3);
        a.set(1, 2, Double.POSITIVE_INFINITY);
        fails(() -> new ImplicitModel(a, Matrix.zeros(3, 5), Matrix.zeros(2, 3), Matrix.zeros(2, 5), Activation.RELU, true),
                "A", "Infinity", "(1, 2)");
        Matrix an = Matrix.zeros(3, 3);
        an.set(0, 0, Double.NaN);
        fails(() -> new ImplicitModel(an, Matrix.zeros(3, 5), Matrix.zeros(2, 3), Matrix.zeros(2, 5), Activation.RELU, true),
                "A", "NaN");

        BcdTrainer trainer = new BcdTrainer(BcdConfig.builder().hidden(4).rounds(1).build());
        Matrix y = Matrix.zeros(2, 6);
        y.set(0, 3, Double.NaN);
        fails(() -> trainer.fit(Matrix.zeros(4, 6), y, 1, null), "Y", "NaN");
        fails(() -> trainer.fit(u, Matrix.zeros(2, 6), 1, null), "U", "NaN");
    }

    @Test
    void kappaOutsideTheOpenUnitInterval() {
        fails(() -> BcdConfig.builder().kappa(1.0).build(), "kappa", "1.0");
        fails(() -> BcdConfig.builder().kappa(0).build(), "kappa", "0.0");
        fails(() -> BcdConfig.builder().kappa(-0.1).build(), "kappa", "-0.1");
        fails(() -> BcdConfig.builder().kappa(1.5).build(), "kappa", "1.5");
        fails(() -> BcdConfig.builder().kappa(Double.NaN).build(), "kappa", "NaN");
        assertEquals(0.99, BcdConfig.builder().kappa(0.99).build().kappa());
    }

    @Test
    void negativeOrNonFiniteLambdaAndMu() {
        fails(() -> BcdConfig.builder().lambda(-0.5).build(), "lambda", "-0.5");
        fails(() -> BcdConfig.builder().lambda(Double.NaN).build(), "lambda", "NaN");
        fails(() -> BcdConfig.builder().lambda(Double.POSITIVE_INFINITY).build(), "lambda", "Infinity");
        fails(() -> BcdConfig.builder().mu(-1.0).build(), "mu", "-1.0");
        fails(() -> BcdConfig.builder().hidden(3).lambdaPerUnit(new double[]{0.1, -0.2, 0.3}).build(),
                "lambdaPerUnit[1]", "-0.2");
        fails(() -> BcdConfig.builder().hidden(3).lambdaPerUnit(new double[]{0.1, 0.2}).build(), "2", "3");
        fails(() -> BcdConfig.builder().hidden(0).build(), "hidden", "0");
        fails(() -> BcdConfig.builder().ridge(-1e-3).build(), "ridge", "-0.001");
        // And at the step level, where lambda arrives as an array.
        Matrix z = Matrix.zeros(2, 3);
        fails(() -> XStep.solve(Activation.RELU, new double[]{0.1, -0.3}, 0.1, Matrix.zeros(2, 2), z, z, z, 5),
                "lambda[1]", "-0.3");
        fails(() -> XStep.solve(Activation.RELU, new double[]{0.1, 0.3}, -2.5, Matrix.zeros(2, 2), z, z, z, 5),
                "mu", "-2.5");
    }

    @Test
    void emptyTrainingData() {
        BcdTrainer trainer = new BcdTrainer(BcdConfig.builder().hidden(4).rounds(1).build());
        fails(() -> trainer.fit(Matrix.zeros(3, 0), Matrix.zeros(2, 0), 1, null), "no data", "0 columns");
        fails(() -> trainer.fit(Matrix.zeros(3, 5), Matrix.zeros(2, 4), 1, null), "5", "4");
        fails(() -> trainer.fit(Matrix.zeros(3, 5), Matrix.zeros(2, 5), 6, null), "5", "6 blocks");
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    @Test
    void malformedCsvFiles() throws IOException {
        Path ragged = write("ragged.csv", "1,2,3,0\n4,5,6,1\n7,8,1\n");
        fails(() -> LabeledData.readCsv(ragged), ragged + ":3", "3 fields", "expected 4");

        Path word = write("word.csv", "1,2,3,0\n4,abc,6,1\n");
        fails(() -> LabeledData.readCsv(word), word + ":2", "'abc'", "not a number");

        Path nan = write("nan.csv", "1,2,3,0\n4,5,6,1\n\nNaN,1,2,0\n");
        fails(() -> LabeledData.readCsv(nan), nan + ":4", "NaN");

        Path inf = write("inf.csv", "1,Infinity,3,0\n");
        fails(() -> LabeledData.readCsv(inf), inf + ":1", "Infinity");

        Path empty = write("empty.csv", "");
        fails(() -> LabeledData.readCsv(empty), empty.toString(), "no data");

        Path blank = write("blank.csv", "\n  \n");
        fails(() -> LabeledData.readCsv(blank), blank.toString(), "no data");

        Path label = write("label.csv", "1,2,0.5\n");
        fails(() -> LabeledData.readCsv(label), label + ":1", "0.5");

        Path negative = write("negative.csv", "1,2,-1\n");
        fails(() -> LabeledData.readCsv(negative), negative + ":1", "-1");

        Path single = write("single.csv", "7\n");
        fails(() -> LabeledData.readCsv(single), single + ":1", "'7'");

        Path good = write("good.csv", "1,2,0\n3,4.5,2\n");
        LabeledData data = LabeledData.readCsv(good);
        assertEquals(2, data.size());
        assertEquals(3, data.classes());
        assertEquals(4.5, data.features().get(1, 1));
    }
}
