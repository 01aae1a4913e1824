package org.idl.spark;

/** The project's version, from the jar manifest when packaged. */
final class Versions {
    private Versions() {
    }

    static String project() {
        String v = Versions.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
