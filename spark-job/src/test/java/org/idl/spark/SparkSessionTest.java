package org.idl.spark;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;

/**
 * A test class whose tests share one {@link SparkTests#session} (local[2], the job's Kryo set-up),
 * named after the class, started before its first test and stopped after its last.
 */
public abstract class SparkSessionTest {
    protected static SparkSession spark;

    @BeforeAll
    static void startSpark(TestInfo info) {
        spark = SparkTests.session(info.getTestClass().orElseThrow().getSimpleName());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }
}
