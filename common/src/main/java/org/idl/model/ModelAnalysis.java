package org.idl.model;

import org.idl.linalg.Matrix;

import java.util.ArrayList;
import java.util.List;

/**
 * What a model's zeros say (paper section 6.2). Only exact zeros count: the penalties' proximal
 * steps produce them, and an entry of 1e-15 still carries its input through the model.
 */
public final class ModelAnalysis {
    private ModelAnalysis() {
    }

    /** Inputs whose column of (B; D) is zero: the predictions do not depend on them (penalty (19)). */
    public static List<Integer> ignoredInputs(ImplicitModel m) {
        List<Integer> ignored = new ArrayList<>();
        Matrix b = m.b(); // copies: taken once, not per column
        Matrix d = m.d();
        for (int j = 0; j < m.inputs(); j++) {
            if (b.columnIsZero(j) && d.columnIsZero(j)) {
                ignored.add(j);
            }
        }
        return ignored;
    }

    /**
     * Hidden units that can be removed without changing a prediction: a zero row of (A, B) fixes the
     * unit's state at phi(0) = 0 (ReLU and tanh alike; not the sigmoid, whose phi(0) = 1/2 still reaches
     * the others); a zero column of (A; C) means that no state and no output reads it.
     */
    public static List<Integer> removableHiddenUnits(ImplicitModel m) {
        List<Integer> removable = new ArrayList<>();
        Matrix ab = Matrix.hstack(m.a(), m.b());
        Matrix ac = Matrix.vstack(m.a(), m.c());
        boolean zeroAtZero = m.activation().apply(0) == 0;
        for (int i = 0; i < m.hidden(); i++) {
            if ((zeroAtZero && rowZero(ab, i)) || ac.columnIsZero(i)) {
                removable.add(i);
            }
        }
        return removable;
    }

    /**
     * The smaller model that the four zero patterns of section 6.2 allow, and where its rows and
     * columns came from: {@code keptHidden[i]} is the original index of hidden unit i,
     * {@code keptInputs[j]} that of input feature j (the bias, if any, is kept).
     */
    public record Compaction(ImplicitModel model, int[] keptHidden, int[] keptInputs) {
        /** The kept input features of U (p x m, the original model's inputs). */
        public Matrix selectInputs(Matrix u) {
            Matrix out = Matrix.zeros(keptInputs.length, u.cols());
            for (int j = 0; j < keptInputs.length; j++) {
                for (int c = 0; c < u.cols(); c++) {
                    out.set(j, c, u.get(keptInputs[j], c));
                }
            }
            return out;
        }
    }

    /**
     * Removes what cannot change a prediction (section 6.2), repeating until nothing more goes, since
     * a removal can expose another: hidden units with a zero row of (A, B) (their state is phi(0) = 0
     * for every input; skipped for the sigmoid, whose phi(0) = 1/2), hidden units with a zero column of (A; C)
     * (nothing reads their state), and inputs with a zero column of (B; D). The rest is the same rule on
     * the kept units: their fixed-point equations read only kept units, so predictions are identical.
     * A principal submatrix keeps {@code ||A||_inf}, {@code rho(|A|)} and triangularity no larger, so the
     * smaller model is well-posed whenever the model was.
     */
    public static Compaction compact(ImplicitModel m) {
        Matrix a = m.a();
        Matrix b = m.b();
        Matrix c = m.c();
        boolean[] hidden = new boolean[m.hidden()];
        java.util.Arrays.fill(hidden, true);
        // A unit with a zero row of (A, B) sits at phi(0): removable only when that is 0 (not for the sigmoid).
        boolean zeroAtZero = m.activation().apply(0) == 0;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int i = 0; i < hidden.length; i++) {
                if (!hidden[i]) {
                    continue;
                }
                boolean rowZero = zeroAtZero && rowZero(b, i) && keptZero(a, i, hidden, true);
                boolean columnZero = keptZero(a, i, hidden, false) && c.columnIsZero(i);
                if (rowZero || columnZero) {
                    hidden[i] = false;
                    changed = true;
                }
            }
        }
        int[] keptHidden = indices(hidden);
        boolean[] inputs = new boolean[m.inputs()];
        Matrix d = m.d();
        for (int j = 0; j < inputs.length; j++) {
            inputs[j] = !(keptZero(b, j, hidden) && d.columnIsZero(j));
        }
        int[] keptInputs = indices(inputs);
        if (keptInputs.length == 0 && inputs.length > 0) {
            keptInputs = new int[]{0}; // a model of no inputs is no pipeline stage: keep one, unread
        }
        int[] bColumns = keptInputs;
        if (m.bias()) {
            bColumns = java.util.Arrays.copyOf(keptInputs, keptInputs.length + 1);
            bColumns[keptInputs.length] = m.inputs();
        }
        ImplicitModel small = new ImplicitModel(select(a, keptHidden, keptHidden), select(b, keptHidden, bColumns),
                select(c, range(c.rows()), keptHidden), select(m.d(), range(c.rows()), bColumns), m.activation(),
                m.bias());
        return new Compaction(small, keptHidden, keptInputs);
    }

    /** Whether row (or column) i of A is zero on the kept units. */
    private static boolean keptZero(Matrix a, int i, boolean[] kept, boolean row) {
        for (int k = 0; k < kept.length; k++) {
            if (kept[k] && (row ? a.get(i, k) : a.get(k, i)) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether column j of B is zero on the kept hidden units. */
    private static boolean keptZero(Matrix b, int j, boolean[] kept) {
        for (int i = 0; i < kept.length; i++) {
            if (kept[i] && b.get(i, j) != 0) {
                return false;
            }
        }
        return true;
    }

    private static int[] indices(boolean[] keep) {
        return java.util.stream.IntStream.range(0, keep.length).filter(i -> keep[i]).toArray();
    }

    private static int[] range(int n) {
        return java.util.stream.IntStream.range(0, n).toArray();
    }

    private static Matrix select(Matrix m, int[] rows, int[] cols) {
        Matrix out = Matrix.zeros(rows.length, cols.length);
        for (int j = 0; j < cols.length; j++) {
            for (int i = 0; i < rows.length; i++) {
                out.set(i, j, m.get(rows[i], cols[j]));
            }
        }
        return out;
    }

    public static long nonzeros(Matrix m) {
        long nnz = 0;
        for (double v : m.data()) {
            if (v != 0) {
                nnz++;
            }
        }
        return nnz;
    }

    /** The share of nonzero entries (0 for an empty matrix). */
    public static double density(Matrix m) {
        return m.data().length == 0 ? 0 : (double) nonzeros(m) / m.data().length;
    }


    private static boolean rowZero(Matrix m, int i) {
        for (int j = 0; j < m.cols(); j++) {
            if (m.get(i, j) != 0) {
                return false;
            }
        }
        return true;
    }
}
