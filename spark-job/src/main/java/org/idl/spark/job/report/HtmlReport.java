package org.idl.spark.job.report;

import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.model.ModelAnalysis;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.LogTick;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.GrayPaintScale;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The HTML training report: one self-contained UTF-8 page (no scripts, no external resources) with
 * the run's key figures and five JFreeChart charts embedded as base64 PNG data URIs: the relaxed
 * objective, the train/test metric and the seconds per round, the column norms of B (the paper's
 * figure 2: features whose column of (B; D) is zero are ignored by the model) and the sparsity pattern of A.
 */
public final class HtmlReport {
    static {
        // Before any AWT class loads: executors and drivers have no display.
        System.setProperty("java.awt.headless", "true");
    }

    private static final int WIDTH = 720;
    private static final int HEIGHT = 360;
    private static final int SQUARE = 560;
    /** Ignored features are listed by index in the caption up to this many. */
    private static final int LIST_LIMIT = 30;

    private static final Color BLUE = new Color(0x1f, 0x77, 0xb4);
    private static final Color ORANGE = new Color(0xff, 0x7f, 0x0e);
    private static final Color RED = new Color(0xd6, 0x27, 0x28);

    private HtmlReport() {
    }

    /** The report page, UTF-8 encoded. */
    public static byte[] render(ReportData data) {
        ImplicitModel model = data.model();
        StringBuilder html = new StringBuilder(1 << 16);
        head(html, data.title(), model, data.facts());

        double[] objective = data.objectiveHistory();
        figure(html, "Relaxed objective", objectiveChart(objective), WIDTH, HEIGHT,
                "Relaxed training objective after each round"
                        + (positive(objective) ? " (logarithmic scale)" : "") + lastValue(objective) + ".");

        String metric = metricLabel(data.metricName());
        figure(html, capitalize(metric), metricChart(data), WIDTH, HEIGHT,
                metricCaption(data, metric));

        double[] seconds = data.roundSeconds();
        figure(html, "Time per round", secondsChart(seconds), WIDTH, HEIGHT, secondsCaption(seconds));

        double[] norms = columnNorms(model);
        List<Integer> ignored = ModelAnalysis.ignoredInputs(model);
        figure(html, "Input features: column norms of B", columnNormChart(norms, ignored), WIDTH, HEIGHT,
                ignoredCaption(norms.length, ignored));

        Matrix a = model.a();
        long nonzeros = ModelAnalysis.nonzeros(a);
        figure(html, "Sparsity pattern of A", sparsityChart(a), SQUARE, SQUARE, sparsityCaption(a.rows(), nonzeros));

        html.append("</body>\n</html>\n");
        return html.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The page of {@code idl certify}: clean, certified and attacked accuracy against the input radius,
     * with the model's description and the run's facts.
     */
    public static byte[] renderCertification(ImplicitModel model, Map<String, String> facts, double[] radii,
                                             double[] clean, double[] certified, double[] attacked) {
        StringBuilder html = new StringBuilder(1 << 14);
        head(html, "idl certification report", model, facts);
        XYSeriesCollection dataset = new XYSeriesCollection();
        String[] names = {"clean", "attacked", "certified"};
        double[][] values = {clean, attacked, certified};
        for (int s = 0; s < names.length; s++) {
            XYSeries series = new XYSeries(names[s], false, true);
            for (int i = 0; i < radii.length; i++) {
                series.add(radii[i], 100 * values[s][i]);
            }
            dataset.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(null, "input radius (raw feature units)", "accuracy %",
                dataset, PlotOrientation.VERTICAL, true, false, false);
        chart.getXYPlot().setRenderer(lines(BLUE, ORANGE, RED));
        style(chart);
        // style() counts rounds on the x axis; radii are fractions.
        ((NumberAxis) chart.getXYPlot().getDomainAxis()).setStandardTickUnits(NumberAxis.createStandardTickUnits());
        figure(html, "Accuracy against the input radius", chart, WIDTH, HEIGHT,
                "Clean accuracy; accuracy after the attack (an upper bound on the robust accuracy); certified"
                        + " accuracy (a lower bound: correct, and no input within the radius changes the prediction).");
        html.append("<section>\n<h2>Figures</h2>\n<table class=\"facts\">\n<tr><th>radius</th><th>clean</th>"
                + "<th>certified</th><th>attacked</th></tr>\n");
        for (int i = 0; i < radii.length; i++) {
            html.append("<tr><td>").append(radii[i]).append("</td><td>").append(percent(clean[i]))
                    .append("</td><td>").append(percent(certified[i])).append("</td><td>").append(percent(attacked[i]))
                    .append("</td></tr>\n");
        }
        html.append("</table>\n</section>\n</body>\n</html>\n");
        return html.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String percent(double share) {
        return String.format(java.util.Locale.ROOT, "%.2f%%", 100 * share);
    }

    // ---- charts ------------------------------------------------------------------------------

    static JFreeChart objectiveChart(double[] objective) {
        XYSeriesCollection dataset = new XYSeriesCollection(series("relaxed objective", objective));
        JFreeChart chart = ChartFactory.createXYLineChart(null, "round", "relaxed objective", dataset,
                PlotOrientation.VERTICAL, false, false, false);
        XYPlot plot = chart.getXYPlot();
        if (positive(objective)) {
            LogAxis axis = new RoundLogAxis("relaxed objective (log scale)");
            double min = Double.POSITIVE_INFINITY;
            double max = 0;
            for (double v : objective) {
                if (Double.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
            axis.setLabelFont(plot.getRangeAxis().getLabelFont()); // keep the theme's fonts
            axis.setTickLabelFont(plot.getRangeAxis().getTickLabelFont());
            plot.setRangeAxis(axis);
            if (max < 1.05 * min) { // (nearly) constant: show it against a factor of two either way
                axis.setRange(min / 2, max * 2);
            }
        } else {
            ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        }
        plot.setRenderer(lines(BLUE));
        return style(chart);
    }

    static JFreeChart metricChart(ReportData data) {
        String metric = metricLabel(data.metricName());
        XYSeriesCollection dataset = new XYSeriesCollection(series("train", data.trainMetricHistory()));
        boolean test = data.testMetricHistory() != null;
        if (test) {
            dataset.addSeries(series("test", data.testMetricHistory()));
        }
        JFreeChart chart = ChartFactory.createXYLineChart(null, "round", metric, dataset,
                PlotOrientation.VERTICAL, test, false, false);
        XYPlot plot = chart.getXYPlot();
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        plot.setRenderer(lines(BLUE, ORANGE));
        return style(chart);
    }

    static JFreeChart secondsChart(double[] seconds) {
        XYSeriesCollection dataset = new XYSeriesCollection(series("seconds", seconds));
        JFreeChart chart = ChartFactory.createXYBarChart(null, "round", false, "seconds", dataset,
                PlotOrientation.VERTICAL, false, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setRenderer(bars(BLUE, 0.2));
        style(chart);
        plot.getDomainAxis().setRange(0.5, Math.max(seconds.length, 1) + 0.5);
        return chart;
    }

    static JFreeChart columnNormChart(double[] norms, List<Integer> ignored) {
        XYSeries bars = new XYSeries("L2 norm of the column of B", false, true);
        for (int j = 0; j < norms.length; j++) {
            bars.add(j, norms[j]);
        }
        XYSeriesCollection dataset = new XYSeriesCollection(bars);
        dataset.setIntervalWidth(1.0);
        boolean anyIgnored = !ignored.isEmpty();
        JFreeChart chart = ChartFactory.createXYBarChart(null, "input feature (from 0)", false,
                "column norm of B", dataset, PlotOrientation.VERTICAL, anyIgnored, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setRenderer(bars(BLUE, norms.length > 100 ? 0.0 : 0.2));
        if (anyIgnored) {
            // Zero bars are invisible: mark the ignored features on the axis instead.
            XYSeries zero = new XYSeries("zero column: feature ignored", false, true);
            for (int j : ignored) {
                zero.add(j, 0.0);
            }
            XYLineAndShapeRenderer marks = new XYLineAndShapeRenderer(false, true);
            marks.setSeriesPaint(0, RED);
            marks.setSeriesShape(0, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
            plot.setDataset(1, new XYSeriesCollection(zero));
            plot.setRenderer(1, marks);
        }
        NumberAxis x = (NumberAxis) plot.getDomainAxis();
        x.setRange(-0.5, Math.max(norms.length, 1) - 0.5);
        return style(chart);
    }

    /**
     * The nonzero pattern of A as an n x n heat map: block (j, i) is A's entry in row i, column j,
     * drawn dark when {@code A_ij != 0} (as {@link ModelAnalysis} counts). Only the nonzeros are in the dataset (value 0, black on
     * the gray scale), so the background shows the zeros and the cost is the number of nonzeros.
     */
    static JFreeChart sparsityChart(Matrix a) {
        int n = a.rows();
        long count = ModelAnalysis.nonzeros(a);
        int k = (int) count;
        double[][] xyz = new double[3][k];
        int item = 0;
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                if (a.get(i, j) != 0) {
                    xyz[0][item] = j;
                    xyz[1][item] = i;
                    xyz[2][item] = 0.0;
                    item++;
                }
            }
        }
        DefaultXYZDataset dataset = new DefaultXYZDataset();
        dataset.addSeries("nonzero", xyz);
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setPaintScale(new GrayPaintScale(0.0, 1.0)); // 0 = nonzero = black, 1 = white
        renderer.setBlockWidth(1.0);
        renderer.setBlockHeight(1.0);
        NumberAxis x = new NumberAxis("column j");
        NumberAxis y = new NumberAxis("row i");
        double hi = Math.max(n, 1) - 0.5;
        for (NumberAxis axis : new NumberAxis[] {x, y}) {
            axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
            axis.setAutoRange(false);
            axis.setRange(-0.5, hi);
            axis.setLowerMargin(0.0);
            axis.setUpperMargin(0.0);
        }
        y.setInverted(true); // row 0 at the top, as a matrix is written
        XYPlot plot = new XYPlot(dataset, x, y, renderer);
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        style(chart);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        plot.setOutlineVisible(true); // the matrix's border, where zeros meet the edge
        plot.setOutlinePaint(Color.GRAY);
        return chart;
    }

    // ---- chart helpers -----------------------------------------------------------------------

    /** Values by round (1-based); non-finite values are left out. */
    private static XYSeries series(String key, double[] values) {
        XYSeries s = new XYSeries(key, false, true);
        for (int k = 0; k < values.length; k++) {
            if (Double.isFinite(values[k])) {
                s.add(k + 1, values[k]);
            }
        }
        return s;
    }

    private static XYLineAndShapeRenderer lines(Color... colors) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int s = 0; s < colors.length; s++) {
            r.setSeriesPaint(s, colors[s]);
            r.setSeriesStroke(s, new BasicStroke(2.0f));
            r.setSeriesShape(s, new Ellipse2D.Double(-2.5, -2.5, 5, 5));
        }
        return r;
    }

    private static XYBarRenderer bars(Color color, double margin) {
        XYBarRenderer r = new XYBarRenderer(margin);
        r.setBarPainter(new StandardXYBarPainter());
        r.setShadowVisible(false);
        r.setDrawBarOutline(false);
        r.setSeriesPaint(0, color);
        return r;
    }

    private static JFreeChart style(JFreeChart chart) {
        ChartStyle.plain(chart);
        XYPlot plot = chart.getXYPlot();
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
        if (plot.getDomainAxis() instanceof NumberAxis x) {
            x.setStandardTickUnits(NumberAxis.createIntegerTickUnits()); // rounds and features
        }
        return chart;
    }

    /**
     * A log axis with ticks at round numbers: every decade over wide spans, 1-2-5 over one to three
     * decades, evenly spaced round values below one decade (where powers of ten are too sparse).
     */
    static final class RoundLogAxis extends LogAxis {
        private static final long serialVersionUID = 1L;

        RoundLogAxis(String label) {
            super(label);
            setNumberFormatOverride(new SignificantFormat());
        }

        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        protected List refreshTicksVertical(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
            g2.setFont(getTickLabelFont());
            TextAnchor anchor = edge == RectangleEdge.RIGHT ? TextAnchor.CENTER_LEFT : TextAnchor.CENTER_RIGHT;
            List ticks = new ArrayList();
            for (double v : tickValues(getLowerBound(), getUpperBound())) {
                ticks.add(new LogTick(TickType.MAJOR, v, createTickLabel(v), anchor));
            }
            return ticks;
        }
    }

    /** Round tick values in [lo, hi], 0 < lo < hi; see {@link RoundLogAxis}. */
    static List<Double> tickValues(double lo, double hi) {
        List<Double> values = new ArrayList<>();
        if (!(lo > 0) || !(hi > lo) || !Double.isFinite(hi)) {
            return values;
        }
        double decades = Math.log10(hi / lo);
        if (decades >= 1) {
            double[] mantissas = decades >= 3 ? new double[] {1} : new double[] {1, 2, 5};
            int every = (int) Math.ceil(decades / 8); // at most about eight decade labels
            int first = (int) Math.floor(Math.log10(lo));
            int last = (int) Math.ceil(Math.log10(hi));
            for (int k = first; k <= last; k++) {
                if (Math.floorMod(k, every) != 0) {
                    continue;
                }
                for (double m : mantissas) {
                    double v = m * Math.pow(10, k);
                    if (v >= lo && v <= hi) {
                        values.add(v);
                    }
                }
            }
        } else {
            double raw = (hi - lo) / 6;
            double power = Math.pow(10, Math.floor(Math.log10(raw)));
            double step = 10 * power;
            for (double m : new double[] {1, 2, 2.5, 5}) {
                if (m * power >= raw) {
                    step = m * power;
                    break;
                }
            }
            for (long i = (long) Math.ceil(lo / step); i * step <= hi; i++) {
                values.add(i * step);
            }
        }
        return values;
    }

    /** Up to six significant digits, plain unless very small or large: {@code 0.05}, {@code 1.025}, {@code 1E-6}. */
    static final class SignificantFormat extends NumberFormat {
        private static final long serialVersionUID = 1L;

        @Override
        public StringBuffer format(double v, StringBuffer out, FieldPosition pos) {
            double abs = Math.abs(v);
            if (!Double.isFinite(v) || v == 0) {
                return out.append(v == 0 ? "0" : String.valueOf(v));
            }
            if (abs >= 1e-4 && abs < 1e5) {
                return out.append(new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString());
            }
            return out.append(HtmlReport.format("0.##E0").format(v));
        }

        @Override
        public StringBuffer format(long v, StringBuffer out, FieldPosition pos) {
            return format((double) v, out, pos);
        }

        @Override
        public Number parse(String source, ParsePosition pos) {
            throw new UnsupportedOperationException("format only");
        }
    }

    private static String png(JFreeChart chart, int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, width, height);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    // ---- figures of the model ----------------------------------------------------------------

    /** The L2 norm of each input feature's column of B, the bias column excluded. */
    static double[] columnNorms(ImplicitModel model) {
        Matrix b = model.b();
        double[] norms = new double[model.inputs()];
        for (int j = 0; j < norms.length; j++) {
            double sum = 0;
            for (int i = 0; i < b.rows(); i++) {
                double v = b.get(i, j);
                sum += v * v;
            }
            norms[j] = Math.sqrt(sum);
        }
        return norms;
    }

    // ---- text --------------------------------------------------------------------------------

    private static String describe(ImplicitModel m) {
        return "Implicit model (" + m.activation() + "): n = " + m.hidden() + " hidden units, p = " + m.inputs()
                + " input features" + (m.bias() ? " plus a bias" : "") + ", q = " + m.outputs() + " output"
                + (m.outputs() == 1 ? "" : "s") + ".";
    }

    /** The page up to its first figure: the title, the model's description and the facts. */
    private static void head(StringBuilder html, String title, ImplicitModel model, Map<String, String> facts) {
        String t = escape(title);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(t).append("</title>\n")
                .append("<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n<header>\n")
                .append("<h1>").append(t).append("</h1>\n")
                .append("<p class=\"model\">").append(escape(describe(model))).append("</p>\n");
        factsTable(html, facts);
        html.append("</header>\n");
    }

    private static void factsTable(StringBuilder html, Map<String, String> facts) {
        if (facts.isEmpty()) {
            return;
        }
        html.append("<table class=\"facts\">\n");
        for (Map.Entry<String, String> e : facts.entrySet()) {
            html.append("<tr><th scope=\"row\">").append(escape(e.getKey())).append("</th><td>")
                    .append(escape(e.getValue())).append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    private static void figure(StringBuilder html, String heading, JFreeChart chart, int width, int height,
                               String caption) {
        html.append("<section>\n<h2>").append(escape(heading)).append("</h2>\n<figure>\n")
                .append("<img src=\"data:image/png;base64,").append(png(chart, width, height))
                .append("\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" alt=\"").append(escape(heading)).append("\">\n")
                .append("<figcaption>").append(escape(caption)).append("</figcaption>\n</figure>\n</section>\n");
    }

    static String ignoredCaption(int features, List<Integer> ignored) {
        StringBuilder s = new StringBuilder();
        s.append(ignored.size()).append(" of ").append(features).append(" input features have a zero column in (B; D)")
                .append(ignored.isEmpty() ? "; the model uses every feature." : " and are ignored by the model");
        if (!ignored.isEmpty()) {
            if (ignored.size() <= LIST_LIMIT) {
                s.append(" (features ").append(ignored.stream().map(String::valueOf).collect(Collectors.joining(", ")))
                        .append(", counted from 0).");
            } else {
                s.append(" (marked in red on the axis).");
            }
        }
        s.append(" Bar height: the L2 norm of the feature's column of B, the bias column excluded.");
        return s.toString();
    }

    static String sparsityCaption(int n, long nonzeros) {
        long entries = (long) n * n;
        double share = entries == 0 ? 0.0 : 100.0 * nonzeros / entries;
        return nonzeros + " of " + entries + " entries of A are nonzero (" + format("0.0").format(share)
                + "%); dark cells are entries with |A_ij| > 1e-12, row i from the top, column j from the left.";
    }

    private static String metricCaption(ReportData data, String metric) {
        StringBuilder s = new StringBuilder("Training");
        if (data.testMetricHistory() != null) {
            s.append(" and test");
        }
        s.append(' ').append(metric).append(" after each round");
        double[] train = data.trainMetricHistory();
        if (train.length > 0) {
            s.append("; final train ").append(number(train[train.length - 1]));
        }
        double[] test = data.testMetricHistory();
        if (test != null && test.length > 0) {
            s.append(", final test ").append(number(test[test.length - 1]));
        }
        return s.append('.').toString();
    }

    private static String secondsCaption(double[] seconds) {
        double total = 0;
        int counted = 0;
        for (double v : seconds) {
            if (Double.isFinite(v)) {
                total += v;
                counted++;
            }
        }
        if (counted == 0) {
            return "Wall-clock seconds per round: no rounds recorded.";
        }
        return "Wall-clock seconds per round: " + counted + " rounds, " + number(total) + " s in total, "
                + number(total / counted) + " s on average.";
    }

    private static String lastValue(double[] values) {
        return values.length == 0 ? "" : "; final value " + number(values[values.length - 1]);
    }

    private static String metricLabel(String metricName) {
        return metricName.equalsIgnoreCase("rmse") ? "RMSE" : metricName;
    }

    private static String capitalize(String s) {
        return s.isEmpty() || Character.isUpperCase(s.charAt(0)) ? s
                : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** True when there is at least one finite value and every finite value is positive. */
    private static boolean positive(double[] values) {
        boolean any = false;
        for (double v : values) {
            if (Double.isFinite(v)) {
                if (v <= 0) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }

    private static String number(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        double abs = Math.abs(v);
        return (abs != 0 && (abs < 1e-3 || abs >= 1e6) ? format("0.###E0") : format("0.####")).format(v);
    }

    private static DecimalFormat format(String pattern) {
        return new DecimalFormat(pattern, DecimalFormatSymbols.getInstance(Locale.ROOT));
    }

    /** Escapes text for HTML element content and double- or single-quoted attribute values. */
    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static final String STYLE = """
            body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
                   color: #222; max-width: 780px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
            h1 { font-size: 1.6em; margin-bottom: 0.2em; }
            h2 { font-size: 1.15em; margin: 1.8em 0 0.4em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
            p.model { color: #555; margin-top: 0; }
            table.facts { border-collapse: collapse; margin: 1em 0; }
            table.facts th, table.facts td { padding: 0.25em 1em 0.25em 0; border-bottom: 1px solid #eee;
                   text-align: left; vertical-align: top; }
            table.facts th { font-weight: 600; color: #444; }
            table.facts td { font-variant-numeric: tabular-nums; }
            figure { margin: 0; }
            img { max-width: 100%; height: auto; display: block; }
            figcaption { color: #555; font-size: 0.92em; margin-top: 0.3em; }
            """;
}
