package org.idl.bench.perf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What every result file records about the run: date, machine, load, BLAS; and small helpers. */
public final class Env {
    private Env() {
    }

    public static Map<String, Object> describe() {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        e.put("cores", Runtime.getRuntime().availableProcessors());
        e.put("loadAverage", loadAverage());
        e.put("java", System.getProperty("java.version"));
        e.put("blas", dev.ludovic.netlib.blas.BLAS.getInstance().getClass().getName());
        e.put("OPENBLAS_NUM_THREADS", System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "(unset)"));
        e.put("maxHeapMiB", Runtime.getRuntime().maxMemory() >> 20);
        return e;
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

    /** {@code --key value} pairs and bare {@code --flag}s. */
    public static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
            }
            String key = args[i].substring(2);
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                o.put(key, args[++i]);
            } else {
                o.put(key, "true");
            }
        }
        return o;
    }

    public static int[] ints(String csv) {
        List<Integer> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            out.add(Integer.parseInt(s.trim()));
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
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
