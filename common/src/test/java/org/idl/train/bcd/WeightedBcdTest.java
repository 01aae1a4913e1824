package org.idl.train.bcd;

import org.idl.data.Digits;
import org.idl.data.LabeledData;
import org.idl.data.Standardizer;
import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.train.DataBlock;
import org.idl.train.LocalBlockStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** BCD with point weights: a weight of 2 is the point counted twice, a weight of 0 the point left out. */
class WeightedBcdTest {

    @ParameterizedTest(name = "{0} schedule")
    @CsvSource({"recipe", "paper", "robust"})
    void integerWeightsTrainTheModelOfTheRepeatedData(String schedule) {
        LabeledData digits = Digits.load();
        int m = 300;
        Matrix u = Standardizer.fit(digits.features()).apply(digits.features()).columns(0, m).withOnesRow();
        Matrix y = new LabeledData(digits.features().columns(0, m), Arrays.copyOf(digits.labels(), m)).oneHot(10);
        // Weights 2, 0, 1, 1, ...: they sum to m, so they are already of mean 1.
        double[] weights = new double[m];
        Arrays.fill(weights, 1.0);
        weights[0] = 2;
        weights[1] = 0;
        // The same data with point 0 twice and point 1 left out, split in two blocks.
        int[] order = new int[m];
        order[0] = 0;
        for (int j = 2; j < m; j++) {
            order[j - 1] = j;
        }
        order[m - 1] = 0;
        Matrix ur = u.columnsAt(order, 0, m);
        Matrix yr = y.columnsAt(order, 0, m);

        // "robust": the recipe under a box (RobustCounterpart), whose statistics are weighted sums too.
        BcdConfig config = schedule.equals("robust")
                ? BcdConfig.builder().hidden(12).rounds(3).stepTolerance(1e-12)
                        .interval(new org.idl.train.gradient.IntervalTraining(new double[]{0.1}, 0.5, 1)).build()
                : BcdConfig.builder().hidden(12).rounds(3).schedule(Schedule.parse(schedule)).build();
        LocalBlockStore weighted = new LocalBlockStore(List.of(
                DataBlock.of(u.columns(0, 140), y.columns(0, 140), Arrays.copyOfRange(weights, 0, 140), 0),
                DataBlock.of(u.columns(140, m), y.columns(140, m), Arrays.copyOfRange(weights, 140, m), 1)));
        LocalBlockStore repeated = new LocalBlockStore(List.of(DataBlock.of(ur.columns(0, 100), yr.columns(0, 100), 0),
                DataBlock.of(ur.columns(100, m), yr.columns(100, m), 1)));
        ImplicitModel a = new BcdTrainer(config).fit(weighted, 64, 10, null, null).model();
        ImplicitModel b = new BcdTrainer(config).fit(repeated, 64, 10, null, null).model();
        Matrix[] left = {a.a(), a.b(), a.c(), a.d()};
        Matrix[] right = {b.a(), b.b(), b.c(), b.d()};
        for (int k = 0; k < 4; k++) {
            double diff = left[k].minus(right[k]).maxAbs() / Math.max(1e-12, right[k].maxAbs());
            assertTrue(diff < 1e-8, "ABCD".charAt(k) + " differs by " + diff + " relative");
        }
    }
}
