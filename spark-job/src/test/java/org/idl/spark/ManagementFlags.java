package org.idl.spark;

import java.lang.management.ManagementFactory;
import java.util.List;

/** The JVM module flags of this test JVM (from the build's argLine), for the JVMs a test starts. */
public final class ManagementFlags {
    private ManagementFlags() {
    }

    public static List<String> moduleFlags() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("-XX:+Ignore") || a.startsWith("--enable-native-access")
                        || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty"))
                .toList();
    }
}
