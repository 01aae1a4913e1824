package org.idl.train;

import org.idl.linalg.Checks;
import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.ImplicitModel;
import org.idl.model.SparsityPattern;

import java.io.Serializable;
import java.util.Random;

/**
 * What every solver needs to know about the model it trains: its size, the well-posedness bound
 * {@code ||A||_inf <= kappa} it keeps, the loss, phi, the bias, the seed of its initial B, and the
 * tolerance of the true fixed point behind every reported metric.
 */
public record ModelSettings(int hidden, double kappa, Loss loss, Activation activation, boolean bias, long seed,
                            double tolerance) implements Serializable {

    public ModelSettings {
        Checks.positive("hidden", hidden);
        Checks.openUnitInterval("kappa", kappa);
        if (loss == null || activation == null) {
            throw new IllegalArgumentException("loss and activation must be set");
        }
        Checks.positive("tolerance", tolerance);
    }

    /**
     * A = 0, B ~ N(0, 1/p) with a zero bias column, C = D = 0 (docs/method.md, "Start"); B keeps the
     * zeros of {@code structure}, if any.
     */
    public ImplicitModel initialModel(int inputs, int outputs, SparsityPattern structure) {
        Checks.positive("inputs", inputs);
        Checks.positive("outputs", outputs);
        int pb = inputs + (bias ? 1 : 0);
        Matrix b = Matrix.zeros(hidden, pb);
        b.setBlock(0, 0, Matrix.gaussian(hidden, inputs, 1.0 / Math.sqrt(inputs), new Random(seed)));
        if (structure != null) {
            structure.checkShapes(hidden, pb, outputs);
            structure.maskB(b);
        }
        return new ImplicitModel(Matrix.zeros(hidden, hidden), b, Matrix.zeros(outputs, hidden), Matrix.zeros(outputs, pb),
                activation, bias);
    }
}
