package org.idl.bench.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.idl.bench.Json;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code metrics.json} of real job runs ({@code submit/idl train}) and splits their rounds:
 * {@code roundSeconds = passSeconds + validationSeconds + driverSeconds} (DistributedTrainer), and
 * <b>Spark overhead</b> {@code = passSeconds - partitionComputeSeconds / parallelism}, where
 * partitionComputeSeconds is the wall time inside the tasks summed over the partitions and
 * parallelism = min(partitions, task slots): what a pass costs beyond its tasks' compute if the
 * tasks ran perfectly in parallel (scheduling, task (de)serialisation, broadcast, treeReduce, result
 * transfer, waiting on the slowest task). Medians over rounds 2.. (round 1 starts from A = 0).
 *
 * <pre>
 * JobRuns --out split.json [--plot scaling.png] label=runs/x/metrics.json [label=...]...
 * </pre>
 */
public final class JobRuns {
    private JobRuns() {
    }

    public static void main(String[] args) throws Exception {
        String out = null;
        String plot = null;
        List<String[]> runs = new ArrayList<>();
        List<String> profiles = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = args[++i];
                case "--plot" -> plot = args[++i];
                case "--profile" -> profiles.add(args[++i]);
                default -> {
                    // label=path; the label may itself hold '=' (OPENBLAS_NUM_THREADS=1), the path does not.
                    int at = args[i].lastIndexOf('=');
                    runs.add(new String[]{args[i].substring(0, at), args[i].substring(at + 1)});
                }
            }
        }
        ObjectMapper json = new ObjectMapper();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String[] r : runs) {
            JsonNode m = json.readTree(Path.of(r[1]).toFile());
            rows.add(split(r[0], m, r[1]));
        }
        List<Map<String, Object>> cpu = new ArrayList<>();
        for (String p : profiles) {
            cpu.add(profilePoint(json.readTree(Path.of(p).toFile()), p));
        }
        cpu.sort((a, b) -> Long.compare((Long) a.get("m"), (Long) b.get("m")));
        Map<String, Object> doc = Json.object(
                "what", "round time split of real job runs (submit/idl train), from their metrics.json (JobRuns)",
                "overheadFormula", "sparkOverhead = passSeconds - partitionComputeSeconds / min(partitions, task slots)",
                "environment", Env.describe(), "runs", rows);
        if (!cpu.isEmpty()) {
            doc.put("partitionProfileCpu", cpu);
        }
        Env.writeJsonIfAsked(out, doc);
        print(rows);
        if (plot != null) {
            plot(rows, cpu, Path.of(plot));
            System.out.println("wrote " + plot);
        }
    }

    static Map<String, Object> split(String label, JsonNode m, String file) {
        JsonNode conf = m.get("configuration");
        String master = conf.path("spark.master").asText("local[*]");
        int partitions = m.path("partitions").asInt();
        int slots = slots(master);
        int parallelism = Math.max(1, Math.min(partitions, slots));
        double[] round = doubles(m.get("roundSeconds"));
        JsonNode s = m.get("roundTimeSplit");
        double[] pass = doubles(s.get("passSeconds"));
        double[] compute = doubles(s.get("partitionComputeSeconds"));
        double[] validation = doubles(s.get("validationSeconds"));
        double[] driver = doubles(s.get("driverSeconds"));
        int from = round.length >= 3 ? 1 : 0;
        double[] overhead = new double[round.length];
        double[] training = new double[round.length];
        for (int i = 0; i < round.length; i++) {
            overhead[i] = pass[i] - compute[i] / parallelism;
            training[i] = round[i] - validation[i];
        }
        return Json.object("label", label, "metrics", file, "master", master, "partitions", partitions,
                "parallelism", parallelism, "trainPoints", m.path("trainMetrics").path("count").asLong(),
                "rounds", round.length, "testAccuracy", m.path("testMetrics").path("accuracy").asDouble(),
                "trainingSeconds", Env.round(m.path("trainingSeconds").asDouble(), 2),
                "medianOver", from == 1 ? "rounds 2.." + round.length : "all rounds",
                "roundSeconds", med(round, from), "roundSecondsWithoutTestSet", med(training, from),
                "passSeconds", med(pass, from), "partitionComputeSeconds (sum over tasks)", med(compute, from),
                "partitionComputePerSlot", Env.round(medRaw(compute, from) / parallelism, 3),
                "sparkOverheadSeconds", med(overhead, from),
                "validationSeconds (test set, every round)", med(validation, from), "driverSeconds", med(driver, from),
                "perRound", Map.of("roundSeconds", round, "passSeconds", pass, "partitionComputeSeconds", compute,
                        "validationSeconds", validation, "driverSeconds", driver));
    }

    /** Task slots of a master URL: local[*] and local (this machine's cores), local[k], local-cluster[N, C, M]. */
    static int slots(String master) {
        Matcher lc = Pattern.compile("local-cluster\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,.*\\]").matcher(master);
        if (lc.matches()) {
            return Integer.parseInt(lc.group(1)) * Integer.parseInt(lc.group(2));
        }
        Matcher l = Pattern.compile("local\\[(\\d+)(,\\d+)?\\]").matcher(master);
        if (l.matches()) {
            return Integer.parseInt(l.group(1));
        }
        if (master.equals("local")) {
            return 1;
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static double[] doubles(JsonNode n) {
        double[] d = new double[n.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = n.get(i).asDouble();
        }
        return d;
    }

    private static double medRaw(double[] v, int from) {
        return Env.median(java.util.Arrays.copyOfRange(v, from, v.length));
    }

    private static double med(double[] v, int from) {
        return Env.round(medRaw(v, from), 3);
    }

    private static void print(List<Map<String, Object>> rows) {
        System.out.printf("%-28s %7s %6s %8s %8s %8s %9s %9s %8s %8s%n", "run", "m", "parts", "round s", "no-test",
                "pass s", "compute/s", "overhead", "test s", "driver");
        for (Map<String, Object> r : rows) {
            System.out.printf("%-28s %7s %6s %8s %8s %8s %9s %9s %8s %8s%n", r.get("label"), r.get("trainPoints"),
                    r.get("partitions"), r.get("roundSeconds"), r.get("roundSecondsWithoutTestSet"), r.get("passSeconds"),
                    r.get("partitionComputePerSlot"), r.get("sparkOverheadSeconds"),
                    r.get("validationSeconds (test set, every round)"), r.get("driverSeconds"));
        }
    }

    /** A PartitionProfile result: m, and the median CPU seconds of a round (all blocks, one thread). */
    static Map<String, Object> profilePoint(JsonNode p, String file) {
        Map<String, Object> r = Json.object("profile", file, "m", p.path("setting").path("m").asLong(),
                "loadAverage", p.path("environment").path("loadAverage").asText());
        for (JsonNode row : p.get("summary")) {
            String segment = row.get("segment").asText();
            if (segment.equals("round")) {
                r.put("roundCpuSeconds", row.get("threadCpuSeconds").asDouble());
            } else if (segment.startsWith("all partition work")) {
                r.put("partitionCpuSeconds", row.get("threadCpuSeconds").asDouble());
            } else if (segment.startsWith("driver solves")) {
                r.put("driverCpuSeconds", row.get("threadCpuSeconds").asDouble());
            }
        }
        return r;
    }

    /**
     * Round time (without the per-round test-set measurement) against m, one series per master; and,
     * when given, the CPU seconds of a round from PartitionProfile (all partition work and the driver
     * solves in one thread: what one core spends, free of the machine's load).
     */
    static void plot(List<Map<String, Object>> rows, List<Map<String, Object>> cpu, Path png) throws Exception {
        Map<String, XYSeries> series = new LinkedHashMap<>();
        if (!cpu.isEmpty()) {
            XYSeries s = new XYSeries("PartitionProfile: CPU-s per round, one thread");
            for (Map<String, Object> c : cpu) {
                s.add(((Long) c.get("m")).doubleValue(), (Double) c.get("roundCpuSeconds"));
            }
            series.put("cpu", s);
        }
        for (Map<String, Object> r : rows) {
            String key = r.get("master") + ", " + r.get("partitions") + " partitions";
            XYSeries s = series.computeIfAbsent(key, k -> new XYSeries(k));
            s.add(((Long) r.get("trainPoints")).doubleValue(), (Double) r.get("roundSecondsWithoutTestSet"));
        }
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        JFreeChart chart = ChartFactory.createXYLineChart(
                "BCD recipe round time vs training points (MNIST, n = 100)", "training points m",
                "seconds per round (median; job: wall, without the test-set pass)", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        ((org.jfree.chart.axis.NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(true);
        ((org.jfree.chart.axis.NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(true);
        Files.createDirectories(png.toAbsolutePath().getParent());
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 800, 500);
    }
}
