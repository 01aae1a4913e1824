package org.idl.train.bcd;

import org.idl.linalg.Checks;
import org.idl.linalg.Matrix;

import java.io.Serializable;

/**
 * A convex penalty on a block of parameters with its proximal operator
 * {@code prox_{t P}(v) = argmin_w 1/2 ||w - v||^2 + t P(w)}. Some penalties couple the block with
 * another one that is held fixed in this step (the column-group norm (19) couples the columns of
 * B and D, which BCD updates in different steps); {@code coupled} is that other block, or null.
 */
public interface Penalty extends Serializable {

    double value(Matrix w, Matrix coupled);

    /** Applies the proximal map of {@code t * this} to w in place. */
    void prox(Matrix w, double t, Matrix coupled);

    /**
     * Applies the proximal map of {@code t * this} to columns {@code [from, from + count)} of w in place
     * (a penalty on part of a solve's variable, such as B's feature columns in {@code [A B]}); nothing
     * for no columns or no penalty.
     */
    default void proxColumns(Matrix w, double t, int from, int count, Matrix coupled) {
        if (count > 0 && !(this instanceof None)) {
            Matrix block = w.columns(from, from + count);
            prox(block, t, coupled);
            w.setBlock(0, from, block);
        }
    }

    Penalty NONE = new None();

    static Penalty l1(double weight) {
        return weight == 0 ? NONE : new L1(weight);
    }

    static Penalty columnGroup(double weight) {
        return weight == 0 ? NONE : new ColumnGroup(weight);
    }

    /** The sum of two penalties; its prox applies the first's then the second's (exact for sparse-group lasso). */
    static Penalty both(Penalty first, Penalty second) {
        if (first == NONE) {
            return second;
        }
        if (second == NONE) {
            return first;
        }
        return new Sum(first, second);
    }

    record None() implements Penalty {
        @Override
        public double value(Matrix w, Matrix coupled) {
            return 0;
        }

        @Override
        public void prox(Matrix w, double t, Matrix coupled) {
        }
    }

    /** {@code weight * ||W||_1}, penalty (5); its prox soft-thresholds every entry. */
    record L1(double weight) implements Penalty {
        public L1 {
            Checks.nonNegative("L1 weight", weight);
        }

        @Override
        public double value(Matrix w, Matrix coupled) {
            double s = 0;
            for (double v : w.data()) {
                s += Math.abs(v);
            }
            return weight * s;
        }

        @Override
        public void prox(Matrix w, double t, Matrix coupled) {
            double threshold = t * weight;
            double[] d = w.data();
            for (int k = 0; k < d.length; k++) {
                double a = Math.abs(d[k]) - threshold;
                d[k] = a > 0 ? Math.copySign(a, d[k]) : 0.0;
            }
        }
    }

    /**
     * The column-group norm (19) with alpha = 2: {@code weight * sum_j ||(W e_j; V e_j)||_2}, where V
     * is the coupled block (held fixed) or absent. Zeroing a column of (B; D) removes an input feature.
     */
    record ColumnGroup(double weight) implements Penalty {
        public ColumnGroup {
            Checks.nonNegative("column-group weight", weight);
        }

        @Override
        public double value(Matrix w, Matrix coupled) {
            checkCoupled(w, coupled);
            double s = 0;
            for (int j = 0; j < w.cols(); j++) {
                s += Math.sqrt(columnSquared(w, j) + (coupled == null ? 0 : columnSquared(coupled, j)));
            }
            return weight * s;
        }

        @Override
        public void prox(Matrix w, double t, Matrix coupled) {
            checkCoupled(w, coupled);
            double tw = t * weight;
            for (int j = 0; j < w.cols(); j++) {
                double v = Math.sqrt(columnSquared(w, j));
                double d2 = coupled == null ? 0 : columnSquared(coupled, j);
                double scale = shrink(v, d2, tw);
                for (int i = 0; i < w.rows(); i++) {
                    w.set(i, j, w.get(i, j) * scale);
                }
            }
        }

        /**
         * The factor s with {@code w = s v} minimising {@code 1/2||w - v||^2 + tw ||(w; d)||}. Without d
         * it is block soft-thresholding; with d != 0 the optimum is {@code w = v r/(r + tw)} where
         * {@code r = ||(w; d)||} solves {@code r^2 = |v|^2 r^2/(r+tw)^2 + |d|^2}, found by bisection.
         */
        static double shrink(double vNorm, double d2, double tw) {
            if (vNorm == 0) {
                return 0;
            }
            if (d2 == 0) {
                return Math.max(0, 1 - tw / vNorm);
            }
            double lo = Math.sqrt(d2);
            double hi = lo + vNorm;
            for (int it = 0; it < 200 && hi - lo > 1e-15 * hi; it++) {
                double r = 0.5 * (lo + hi);
                double s = r / (r + tw);
                if (vNorm * vNorm * s * s + d2 - r * r > 0) {
                    lo = r;
                } else {
                    hi = r;
                }
            }
            double r = 0.5 * (lo + hi);
            return r / (r + tw);
        }

        private static double columnSquared(Matrix m, int j) {
            double s = 0;
            for (int i = 0; i < m.rows(); i++) {
                double v = m.get(i, j);
                s += v * v;
            }
            return s;
        }

        private static void checkCoupled(Matrix w, Matrix coupled) {
            if (coupled != null && coupled.cols() != w.cols()) {
                throw new IllegalArgumentException("coupled block has " + coupled.cols() + " columns, penalised block "
                        + w.cols());
            }
        }
    }

    record Sum(Penalty first, Penalty second) implements Penalty {
        @Override
        public double value(Matrix w, Matrix coupled) {
            return first.value(w, coupled) + second.value(w, coupled);
        }

        @Override
        public void prox(Matrix w, double t, Matrix coupled) {
            first.prox(w, t, coupled);
            second.prox(w, t, coupled);
        }
    }
}
