package org.idl.spark.ml.persist;

/** The project's version, from the jar manifest when packaged. */
public final class Versions {
    private Versions() {
    }

    public static String project() {
        String v = Versions.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
