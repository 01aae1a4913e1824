package org.idl.data;

import org.idl.linalg.Matrix;

import java.io.Serializable;

/** Per-feature centring and scaling fitted on training data; constant features are only centred. */
public record Standardizer(double[] mean, double[] scale) implements Serializable {

    public static Standardizer fit(Matrix features) {
        int p = features.rows();
        int m = features.cols();
        if (m == 0) {
            throw new IllegalArgumentException("cannot fit a standardizer on 0 data points");
        }
        double[] mean = new double[p];
        double[] sq = new double[p];
        double[] d = features.data();
        for (int c = 0; c < m; c++) {
            for (int i = 0; i < p; i++) {
                mean[i] += d[i + c * p];
            }
        }
        for (int i = 0; i < p; i++) {
            mean[i] /= m;
        }
        for (int c = 0; c < m; c++) {
            for (int i = 0; i < p; i++) {
                double v = d[i + c * p] - mean[i];
                sq[i] += v * v;
            }
        }
        double[] scale = new double[p];
        for (int i = 0; i < p; i++) {
            double std = Math.sqrt(sq[i] / m);
            scale[i] = std > 0 ? 1.0 / std : 1.0;
        }
        return new Standardizer(mean, scale);
    }

    public Matrix apply(Matrix features) {
        int p = mean.length;
        if (features.rows() != p) {
            throw new IllegalArgumentException("standardizer fitted on " + p + " features, got " + features.rows());
        }
        Matrix out = features.copy();
        double[] d = out.data();
        for (int k = 0; k < d.length; k++) {
            int i = k % p;
            d[k] = (d[k] - mean[i]) * scale[i];
        }
        return out;
    }
}
