package org.idl.train;

import org.idl.linalg.Checks;
import org.idl.linalg.Inputs;
import org.idl.linalg.Matrix;

import java.io.Serializable;

/**
 * One block of data points, the unit of work of a pass: its columns of the inputs U (with the bias
 * row when the model has one), the targets Y, and two states: BCD's X and P, or for the gradient
 * solver the fixed point X and the adjoint V that warm-start its solves, and optionally the points'
 * weights. The inputs are dense, or sparse for the gradient solver ({@link Inputs}). Immutable: a pass
 * returns a new block with new states, so a Spark partition can be recomputed from lineage.
 */
public final class DataBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Inputs u;
    private final Matrix y;
    /** The points' weights, scaled to mean 1 over the data set, or null for all 1. */
    private final double[] weights;
    private final Matrix x;
    private final Matrix p;
    private final int index;
    /** {@link #pointKeys}, computed on first use and kept with the cached block (not serialized). */
    private transient volatile long[] pointKeys;
    /**
     * {@code Z = A X + B U} at this block's X, for the (A, B) whose {@link #preactivation key} is
     * {@code preactivationKey}: left by the pass that solved X, for the next pass over the same model.
     * A cache: not serialized, and a block with new states starts without it.
     */
    private transient Matrix preactivation;
    private transient long preactivationKey;

    public DataBlock(Matrix u, Matrix y, Matrix x, Matrix p) {
        this(u, y, x, p, 0);
    }

    /** @param index the block's place in its data set (a Spark partition's index): seeds its own randomness */
    public DataBlock(Matrix u, Matrix y, Matrix x, Matrix p, int index) {
        this(u, y, null, x, p, index);
    }

    /**
     * @param weights the points' weights (finite, at least 0), scaled so that their mean over the whole
     *                data set is 1: a sum over points then stays comparable to a count; null for all 1
     */
    public DataBlock(Inputs u, Matrix y, double[] weights, Matrix x, Matrix p, int index) {
        Checks.sameCols("U", u, "Y", y);
        if (weights != null && weights.length != u.cols()) {
            throw new IllegalArgumentException(weights.length + " weights for " + u.cols() + " points");
        }
        if (x != null) {
            Checks.sameCols("X", x, "Y", y);
        }
        if (p != null) {
            Checks.sameCols("P", p, "Y", y);
        }
        this.u = u;
        this.y = y;
        this.weights = weights;
        this.x = x;
        this.p = p;
        this.index = index;
    }

    public static DataBlock of(Matrix u, Matrix y) {
        return new DataBlock(u, y, null, null, 0);
    }

    public static DataBlock of(Matrix u, Matrix y, int index) {
        return new DataBlock(u, y, null, null, index);
    }

    public static DataBlock of(Inputs u, Matrix y, double[] weights, int index) {
        return new DataBlock(u, y, weights, null, null, index);
    }

    public DataBlock withStates(Matrix newX, Matrix newP) {
        DataBlock b = new DataBlock(u, y, weights, newX, newP, index);
        b.pointKeys = pointKeys;
        return b;
    }

    /** This block, carrying {@code z = A X + B U} at its states for the (A, B) of key {@code key}. */
    public DataBlock withPreactivation(Matrix z, long key) {
        Checks.sameShape("Z", z, "X", x);
        DataBlock b = withStates(x, p);
        b.preactivation = z;
        b.preactivationKey = key;
        return b;
    }

    /** The kept {@code Z = A X + B U} if it is for the (A, B) of this key, else null. */
    public Matrix preactivation(long key) {
        Matrix z = preactivation;
        return z != null && preactivationKey == key ? z : null;
    }

    /**
     * A 64-bit hash of each point's content (its column of U and of Y): what samples a point into
     * mini-batches, so that the sample depends on the data and the seed, not on which block holds
     * the point or where in the block it sits.
     */
    public long[] pointKeys() {
        long[] keys = pointKeys;
        if (keys == null) {
            keys = new long[size()];
            for (int j = 0; j < keys.length; j++) {
                keys[j] = columnHash(y, j, columnHash(u(), j, 0x243F6A8885A308D3L));
            }
            pointKeys = keys;
        }
        return keys;
    }

    private static long columnHash(Matrix m, int col, long h) {
        double[] d = m.data();
        int rows = m.rows();
        for (int i = col * rows, end = i + rows; i < end; i++) {
            // +0.0 folds -0.0 into 0.0, so equal values hash alike.
            h = Long.rotateLeft(h ^ Double.doubleToLongBits(d[i] + 0.0), 27) * 0x9E3779B97F4A7C15L;
        }
        return h;
    }

    public int index() {
        return index;
    }

    /** The inputs, dense: for the steps that need them so (BCD); throws, naming the step's need, when they are sparse. */
    public Matrix u() {
        return u.dense("BCD");
    }

    /** The inputs, dense or sparse: for the products of the gradient solver and of predictions. */
    public Inputs inputs() {
        return u;
    }

    /** The points' weights (mean 1 over the data set), or null when every point counts once. */
    public double[] weights() {
        return weights;
    }

    /** The weights of the points {@code order[from..to)}, in that order (as {@code columnsAt}), or null. */
    public double[] weightsAt(int[] order, int from, int to) {
        if (weights == null) {
            return null;
        }
        double[] out = new double[to - from];
        for (int c = from; c < to; c++) {
            out[c - from] = weights[order[c]];
        }
        return out;
    }

    public Matrix y() {
        return y;
    }

    public Matrix x() {
        return x;
    }

    public Matrix p() {
        return p;
    }

    public int size() {
        return u.cols();
    }
}
