package org.idl.spark.job;

import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.SparkSession;
import org.idl.data.Digits;
import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.spark.ManagementFlags;
import org.idl.spark.SparkTests;
import org.idl.spark.ml.IdlClassificationModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scheduled training survives a crash: a training job in its own JVM is killed (SIGKILL) after its
 * third checkpoint, resumed with --resume, and ends with the model of an uninterrupted run; for the
 * recipe and the minibatch schedule (whose epochs draw the same batches after a resume).
 */
class ResumeTest {
    private static final Path CONF = Digits.path().getParent().getParent().getParent().resolve("conf/local.conf");
    private static final int ROUNDS = 8;

    private String[] trainArgs(String schedule, Path out, Path checkpoints, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--conf", CONF.toString(), "--out", out.toString(),
                "--set", "data.path=" + Digits.path(), "--set", "model.maxIter=" + ROUNDS,
                "--set", "model.schedule=" + schedule, "--set", "model.bcdBatchSize=200",
                "--set", "model.hiddenSize=24", "--set", "job.report=false",
                "--set", "job.checkpointDir=" + checkpoints, "--set", "job.checkpointEvery=1"));
        args.addAll(List.of(extra));
        return args.toArray(new String[0]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"recipe", "minibatch"})
    void killedJobResumesToTheUninterruptedModel(String schedule, @TempDir Path dir) throws Exception {
        Path checkpoints = dir.resolve("checkpoints");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFlags.moduleFlags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), IdlJob.class.getName()));
        command.addAll(List.of(trainArgs(schedule, dir.resolve("killed"), checkpoints)));
        Process job = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("killed.log").toFile()).start();
        Path third = checkpoints.resolve("training/round-000003");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!Files.exists(third) && job.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(third), "no third checkpoint; log: " + Files.readString(dir.resolve("killed.log")));
        job.destroyForcibly().waitFor();
        assertTrue(!Files.exists(dir.resolve("killed")), "a killed job must leave no output");

        // Resuming with a setting the model depends on changed is refused, naming it, and writes nothing.
        IllegalArgumentException changed = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> IdlJob.run(trainArgs(schedule, dir.resolve("changed"), checkpoints, "--resume", "--set",
                        "model.kappa=0.9")));
        assertTrue(changed.getMessage().contains("model.kappa was 0.95 and is 0.9"), changed.getMessage());
        assertEquals(IdlJob.BAD_INPUT, IdlJob.report(changed));
        assertTrue(!Files.exists(dir.resolve("changed")));
        assertEquals(IdlJob.OK, IdlJob.run(trainArgs(schedule, dir.resolve("resumed"), checkpoints, "--resume")));
        assertEquals(IdlJob.OK, IdlJob.run(trainArgs(schedule, dir.resolve("straight"),
                dir.resolve("other-checkpoints"))));

        SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
        try {
            ImplicitModel resumed = model(dir.resolve("resumed/model"));
            ImplicitModel straight = model(dir.resolve("straight/model"));
            for (String name : new String[]{"A", "B", "C", "D"}) {
                Matrix r = SparkTests.pick(resumed, name);
                Matrix s = SparkTests.pick(straight, name);
                double diff = SparkTests.relativeDifference(s, r);
                assertTrue(diff <= 1e-8, name + " differs by " + diff + " relative");
            }
        } finally {
            spark.stop();
        }
        // The resumed run's history covers every round; rounds before the resume have no test figure.
        com.fasterxml.jackson.databind.JsonNode metrics = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(dir.resolve("resumed/metrics.json").toFile());
        assertEquals(ROUNDS, metrics.get("objectiveHistory").size());
        assertTrue(metrics.get("testAccuracyHistory").get(0).isNull());
        assertTrue(metrics.get("testAccuracyHistory").get(ROUNDS - 1).asDouble() > 0.9);
    }

    private static ImplicitModel model(Path path) {
        PipelineModel p = PipelineModel.load(path.toString());
        return ((IdlClassificationModel) p.stages()[p.stages().length - 1]).implicitModel();
    }
}
