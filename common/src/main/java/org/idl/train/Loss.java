package org.idl.train;

import org.idl.linalg.Checks;
import org.idl.linalg.Matrix;

import java.util.Locale;

/**
 * Losses {@code L(Y, Yhat)}, summed over columns (callers average per sample). Each knows a bound on
 * the curvature of its gradient in Yhat, which the P-step's step size and the readout's
 * majorise-minimise step use: 1 for the squared loss, 1/2 for softmax cross-entropy (Bohning's
 * bound on the Hessian of log-sum-exp).
 */
public enum Loss {
    /** {@code 1/2 ||Y - Yhat||_F^2}. */
    SQUARED {
        @Override
        void columnValues(int q, double[] yd, double[] hd, double[] gd, double[] values) {
            for (int k = 0; k < yd.length; k++) {
                double r = hd[k] - yd[k];
                values[k / q] += 0.5 * r * r;
                if (gd != null) {
                    gd[k] = r;
                }
            }
        }

        @Override
        public double curvature() {
            return 1.0;
        }
    },
    /** Softmax cross-entropy (4): {@code sum_j logsumexp(yhat_j) - y_j . yhat_j}, for columns of Y summing to 1. */
    SOFTMAX_CROSS_ENTROPY {
        @Override
        void columnValues(int q, double[] yd, double[] hd, double[] gd, double[] values) {
            for (int c = 0; c < values.length; c++) {
                double total = 0;
                int o = c * q;
                double max = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < q; i++) {
                    max = Math.max(max, hd[o + i]);
                }
                double sum = 0;
                for (int i = 0; i < q; i++) {
                    sum += Math.exp(hd[o + i] - max);
                }
                double lse = max + Math.log(sum);
                double mass = 0;
                for (int i = 0; i < q; i++) {
                    total -= yd[o + i] * hd[o + i];
                    mass += yd[o + i];
                    if (gd != null) {
                        gd[o + i] = Math.exp(hd[o + i] - lse) - yd[o + i];
                    }
                }
                values[c] = total + mass * lse;
            }
        }

        @Override
        public double curvature() {
            return 0.5;
        }
    };

    /** The loss of each column; when {@code gradient} is not null it receives dL/dYhat. */
    public double[] columnValues(Matrix y, Matrix yhat, Matrix gradient) {
        Checks.sameShape("Y", y, "Yhat", yhat);
        double[] values = new double[y.cols()];
        columnValues(y.rows(), y.data(), yhat.data(), gradient == null ? null : gradient.data(), values);
        return values;
    }

    /** The loss of each of the {@code values.length} columns of q rows, column-major; {@code gd} may be null. */
    abstract void columnValues(int q, double[] yd, double[] hd, double[] gd, double[] values);

    /** The loss summed over columns; when {@code gradient} is not null it receives dL/dYhat. */
    public double valueAndGradient(Matrix y, Matrix yhat, Matrix gradient) {
        double total = 0;
        for (double v : columnValues(y, yhat, gradient)) {
            total += v;
        }
        return total;
    }

    public double value(Matrix y, Matrix yhat) {
        return valueAndGradient(y, yhat, null);
    }

    /**
     * {@code sum_j w_j L_j}, and when {@code gradient} is not null its gradient (column j of dL/dYhat
     * times w_j); {@code weights} null: every column counts once.
     */
    public double weightedValueAndGradient(Matrix y, Matrix yhat, Matrix gradient, double[] weights) {
        if (weights == null) {
            return valueAndGradient(y, yhat, gradient);
        }
        double[] values = columnValues(y, yhat, gradient);
        if (weights.length != values.length) {
            throw new IllegalArgumentException(weights.length + " weights for " + values.length + " points");
        }
        double total = 0;
        for (int j = 0; j < values.length; j++) {
            total += weights[j] * values[j];
        }
        if (gradient != null) {
            gradient.scaleColumnsInPlace(weights);
        }
        return total;
    }

    /** An upper bound on the Hessian of the per-column loss in Yhat (as a multiple of the identity). */
    public abstract double curvature();

    public boolean classification() {
        return this == SOFTMAX_CROSS_ENTROPY;
    }

    public String spec() {
        return this == SQUARED ? "squared" : "cross_entropy";
    }

    public static Loss parse(String spec) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "squared", "square", "l2" -> SQUARED;
            case "cross_entropy", "crossentropy", "softmax", "softmax_cross_entropy" -> SOFTMAX_CROSS_ENTROPY;
            default -> throw new IllegalArgumentException("unknown loss '" + spec + "'; expected squared or cross_entropy");
        };
    }
}
