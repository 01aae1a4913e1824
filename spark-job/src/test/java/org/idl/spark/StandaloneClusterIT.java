package org.idl.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.idl.data.Digits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Spark standalone cluster on 127.0.0.1, started from the jars the build gathers: a master and
 * two workers, each its own JVM. {@code submit/idl train} runs against it in client mode with two
 * executors. The daemons are stopped by their process ids, also when the test fails.
 */
class StandaloneClusterIT {
    private static final Path ROOT = Digits.path().getParent().getParent().getParent();
    private static final Path JARS = ROOT.resolve("spark-job/target/jars");
    private static final int MASTER_PORT = 7077;
    private static final int MASTER_UI = 8089;

    @Test
    void submitTrainsOnTwoWorkers(@TempDir Path dir) throws Exception {
        Path home = ROOT.resolve("spark-job/target/idl-spark-home");
        Files.createDirectories(home);
        if (!Files.exists(home.resolve("jars"))) {
            Files.createSymbolicLink(home.resolve("jars"), JARS);
        }
        List<Process> daemons = new ArrayList<>();
        try {
            daemons.add(daemon(dir, "master", home, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                    "--port", Integer.toString(MASTER_PORT), "--webui-port", Integer.toString(MASTER_UI)));
            for (int w = 1; w <= 2; w++) {
                daemons.add(daemon(dir, "worker" + w, home, "org.apache.spark.deploy.worker.Worker", "--host",
                        "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port", Integer.toString(8090 + w),
                        "spark://127.0.0.1:" + MASTER_PORT));
            }
            awaitWorkers(2, dir);

            Path out = dir.resolve("run");
            ProcessBuilder submit = new ProcessBuilder("bash", ROOT.resolve("submit/idl").toString(), "train",
                    "--conf", ROOT.resolve("conf/standalone.conf").toString(), "--out", out.toString(),
                    "--set", "model.maxIter=5", "--set", "model.hiddenSize=32")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("submit.log").toFile());
            submit.environment().remove("SPARK_HOME");
            Process job = submit.start();
            assertTrue(job.waitFor(5, TimeUnit.MINUTES), "submit/idl did not finish");
            String log = Files.readString(dir.resolve("submit.log"));
            assertEquals(0, job.exitValue(), log);
            JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
            assertEquals(5, metrics.get("objectiveHistory").size());
            assertTrue(metrics.get("testMetrics").get("accuracy").asDouble() > 0.9, metrics.toString());
            assertEquals("spark://127.0.0.1:7077", metrics.get("configuration").get("spark.master").asText());
            assertTrue(Files.isDirectory(out.resolve("model/stages")));
            // Both workers ran an executor of this application.
            for (int w = 1; w <= 2; w++) {
                String workerLog = Files.readString(dir.resolve("worker" + w + ".log"));
                assertTrue(workerLog.contains("Launching executor") || workerLog.contains("Asked to launch executor"),
                        "worker " + w + " launched no executor:\n" + workerLog);
            }
        } finally {
            for (Process p : daemons) {
                p.destroy();
            }
            for (Process p : daemons) {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            }
        }
    }

    private static Process daemon(Path dir, String name, Path home, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.addAll(ManagementFlags.moduleFlags());
        cmd.addAll(List.of("-cp", JARS + "/*", mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        // Workers build executor commands with Spark's launcher, which needs the Scala version outside a distribution.
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb.start();
    }

    /** Polls the master's JSON status until the workers are alive. */
    private static void awaitWorkers(int count, Path dir) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + MASTER_UI + "/json/")).build(), HttpResponse.BodyHandlers.ofString());
                last = r.body();
                JsonNode status = new ObjectMapper().readTree(last);
                if (status.path("aliveworkers").asInt() >= count) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("workers did not register: " + last + "\n" + Files.readString(dir.resolve("master.log")));
    }
}
