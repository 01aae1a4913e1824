package org.idl.bcd;

import org.idl.linalg.Checks;
import org.idl.linalg.Matrix;

import java.io.Serializable;

/**
 * One block of data points, the unit of work of a pass: its columns of the inputs U (with the bias
 * row when the model has one), the targets Y, and the BCD states X and P. Immutable: a pass returns
 * a new block with new states, so a Spark partition can be recomputed from lineage.
 */
public final class DataBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Matrix u;
    private final Matrix y;
    private final Matrix x;
    private final Matrix p;

    public DataBlock(Matrix u, Matrix y, Matrix x, Matrix p) {
        Checks.sameCols("U", u, "Y", y);
        if (x != null) {
            Checks.sameCols("X", x, "U", u);
        }
        if (p != null) {
            Checks.sameCols("P", p, "U", u);
        }
        this.u = u;
        this.y = y;
        this.x = x;
        this.p = p;
    }

    public static DataBlock of(Matrix u, Matrix y) {
        return new DataBlock(u, y, null, null);
    }

    public DataBlock withStates(Matrix newX, Matrix newP) {
        return new DataBlock(u, y, newX, newP);
    }

    public Matrix u() {
        return u;
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
