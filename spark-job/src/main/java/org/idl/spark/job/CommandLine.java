package org.idl.spark.job;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The options of a job command: {@code --conf <file>}, repeatable {@code --set key=value}, and the
 * command's own flags and valued options. {@code --data}, {@code --format} and {@code --model} are
 * shorthands for the keys {@code data.path}, {@code data.format} and {@code job.model}, {@code --radius}
 * for {@code job.radius}.
 */
final class CommandLine {
    final String command;
    Path conf;
    String out;
    /** certify: where to write the HTML page. */
    String report;
    boolean overwrite;
    boolean resume;
    boolean help;
    final Map<String, String> overrides = new LinkedHashMap<>();

    private CommandLine(String command) {
        this.command = command;
    }

    static CommandLine parse(String[] args, Set<String> allowed) {
        CommandLine c = new CommandLine(args[0]);
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!allowed.contains(a) && !a.equals("--help") && !a.equals("-h") && !a.equals("--set")
                    && !a.equals("--conf")) {
                throw new IllegalArgumentException("unknown option '" + a + "' for " + c.command + "; try "
                        + c.command + " --help");
            }
            switch (a) {
                case "--help", "-h" -> c.help = true;
                case "--conf" -> c.conf = Path.of(value(args, ++i, a));
                case "--out" -> c.out = value(args, ++i, a);
                case "--overwrite" -> c.overwrite = true;
                case "--resume" -> c.resume = true;
                case "--data" -> c.overrides.put("data.path", value(args, ++i, a));
                case "--format" -> c.overrides.put("data.format", value(args, ++i, a));
                case "--model" -> c.overrides.put("job.model", value(args, ++i, a));
                case "--radius" -> c.overrides.put("job.radius", value(args, ++i, a));
                case "--report" -> c.report = value(args, ++i, a);
                case "--set" -> {
                    String kv = value(args, ++i, a);
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--set needs key=value, got '" + kv + "'");
                    }
                    c.overrides.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
                }
                default -> throw new IllegalStateException(a);
            }
        }
        return c;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    String requireOut() {
        if (out == null) {
            throw new IllegalArgumentException(command + " needs --out <path>");
        }
        return out;
    }
}
