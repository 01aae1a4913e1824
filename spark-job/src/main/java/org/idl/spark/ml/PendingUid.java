package org.idl.spark.ml;

/**
 * Spark's Scala param traits create their params (featuresCol, ...) inside the superclass
 * constructor, calling {@code uid()} before a Java subclass has set its fields. The subclass
 * parks its uid here while {@code super()} runs, and {@code uid()} reads it until the field is set.
 */
final class PendingUid {
    private static final ThreadLocal<String> PENDING = new ThreadLocal<>();

    private PendingUid() {
    }

    /** Parks the uid for the constructor chain about to run; returns it for use as an argument. */
    static String park(String uid) {
        if (uid == null || uid.isEmpty()) {
            throw new IllegalArgumentException("uid must not be empty");
        }
        PENDING.set(uid);
        return uid;
    }

    static String get() {
        return PENDING.get();
    }

    static void clear() {
        PENDING.remove();
    }
}
