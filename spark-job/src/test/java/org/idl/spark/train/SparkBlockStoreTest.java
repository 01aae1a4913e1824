package org.idl.spark.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.idl.spark.SparkSessionTest;
import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.ImplicitModel;
import org.idl.spark.SparkTestData;
import org.idl.spark.TextLikeData;
import org.idl.train.Loss;
import org.idl.train.gradient.GradientPasses;
import org.idl.train.DataBlock;
import org.idl.train.bcd.BcdConfig;
import org.idl.train.bcd.BcdTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SparkBlockStoreTest extends SparkSessionTest {

    private static long rddCheckpoints(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("rdd-")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void onlyTheNewestRddCheckpointIsKeptAndNoneAfterTraining(@TempDir Path dir) {
        spark.sparkContext().setCheckpointDir(dir.toString());
        SparkTestData data = SparkTestData.digits();
        JavaRDD<Row> rows = TrainingData.rows(SparkTestData.frame(spark, data.train, 3), "features", "label", "");
        TrainingData.Shape shape = TrainingData.validate(rows, "features", "label", "", true, 2);
        JavaRDD<DataBlock> blocks = TrainingData.blocks(rows, shape, true, true, false, "features");
        SparkBlockStore store = new SparkBlockStore(blocks, 2, 1, StorageLevel.MEMORY_AND_DISK());
        List<Long> perRound = new ArrayList<>();
        new BcdTrainer(BcdConfig.builder().hidden(8).rounds(4).initialReadoutPasses(2).build())
                .fit(store, shape.features(), shape.outputs(), (round, state) -> perRound.add(rddCheckpoints(dir)), null);
        // A checkpoint every round, each of the whole training set: one on disk at a time, not one per round.
        assertEquals(4, perRound.size());
        assertTrue(perRound.stream().allMatch(n -> n <= 1), perRound.toString());
        assertTrue(perRound.stream().anyMatch(n -> n == 1), "no checkpoint written: " + perRound);
        store.release();
        assertEquals(0, rddCheckpoints(dir));
    }

    /** Sparse, weighted blocks go through Kryo (registration required) when an RDD checkpoint writes them. */
    @Test
    void sparseWeightedBlocksAreCheckpointed(@TempDir Path dir) {
        spark.sparkContext().setCheckpointDir(dir.toString());
        int p = 5000;
        JavaRDD<Row> rows = TrainingData.rows(TextLikeData.frame(spark, 300, p, 1, 2)
                .withColumn("w", org.apache.spark.sql.functions.rand(1)), "features", "label", "w");
        TrainingData.Shape shape = TrainingData.validate(rows, "features", "label", "w", true, 2);
        JavaRDD<DataBlock> blocks = TrainingData.blocks(rows, shape, true, true, true, "features");
        assertTrue(blocks.first().inputs() instanceof org.idl.linalg.SparseColumns);
        SparkBlockStore store = new SparkBlockStore(blocks, 2, 1, StorageLevel.MEMORY_AND_DISK());
        java.util.Random random = new java.util.Random(1);
        ImplicitModel model = new ImplicitModel(Matrix.zeros(4, 4), Matrix.gaussian(4, p + 1, 0.01, random),
                Matrix.gaussian(10, 4, 0.1, random), Matrix.zeros(10, p + 1), Activation.parse("relu"), true);
        store.roundCompleted(1);
        GradientPasses.GradientSums sums = store.pass(model, new GradientPasses.FullGradient(Loss.parse("cross_entropy"),
                1e-8));
        assertEquals(1, rddCheckpoints(dir));
        assertEquals(300, sums.metrics().count());
        store.release();
    }

    @Test
    void aTaskRunTwiceIsTimedOnce() {
        // Partition 1 ran twice (recomputed, or a speculative copy): its second run replaces the first.
        SparkBlockStore.Timings t = SparkBlockStore.Timings.of(List.of(
                new SparkBlockStore.TaskTiming(0, 1.0, 0.2, 5), new SparkBlockStore.TaskTiming(1, 2.0, 0.1, 5),
                new SparkBlockStore.TaskTiming(1, 2.5, 0.3, 5)));
        assertEquals(3.5, t.computeSeconds(), 1e-12);
        assertEquals(2.5, t.slowestTaskSeconds(), 1e-12);
        assertEquals(5, t.syncs());
        assertEquals(0.2, t.syncSeconds(), 1e-12);
    }
}
