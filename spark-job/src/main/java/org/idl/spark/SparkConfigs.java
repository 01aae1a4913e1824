package org.idl.spark;

import org.apache.spark.SparkConf;

/** The Spark settings this project runs with, in one place for the job and the tests. */
public final class SparkConfigs {
    private SparkConfigs() {
    }

    /** Kryo with every class registered, so a missing registration fails instead of slowing down. */
    public static SparkConf withKryo(SparkConf conf) {
        return conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.kryo.registrator", IdlKryoRegistrator.class.getName())
                .set("spark.kryo.registrationRequired", "true");
    }
}
