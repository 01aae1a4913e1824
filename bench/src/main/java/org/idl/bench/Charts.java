package org.idl.bench;

import org.idl.spark.job.report.ChartStyle;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The benchmarks' PNG figures (JFreeChart). */
final class Charts {
    static final Color BLUE = new Color(0x1f77b4);
    static final Color ORANGE = new Color(0xff7f0e);
    static final Color GREEN = new Color(0x2ca02c);
    static final Color RED = new Color(0xd62728);
    static final Color PURPLE = new Color(0x9467bd);
    static final Color GRAY = new Color(0x555555);

    private Charts() {
    }

    /** One line: y against x, solid or dashed, with or without point marks. */
    record Line(String name, double[] x, double[] y, Color color, boolean dashed, boolean marks) {
        static Line of(String name, double[] y, Color color, boolean dashed, boolean marks) {
            double[] x = new double[y.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i;
            }
            return new Line(name, x, y, color, dashed, marks);
        }
    }

    static JFreeChart lines(String title, String xLabel, String yLabel, List<Line> lines) {
        XYSeriesCollection dataset = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int s = 0; s < lines.size(); s++) {
            Line l = lines.get(s);
            XYSeries series = new XYSeries(l.name(), false, true);
            for (int i = 0; i < l.y().length; i++) {
                if (Double.isFinite(l.y()[i])) {
                    series.add(l.x()[i], l.y()[i]);
                }
            }
            dataset.addSeries(series);
            renderer.setSeriesPaint(s, l.color());
            renderer.setSeriesStroke(s, l.dashed()
                    ? new BasicStroke(2.0f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)
                    : new BasicStroke(2.0f));
            renderer.setSeriesShapesVisible(s, l.marks());
            renderer.setSeriesShape(s, new Ellipse2D.Double(-3, -3, 6, 6));
        }
        NumberAxis x = new NumberAxis(xLabel);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits()); // rounds and iterations
        NumberAxis y = new NumberAxis(yLabel);
        y.setAutoRangeIncludesZero(false);
        XYPlot plot = new XYPlot(dataset, x, y, renderer);
        plot.setSeriesRenderingOrder(org.jfree.chart.plot.SeriesRenderingOrder.FORWARD); // later lines on top
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        return style(chart, title);
    }

    /** Bars at 0, 1, ..., with values[j] for column j. */
    static JFreeChart bars(String title, String xLabel, String yLabel, double[] values, Color color) {
        XYSeries series = new XYSeries(yLabel, false, true);
        for (int j = 0; j < values.length; j++) {
            series.add(j, values[j]);
        }
        XYSeriesCollection dataset = new XYSeriesCollection(series);
        dataset.setIntervalWidth(1.0);
        XYBarRenderer renderer = new XYBarRenderer(0.15);
        renderer.setBarPainter(new StandardXYBarPainter());
        renderer.setShadowVisible(false);
        renderer.setDrawBarOutline(false);
        renderer.setSeriesPaint(0, color);
        NumberAxis x = new NumberAxis(xLabel);
        x.setRange(-0.5, values.length - 0.5);
        NumberAxis y = new NumberAxis(yLabel);
        XYPlot plot = new XYPlot(dataset, x, y, renderer);
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        return style(chart, title);
    }

    /** A log-scale range axis with the same label. */
    static void logRange(JFreeChart chart) {
        XYPlot plot = chart.getXYPlot();
        org.jfree.chart.axis.LogAxis axis = new org.jfree.chart.axis.LogAxis(plot.getRangeAxis().getLabel());
        axis.setLabelFont(plot.getRangeAxis().getLabelFont());
        axis.setTickLabelFont(plot.getRangeAxis().getTickLabelFont());
        axis.setNumberFormatOverride(new java.text.DecimalFormat("0.0##",
                java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT)));
        plot.setRangeAxis(axis);
    }

    static void save(JFreeChart chart, Path file, int width, int height) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            ChartUtils.saveChartAsPNG(file.toFile(), chart, width, height);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Two charts side by side in one PNG, each width x height. */
    static void saveSideBySide(JFreeChart left, JFreeChart right, Path file, int width, int height) {
        BufferedImage image = new BufferedImage(2 * width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        left.draw(g, new Rectangle2D.Double(0, 0, width, height));
        right.draw(g, new Rectangle2D.Double(width, 0, width, height));
        g.dispose();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (var out = Files.newOutputStream(file)) {
                ChartUtils.writeBufferedImageAsPNG(out, image);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JFreeChart style(JFreeChart chart, String title) {
        if (title != null) {
            chart.setTitle(new TextTitle(title, new Font("SansSerif", Font.PLAIN, 14)));
        }
        return ChartStyle.plain(chart);
    }
}
