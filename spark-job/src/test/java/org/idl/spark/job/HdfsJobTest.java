package org.idl.spark.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.idl.data.Digits;
import org.idl.data.LabeledData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real HDFS (MiniDFSCluster, in this JVM, on 127.0.0.1): the job trains from LIBSVM data on
 * {@code hdfs://} and writes its model, metrics and report there; a malformed file on HDFS fails
 * naming the file and the line, and writes nothing.
 */
class HdfsJobTest {
    private static final java.nio.file.Path CONF =
            Digits.path().getParent().getParent().getParent().resolve("conf/local.conf");

    @Test
    void trainsFromAndWritesToHdfs(@TempDir java.nio.file.Path dir) throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("dfs").toString());
        conf.set("dfs.datanode.address", "127.0.0.1:0");
        conf.set("dfs.datanode.http.address", "127.0.0.1:0");
        conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
        conf.set("dfs.namenode.http-address", "127.0.0.1:0");
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        try {
            cluster.waitActive();
            FileSystem fs = cluster.getFileSystem();
            String root = fs.getUri().toString();
            // Digits as LIBSVM on HDFS.
            LabeledData digits = Digits.load();
            StringBuilder libsvm = new StringBuilder();
            for (int c = 0; c < digits.size(); c++) {
                libsvm.append(digits.labels()[c]);
                for (int i = 0; i < 64; i++) {
                    double v = digits.features().get(i, c);
                    if (v != 0) {
                        libsvm.append(' ').append(i + 1).append(':').append(v);
                    }
                }
                libsvm.append('\n');
            }
            try (FSDataOutputStream out = fs.create(new Path("/data/digits.libsvm"))) {
                out.write(libsvm.toString().getBytes(StandardCharsets.UTF_8));
            }
            String run = root + "/runs/digits";
            int code = IdlJob.run(new String[]{"train", "--conf", CONF.toString(), "--out", run,
                    "--data", root + "/data/digits.libsvm", "--format", "libsvm", "--set", "data.numFeatures=64",
                    "--set", "model.maxIter=10", "--set", "model.hiddenSize=32",
                    "--set", "job.checkpointDir=" + root + "/checkpoints", "--set", "job.checkpointEvery=5"});
            assertEquals(IdlJob.OK, code);
            JsonNode metrics;
            try (FSDataInputStream in = fs.open(new Path("/runs/digits/metrics.json"))) {
                metrics = new ObjectMapper().readTree(in);
            }
            assertEquals(10, metrics.get("objectiveHistory").size());
            assertTrue(metrics.get("testMetrics").get("accuracy").asDouble() > 0.93, metrics.get("testMetrics").toString());
            assertTrue(fs.exists(new Path("/runs/digits/model/stages")));
            assertTrue(fs.exists(new Path("/runs/digits/report.html")));
            assertTrue(fs.exists(new Path("/checkpoints/training/round-000010/state.json")));

            // A malformed line on HDFS: the file, the line and the problem; no output.
            try (FSDataOutputStream out = fs.create(new Path("/data/bad.libsvm"))) {
                out.write("1 1:0.5 2:1\n0 2:x\n".getBytes(StandardCharsets.UTF_8));
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IdlJob.run(new String[]{
                    "train", "--conf", CONF.toString(), "--out", root + "/runs/bad", "--data", root + "/data/bad.libsvm",
                    "--format", "libsvm"}));
            assertTrue(e.getMessage().contains("bad.libsvm:2") && e.getMessage().contains("2:x"), e.getMessage());
            assertFalse(fs.exists(new Path("/runs/bad")));
        } finally {
            cluster.shutdown();
        }
    }
}
