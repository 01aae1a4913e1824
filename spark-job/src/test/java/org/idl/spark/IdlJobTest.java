package org.idl.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.SparkSession;
import org.idl.data.Digits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batch job with conf/local.conf: the default run on digits, and configuration errors before Spark starts. */
class IdlJobTest {
    private static final Path CONF = Digits.path().getParent().getParent().getParent().resolve("conf/local.conf");

    @Test
    void defaultJobTrainsDigitsAndWritesModelAndMetrics(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        int code = IdlJob.run(new String[]{"train", "--conf", CONF.toString(), "--out", out.toString(),
                "--set", "data.path=" + Digits.path()});
        assertEquals(IdlJob.OK, code);
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        int rounds = m.get("objectiveHistory").size();
        assertEquals(50, rounds);
        assertEquals(rounds, m.get("roundSeconds").size());
        double test = m.get("testMetrics").get("accuracy").asDouble();
        assertTrue(test >= 0.975, "test accuracy " + test);
        assertTrue(m.get("trainMetrics").get("accuracy").asDouble() >= test);
        assertTrue(m.get("wellPosedness").get("infNorm").asDouble() <= 0.95 + 1e-12);
        assertTrue(m.get("trainingSeconds").asDouble() > 0);
        assertTrue(Files.isDirectory(out.resolve("model/data")));
        SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
        try {
            IdlClassificationModel loaded = IdlClassificationModel.load(out.resolve("model").toString());
            assertEquals(64, loaded.implicitModel().hidden());
        } finally {
            spark.stop();
        }
        // No temporary output left beside the result.
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
        // An existing output is refused without --overwrite.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdlJob.run(new String[]{
                "train", "--conf", CONF.toString(), "--out", out.toString(), "--set", "data.path=" + Digits.path(),
                "--set", "model.maxIter=1"}));
        assertTrue(e.getMessage().contains("exists"), e.getMessage());
    }

    @Test
    void badConfigurationIsRejectedNamingKeyAndValue(@TempDir Path dir) {
        String out = dir.resolve("never").toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdlJob.run(new String[]{
                "train", "--conf", CONF.toString(), "--out", out, "--set", "model.kappa=1.5"}));
        assertTrue(e.getMessage().contains("kappa") && e.getMessage().contains("1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> IdlJob.run(new String[]{
                "train", "--conf", CONF.toString(), "--out", out, "--set", "model.hiddenSiz=3"}));
        assertTrue(e.getMessage().contains("model.hiddenSiz"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> IdlJob.run(new String[]{
                "train", "--conf", CONF.toString(), "--out", out, "--set", "model.maxIter=ten"}));
        assertTrue(e.getMessage().contains("maxIter") && e.getMessage().contains("ten"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> IdlJob.run(new String[]{
                "train", "--conf", CONF.toString(), "--out", out, "--set", "data.path=/no/such/file.csv"}));
        assertTrue(e.getMessage().contains("/no/such/file.csv"), e.getMessage());
        assertFalse(Files.exists(Path.of(out)));
    }
}
