package org.idl.train.gradient;

import org.idl.linalg.Matrix;

import java.io.Serializable;

/**
 * Adam (Kingma and Ba 2015) over a list of parameter matrices, with beta1 = 0.9, beta2 = 0.999,
 * eps = 1e-8. Its moments are plain data, so the local mini-batch solver can average them across
 * partitions together with the parameters.
 */
public final class Adam implements Serializable {
    private static final long serialVersionUID = 1L;
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPSILON = 1e-8;

    private final Matrix[] first;
    private final Matrix[] second;
    /** Steps taken; a double because averaging over partitions that took different counts is allowed. */
    private double steps;

    private Adam(Matrix[] first, Matrix[] second, double steps) {
        this.first = first;
        this.second = second;
        this.steps = steps;
    }

    /** Zero moments shaped like {@code params}. */
    public static Adam zeros(Matrix... params) {
        Matrix[] m = new Matrix[params.length];
        Matrix[] v = new Matrix[params.length];
        for (int i = 0; i < params.length; i++) {
            m[i] = Matrix.zeros(params[i].rows(), params[i].cols());
            v[i] = Matrix.zeros(params[i].rows(), params[i].cols());
        }
        return new Adam(m, v, 0);
    }

    public double steps() {
        return steps;
    }

    /** The moment matrices themselves (first, then second), for an average taken in place. */
    Matrix[] moments() {
        Matrix[] all = new Matrix[2 * first.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    void setSteps(double steps) {
        this.steps = steps;
    }

    /** Updates {@code params} in place from gradients {@code scale * grads}. */
    public void step(Matrix[] params, Matrix[] grads, double scale, double stepSize) {
        steps++;
        double correction1 = 1 - Math.pow(BETA1, steps);
        double correction2 = 1 - Math.pow(BETA2, steps);
        double rate = stepSize * Math.sqrt(correction2) / correction1;
        for (int j = 0; j < params.length; j++) {
            double[] p = params[j].data();
            double[] g = grads[j].data();
            double[] m = first[j].data();
            double[] v = second[j].data();
            for (int i = 0; i < p.length; i++) {
                double gi = scale * g[i];
                m[i] = BETA1 * m[i] + (1 - BETA1) * gi;
                v[i] = BETA2 * v[i] + (1 - BETA2) * gi * gi;
                p[i] -= rate * m[i] / (Math.sqrt(v[i]) + EPSILON * Math.sqrt(correction2));
            }
        }
    }

    public Adam copy() {
        return scaled(1.0);
    }

    /** {@code w} times this state: with {@link #plus}, the weighted average of partitions' states. */
    public Adam scaled(double w) {
        Matrix[] m = new Matrix[first.length];
        Matrix[] v = new Matrix[first.length];
        for (int i = 0; i < first.length; i++) {
            m[i] = first[i].copy().scaleInPlace(w);
            v[i] = second[i].copy().scaleInPlace(w);
        }
        return new Adam(m, v, steps * w);
    }

    public Adam plus(Adam o) {
        Matrix[] m = new Matrix[first.length];
        Matrix[] v = new Matrix[first.length];
        for (int i = 0; i < first.length; i++) {
            m[i] = first[i].plus(o.first[i]);
            v[i] = second[i].plus(o.second[i]);
        }
        return new Adam(m, v, steps + o.steps);
    }
}
