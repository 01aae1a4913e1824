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
        for (int j = 0; j < m.inputs(); j++) {
            if (columnZero(m.b(), j) && columnZero(m.d(), j)) {
                ignored.add(j);
            }
        }
        return ignored;
    }

    /**
     * Hidden units that can be removed without changing a prediction: a zero row of (A, B) fixes the
     * unit's state at phi(0) = 0 (ReLU and tanh alike); a zero column of (A; C) means that no state
     * and no output reads it.
     */
    public static List<Integer> removableHiddenUnits(ImplicitModel m) {
        List<Integer> removable = new ArrayList<>();
        Matrix ab = Matrix.hstack(m.a(), m.b());
        Matrix ac = Matrix.vstack(m.a(), m.c());
        for (int i = 0; i < m.hidden(); i++) {
            if (rowZero(ab, i) || columnZero(ac, i)) {
                removable.add(i);
            }
        }
        return removable;
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

    private static boolean columnZero(Matrix m, int j) {
        for (int i = 0; i < m.rows(); i++) {
            if (m.get(i, j) != 0) {
                return false;
            }
        }
        return true;
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
