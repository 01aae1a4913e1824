package org.idl.spark.train;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Whether training holds its blocks in the driver ({@link DriverBlockStore}) rather than in a cached
 * RDD: the session's conf {@code spark.idl.inProcess} (set at start, or with {@code spark.conf().set}). {@code auto} (the default) chooses it in local mode
 * when the blocks take at most a quarter of the driver's heap and fit in one collect
 * ({@code spark.driver.maxResultSize}); {@code true} asks for it (local mode only), {@code false}
 * trains through Spark jobs always.
 */
public final class InProcess {
    public static final String CONF = "spark.idl.inProcess";

    private InProcess() {
    }

    /** @param dataBytes the training and validation blocks' size, with their states */
    public static boolean chosen(SparkSession spark, long dataBytes) {
        SparkContext sc = spark.sparkContext();
        String v = spark.conf().get(CONF, "auto");
        switch (v) {
            case "false":
                return false;
            case "true":
                if (!sc.isLocal()) {
                    throw new IllegalArgumentException(CONF + " = true holds the data in the driver, for Spark's local"
                            + " mode; the master is " + sc.master());
                }
                return true;
            case "auto":
                long maxResults = sc.getConf().getSizeAsBytes("spark.driver.maxResultSize", "1g");
                return sc.isLocal() && dataBytes <= Runtime.getRuntime().maxMemory() / 4
                        && (maxResults == 0 || dataBytes <= maxResults);
            default:
                throw new IllegalArgumentException(CONF + " must be auto, true or false, got '" + v + "'");
        }
    }
}
