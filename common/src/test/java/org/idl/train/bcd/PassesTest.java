package org.idl.train.bcd;

import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.ImplicitModel;
import org.idl.model.WellPosedness;
import org.idl.train.DataBlock;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class PassesTest {

    /**
     * The recipe pass may leave out X X^T and X U^T because the readout's re-sync already summed them
     * over the same states: with point weights, they are the (A,B)-step's to the last bit. And it
     * takes Z = B U + A X from the re-sync when that was for the same (A, B).
     */
    @Test
    void theResyncLeavesTheRecipeStateItsGramBlocksAndItsZ() {
        Random random = new Random(21);
        int n = 7;
        int p = 5;
        int m = 40;
        Matrix a = Matrix.gaussian(n, n, 0.3, random);
        WellPosedness.projectInfNormBall(a, 0.9);
        ImplicitModel model = new ImplicitModel(a, Matrix.gaussian(n, p, 0.5, random), Matrix.gaussian(3, n, 0.5, random),
                Matrix.gaussian(3, p, 0.5, random), Activation.RELU, false);
        Matrix u = Matrix.gaussian(p, m, 1.0, random);
        Matrix y = Matrix.zeros(3, m);
        double[] weights = new double[m];
        for (int j = 0; j < m; j++) {
            y.set(random.nextInt(3), j, 1.0);
            weights[j] = 0.5 + random.nextDouble();
        }
        BcdConfig config = BcdConfig.builder().hidden(n).build();
        var resynced = new Passes.Resync(config, true).apply(model, DataBlock.of(u, y, weights, 0));
        assertNull(new Passes.Resync(config).apply(model, DataBlock.of(u, y, weights, 0)).block()
                .preactivation(Passes.StateProducts.key(model)), "a re-sync with no state pass after it keeps no Z");
        DataBlock block = resynced.block();
        ReadoutStep.Statistics readout = resynced.statistics();

        ABStep.Statistics whole = new Passes.RecipeState(config).apply(model, block).statistics().ab();
        ABStep.Statistics lean = new Passes.RecipeState(config, false).apply(model, block).statistics().ab();
        assertNull(lean.xx());
        assertNull(lean.xu());
        assertEquals(0.0, whole.xx().minus(readout.ss()).maxAbs());
        assertEquals(0.0, whole.xu().minus(readout.su()).maxAbs());
        ABStep.Statistics completed = lean.withGram(readout.ss(), readout.su());
        assertEquals(0.0, whole.g().minus(completed.g()).maxAbs());
        assertEquals(whole.divergence(), completed.divergence());
        assertEquals(whole.count(), completed.count());
        assertSame(readout.ss(), completed.xx());

        // The re-sync also leaves Z = B U + A X for the next pass over the same (A, B), bit for bit.
        Matrix z = model.b().times(u);
        Matrix.gemm(1.0, model.a(), false, block.x(), false, 1.0, z);
        assertEquals(0.0, block.preactivation(Passes.StateProducts.key(model)).minus(z).maxAbs());
        DataBlock withoutZ = block.withStates(block.x(), block.p());
        assertNull(withoutZ.preactivation(Passes.StateProducts.key(model)), "new states start without it");
        ABStep.Statistics recomputed = new Passes.RecipeState(config).apply(model, withoutZ).statistics().ab();
        assertEquals(0.0, whole.g().minus(recomputed.g()).maxAbs());
        assertEquals(whole.divergence(), recomputed.divergence());
        // Another B: the kept Z is not its Z.
        Matrix b2 = model.b().copy();
        b2.set(0, 0, b2.get(0, 0) + 1e-12);
        ImplicitModel moved = model.with(model.a(), b2, model.c(), model.d());
        assertNull(block.preactivation(Passes.StateProducts.key(moved)));
    }
}
