package org.idl.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.spark.ml.IdlClassificationModel;
import org.idl.spark.ml.IdlClassifier;
import org.idl.train.bcd.BcdTrainer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real separate executors: {@code local-cluster[2,1,1024]} starts a master, workers and two executor
 * JVMs. With Kryo registration required, a class we ship unregistered fails the test; with a 1 MB
 * {@code spark.rpc.message.maxSize}, a task closure that drags data along fails it too. The model
 * equals common/'s single-machine trainer's, also when the gradient solver's partitions average over
 * a ring of TCP connections between the executors.
 */
class LocalClusterTest {

    @Test
    void trainsTheSameModelOnTwoExecutorJvms() throws Exception {
        // The Worker launches executors from SPARK_HOME (set by the build to target/spark-home): it needs
        // only a jars/ folder there, since the executors get the test's class path.
        Path sparkHome = Path.of(System.getenv("SPARK_HOME"));
        Files.createDirectories(sparkHome.resolve("jars"));
        SparkConf conf = SparkConfigs.withKryo(new SparkConf())
                .setMaster("local-cluster[2,1,1024]")
                .setAppName("LocalClusterTest")
                .set("spark.home", sparkHome.toString())
                .set("spark.executorEnv.SPARK_SCALA_VERSION", "2.13")
                .set("spark.executorEnv.SPARK_HOME", sparkHome.toString())
                .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .set("spark.executor.memory", "512m")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false")
                .set("spark.rpc.message.maxSize", "1");
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try {
            SparkTestData data = SparkTestData.digits();
            IdlClassifier classifier = new IdlClassifier().setHiddenSize(24).setMaxIter(3).setInitialReadoutPasses(5);
            IdlClassificationModel model = classifier.fit(SparkTestData.frame(spark, data.train, 4));
            ImplicitModel local = new BcdTrainer(classifier.bcdConfig())
                    .fit(data.train.features(), data.train.oneHot(10), 1, null).model();
            for (String name : new String[]{"A", "B", "C", "D"}) {
                Matrix l = SparkTests.pick(local, name);
                Matrix d = SparkTests.pick(model.implicitModel(), name);
                assertTrue(SparkTests.relativeDifference(l, d) <= 1e-8, name + " differs");
            }
            long correct = model.transform(SparkTestData.frame(spark, data.test, 2))
                    .filter("prediction = label").count();
            assertTrue(correct > 0.9 * data.test.size(), "test accuracy " + (double) correct / data.test.size());
            assertEquals(2, spark.sparkContext().getExecutorMemoryStatus().size() - 1);

            // The gradient solver's partitions average among themselves, over TCP between the executors.
            IdlClassifier gradient = new IdlClassifier().setHiddenSize(16).setSolver("gradient").setGradientIter(2)
                    .setBatchSize(64).setSyncSteps(4).setAveraging("ring");
            IdlClassificationModel ring = gradient.fit(SparkTestData.frame(spark, data.train, 2));
            ImplicitModel expected = gradient.trainer().fit(data.train.features(), data.train.oneHot(10), 2, null)
                    .model();
            for (String name : new String[]{"A", "B", "C", "D"}) {
                double diff = SparkTests.relativeDifference(SparkTests.pick(expected, name),
                        SparkTests.pick(ring.implicitModel(), name));
                assertTrue(diff <= 1e-8, name + " differs by " + diff);
            }
            assertEquals(8, ring.summary().syncs()[1]); // 32 steps an epoch: 7 averages among the executors, and the last
        } finally {
            spark.stop();
        }
    }
}
