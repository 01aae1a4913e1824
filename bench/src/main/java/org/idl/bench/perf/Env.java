package org.idl.bench.perf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.idl.bench.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** What every result file records about the run: date, machine, load, BLAS; and small helpers. */
public final class Env {
    private Env() {
    }

    public static Map<String, Object> describe() {
        return Json.object("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                "cores", Runtime.getRuntime().availableProcessors(), "loadAverage", loadAverage(),
                "java", System.getProperty("java.version"),
                "blas", dev.ludovic.netlib.blas.BLAS.getInstance().getClass().getName(),
                "OPENBLAS_NUM_THREADS", System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "(unset)"),
                "maxHeapMiB", Runtime.getRuntime().maxMemory() >> 20);
    }

    /** /proc/loadavg's first three fields (1, 5, 15 minutes), as {@code uptime} shows them. */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    public static void writeJson(Path file, Object value) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), value);
    }

    /** Writes value as JSON to {@code out} and says so; nothing when {@code out} is null (no {@code --out}). */
    public static void writeJsonIfAsked(String out, Object value) throws IOException {
        if (out != null) {
            writeJson(Path.of(out), value);
            System.out.println("wrote " + out);
        }
    }

    public static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        int n = s.length;
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    public static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
