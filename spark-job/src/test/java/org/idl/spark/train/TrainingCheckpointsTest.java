package org.idl.spark.train;

import org.apache.hadoop.conf.Configuration;
import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.ImplicitModel;
import org.idl.train.MetricSums;
import org.idl.train.Round;
import org.idl.train.TrainingResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingCheckpointsTest {

    private static TrainingResult after(int rounds) {
        ImplicitModel model = new ImplicitModel(Matrix.zeros(2, 2), Matrix.gaussian(2, 3, 0.5, new java.util.Random(rounds)),
                Matrix.zeros(2, 2), Matrix.zeros(2, 3), Activation.RELU, true);
        MetricSums metrics = new MetricSums(1.0, 3, 0.5, 4, 2);
        List<Round> done = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            done.add(new Round(r, 0.5 / r, metrics, 0.1, 0.0, new Round.DriverSteps(1, 0.5, 1, 0.5, 0)));
        }
        return new TrainingResult(model, metrics, done);
    }

    @Test
    void aCorruptNewestCheckpointFallsBackToThePreviousOneAndNoneReadableIsNamed(@TempDir Path dir) throws IOException {
        String where = dir.resolve("checkpoints").toString();
        TrainingCheckpoints writer = new TrainingCheckpoints(where, 1, false, new Configuration());
        writer.roundCompleted(after(1));
        writer.roundCompleted(after(2));
        TrainingCheckpoints resume = new TrainingCheckpoints(where, 1, true, new Configuration());
        assertEquals(2, resume.resumePoint().rounds().size());

        Path newest = dir.resolve("checkpoints/round-000002/state.json");
        String json = Files.readString(newest);
        Files.writeString(newest, json.substring(0, json.length() / 2)); // truncated, as by a full disk
        TrainingResult fallback = resume.resumePoint();
        assertEquals(1, fallback.rounds().size());
        assertEquals(after(1).model().b().get(1, 2), fallback.model().b().get(1, 2), 0);

        Files.writeString(dir.resolve("checkpoints/round-000001/state.json"), "{\"model\": 7}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, resume::resumePoint);
        assertTrue(e.getMessage().contains("round-000002/state.json") && e.getMessage().contains("round-000001/state.json"),
                e.getMessage());
    }
}
