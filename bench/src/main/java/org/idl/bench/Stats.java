package org.idl.bench;

import java.util.Locale;

/** Mean and sample standard deviation, and the number formats of the tables. */
final class Stats {
    private Stats() {
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** Sample standard deviation (n - 1); 0 for a single value. */
    static double std(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }

    static double[] minus(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    /** Mean over trials (rows) of each column. */
    static double[] columnMeans(double[][] rows) {
        double[] m = new double[rows[0].length];
        for (double[] r : rows) {
            for (int k = 0; k < m.length; k++) {
                m[k] += r[k] / rows.length;
            }
        }
        return m;
    }

    static String sci(double v) {
        return String.format(Locale.ROOT, "%.2e", v);
    }

    static String fixed(double v, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    static String meanStd(double[] v, boolean scientific) {
        return scientific ? sci(mean(v)) + " ± " + sci(std(v))
                : fixed(mean(v), 4) + " ± " + fixed(std(v), 4);
    }
}
