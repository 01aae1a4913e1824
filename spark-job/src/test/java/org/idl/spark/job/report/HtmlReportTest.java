package org.idl.spark.job.report;

import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.ImplicitModel;
import org.idl.model.ModelAnalysis;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HtmlReportTest {
    private static final Pattern IMAGE = Pattern.compile("<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");

    /** n = 6, p = 5 with a bias; features 1 and 3 have all-zero columns in B and D; A has 5 nonzeros. */
    static ImplicitModel model() {
        int n = 6;
        int p = 5;
        Matrix a = Matrix.zeros(n, n);
        a.set(0, 1, 0.3);
        a.set(0, 4, -0.2);
        a.set(1, 2, 0.5);
        a.set(2, 5, 0.1);
        a.set(3, 5, -0.4);
        Matrix b = Matrix.zeros(n, p + 1);
        for (int i = 0; i < n; i++) {
            b.set(i, 0, 0.5 + 0.1 * i);
            b.set(i, 2, i % 2 == 0 ? -0.3 : 0.0);
            b.set(i, 4, 0.05 * (i + 1));
            b.set(i, p, 1.0); // bias
        }
        Matrix c = Matrix.zeros(1, n);
        for (int i = 0; i < n; i++) {
            c.set(0, i, 1.0 / (i + 1));
        }
        Matrix d = Matrix.zeros(1, p + 1);
        d.set(0, 0, 0.2);
        return new ImplicitModel(a, b, c, d, Activation.RELU, true);
    }

    static ReportData data(String title, boolean withTest) {
        int rounds = 10;
        double[] objective = new double[rounds];
        double[] train = new double[rounds];
        double[] test = new double[rounds];
        double[] seconds = new double[rounds];
        for (int k = 0; k < rounds; k++) {
            objective[k] = 2.5 * Math.exp(-0.45 * k) + 0.01;
            train[k] = 0.97 - 0.5 * Math.exp(-0.6 * k);
            test[k] = train[k] - 0.02;
            seconds[k] = 3.0 + 0.4 * Math.sin(k) + (k == 0 ? 2.0 : 0.0);
        }
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("test accuracy", "0.9512");
        facts.put("training seconds", "31.7");
        facts.put("rounds", "10");
        facts.put("||A||_inf", "0.7 < 0.95 = kappa");
        return new ReportData(title, objective, train, withTest ? test : null, "accuracy", seconds, model(), facts);
    }

    private static List<BufferedImage> images(String html) throws IOException {
        List<BufferedImage> images = new ArrayList<>();
        Matcher m = IMAGE.matcher(html);
        while (m.find()) {
            byte[] png = Base64.getDecoder().decode(m.group(1));
            assertEquals((byte) 0x89, png[0], "PNG signature");
            assertEquals('P', png[1]);
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertNotNull(image, "image " + images.size() + " decodes");
            images.add(image);
        }
        return images;
    }

    @Test
    void rendersASelfContainedPageWithFiveCharts() throws IOException {
        byte[] bytes = HtmlReport.render(data("MNIST run <script>alert('x')</script> & co", true));
        String html = new String(bytes, StandardCharsets.UTF_8);
        List<BufferedImage> images = images(html);
        // For a person to look at: the page and its charts.
        Path dir = Path.of("target", "html-report");
        Files.createDirectories(dir);
        Files.write(dir.resolve("report.html"), bytes);
        for (int k = 0; k < images.size(); k++) {
            ImageIO.write(images.get(k), "png", dir.resolve("chart-" + (k + 1) + ".png").toFile());
        }

        assertTrue(html.startsWith("<!DOCTYPE html>"), html.substring(0, 40));
        assertTrue(html.contains("<meta charset=\"utf-8\">"));
        assertTrue(html.stripTrailing().endsWith("</html>"));
        assertEquals(count(html, "<section>"), count(html, "</section>"));
        assertEquals(count(html, "<figure>"), count(html, "</figure>"));
        assertFalse(html.contains("<script"), "no scripts, and the title is escaped");
        assertFalse(html.contains("http://") || html.contains("https://") || html.contains("src=\"/"),
                "no external resources");

        assertEquals(5, images.size());
        assertEquals(5, count(html, "<img src=\"data:image/png;base64,"));
        for (BufferedImage image : images) {
            assertTrue(image.getWidth() > 100 && image.getHeight() > 100, image.getWidth() + "x" + image.getHeight());
        }
        assertEquals(720, images.get(0).getWidth());
        assertEquals(360, images.get(0).getHeight());

        assertTrue(html.contains("<title>MNIST run &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co</title>"));
        assertTrue(html.contains("<h1>MNIST run &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co</h1>"));

        assertTrue(html.contains("<th scope=\"row\">test accuracy</th><td>0.9512</td>"));
        assertTrue(html.contains("<th scope=\"row\">training seconds</th><td>31.7</td>"));
        assertTrue(html.contains("<th scope=\"row\">||A||_inf</th><td>0.7 &lt; 0.95 = kappa</td>"));
        assertTrue(html.indexOf("test accuracy") < html.indexOf("training seconds"), "facts keep their order");

        assertTrue(html.contains("n = 6 hidden units, p = 5 input features plus a bias, q = 1 output."));
        assertTrue(html.contains("2 of 5 input features have a zero column in (B; D) and are ignored by the model"
                + " (features 1, 3, counted from 0)."), "caption of the B norms");
        assertTrue(html.contains("5 of 36 entries of A are nonzero (13.9%)"), "caption of the sparsity of A");
        assertTrue(html.contains("(logarithmic scale)"));
        assertTrue(html.contains("final train 0.9677, final test 0.9477"));
        assertTrue(html.contains("10 rounds, "));

    }

    @Test
    void withoutTestHistoryOrPositiveObjectiveOrRounds() throws IOException {
        ReportData d = data("plain", false);
        double[] objective = d.objectiveHistory();
        objective[3] = 0.0;
        objective[4] = Double.NaN;
        ReportData mixed = new ReportData("regression", objective, d.trainMetricHistory(), null, "rmse",
                d.roundSeconds(), d.model(), Map.of());
        String html = new String(HtmlReport.render(mixed), StandardCharsets.UTF_8);
        assertEquals(5, images(html).size());
        assertFalse(html.contains("(logarithmic scale)"));
        assertFalse(html.contains("class=\"facts\""), "no facts, no table");
        assertTrue(html.contains("<h2>RMSE</h2>"));
        assertTrue(html.contains("Training RMSE after each round"));

        ReportData empty = new ReportData(null, null, new double[0], null, "accuracy", null, d.model(), null);
        String blank = new String(HtmlReport.render(empty), StandardCharsets.UTF_8);
        assertEquals(5, images(blank).size());
        assertTrue(blank.contains("no rounds recorded"));
    }

    @Test
    void columnNormsExcludeTheBiasAndFindTheIgnoredFeatures() {
        ImplicitModel m = model();
        double[] norms = HtmlReport.columnNorms(m);
        assertEquals(5, norms.length);
        assertEquals(0.0, norms[1]);
        assertEquals(0.0, norms[3]);
        assertEquals(Math.sqrt(3 * 0.09), norms[2], 1e-12);
        assertEquals(List.of(1, 3), ModelAnalysis.ignoredInputs(m));
        assertEquals(5, ModelAnalysis.nonzeros(m.a()));

        ImplicitModel noBias = new ImplicitModel(m.a(), m.b().columns(0, 5), m.c(), m.d().columns(0, 5),
                Activation.RELU, false);
        assertArrayEquals(norms, HtmlReport.columnNorms(noBias), 0.0);
        assertTrue(HtmlReport.ignoredCaption(5, List.of()).startsWith("0 of 5 input features"));
    }

    @Test
    void largeModel() throws IOException {
        int n = 300;
        int p = 784;
        java.util.Random random = new java.util.Random(7);
        Matrix a = Matrix.zeros(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (random.nextDouble() < 0.05) {
                    a.set(i, j, random.nextGaussian() * 0.01);
                }
            }
        }
        Matrix b = Matrix.zeros(n, p + 1);
        int used = 0;
        for (int j = 0; j <= p; j++) {
            boolean bias = j == p;
            int row = j / 28;
            int col = j % 28;
            boolean centre = row >= 4 && row < 24 && col >= 4 && col < 24; // MNIST-like: borders unused
            if (bias || centre) {
                used += bias ? 0 : 1;
                for (int i = 0; i < n; i++) {
                    b.set(i, j, random.nextGaussian() * 0.1);
                }
            }
        }
        Matrix dm = Matrix.gaussian(10, p + 1, 0.1, random);
        for (int j = 0; j < p; j++) {
            if (b.get(0, j) == 0) {
                for (int i = 0; i < dm.rows(); i++) {
                    dm.set(i, j, 0); // the column-group penalty (19) zeroes B's and D's columns together
                }
            }
        }
        ImplicitModel model = new ImplicitModel(a, b, Matrix.gaussian(10, n, 0.1, random), dm, Activation.RELU, true);
        ReportData d = data("large", true);
        long start = System.nanoTime();
        byte[] bytes = HtmlReport.render(new ReportData("large", d.objectiveHistory(), d.trainMetricHistory(),
                d.testMetricHistory(), "accuracy", d.roundSeconds(), model, d.facts()));
        double seconds = (System.nanoTime() - start) / 1e9;
        String html = new String(bytes, StandardCharsets.UTF_8);
        List<BufferedImage> images = images(html);
        assertEquals(5, images.size());
        assertTrue(html.contains((p - used) + " of 784 input features have a zero column in (B; D)"), html);
        assertTrue(seconds < 30, seconds + " s");
        Path dir = Path.of("target", "html-report");
        Files.createDirectories(dir);
        Files.write(dir.resolve("large.html"), bytes);
        ImageIO.write(images.get(3), "png", dir.resolve("large-b-norms.png").toFile());
        ImageIO.write(images.get(4), "png", dir.resolve("large-a-sparsity.png").toFile());
        System.out.println("large report rendered in " + seconds + " s, " + bytes.length + " bytes");
    }

    @Test
    void escapesMarkup() {
        assertEquals("&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;",
                HtmlReport.escape("<a href=\"x\">O'Neil & co</a>"));
        assertEquals("", HtmlReport.escape(null));
    }

    @Test
    void logAxisLabelsAreShortNumbers() throws IOException {
        HtmlReport.SignificantFormat f = new HtmlReport.SignificantFormat();
        assertEquals("2.51189", f.format(2.51188643));
        assertEquals("0.3", f.format(0.1 + 0.2));
        assertEquals("1.025", f.format(1.025));
        assertEquals("1000", f.format(1000.0));
        assertEquals("1E-6", f.format(1e-6));
        assertEquals("0", f.format(0.0));

        assertTicks(new double[] {1e-6, 1e-4, 1e-2, 1, 100}, 5e-7, 200); // every other decade
        assertTicks(new double[] {0.05, 0.1, 0.2, 0.5, 1, 2}, 0.04, 2.8);
        assertTicks(new double[] {1, 1.1, 1.2, 1.3}, 0.98, 1.32);
        assertTicks(new double[] {0.4, 0.6, 0.8, 1}, 0.3, 1.05);
        assertTrue(HtmlReport.tickValues(1.0, 1.0).isEmpty());

        // Objectives spanning eight decades, a tenth of one, and none: all render.
        double[] wide = new double[30];
        double[] narrow = new double[30];
        double[] constant = new double[30];
        for (int k = 0; k < wide.length; k++) {
            wide[k] = 100 * Math.pow(10, -8.0 * k / 29);
            narrow[k] = 1.3 - 0.01 * k;
            constant[k] = 0.42;
        }
        Path dir = Path.of("target", "html-report");
        Files.createDirectories(dir);
        for (Map.Entry<String, double[]> e : Map.of("wide", wide, "narrow", narrow, "constant", constant).entrySet()) {
            BufferedImage image = HtmlReport.objectiveChart(e.getValue()).createBufferedImage(720, 360);
            ImageIO.write(image, "png", dir.resolve("objective-" + e.getKey() + ".png").toFile());
        }
    }

    private static void assertTicks(double[] expected, double lo, double hi) {
        double[] actual = HtmlReport.tickValues(lo, hi).stream().mapToDouble(Double::doubleValue).toArray();
        assertEquals(expected.length, actual.length, java.util.Arrays.toString(actual));
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k], actual[k], 1e-9 * expected[k]);
        }
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }
}
