package org.idl.train;

import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.train.bcd.BcdConfig;
import org.idl.train.bcd.BcdTrainer;
import org.idl.train.gradient.GradientConfig;
import org.idl.train.gradient.GradientTrainer;

import java.util.List;

/**
 * The trainer a {@link Solver} names, over any {@link BlockStore}: BCD ({@code config.rounds()} rounds),
 * implicit gradients ({@code gradient.rounds()} rounds from BCD's initial model), or the hybrid: the BCD
 * rounds, then the gradient rounds from the BCD model, numbered on.
 */
public final class ImplicitTrainer {
    private final Solver solver;
    private final BcdConfig config;
    private final GradientConfig gradient;

    public ImplicitTrainer(Solver solver, BcdConfig config, GradientConfig gradient) {
        if (solver != Solver.BCD && (config.l1B() > 0 || config.l1CD() > 0 || config.groupBD() > 0)) {
            throw new IllegalArgumentException("the " + solver.spec() + " solver does not apply the sparsity penalties"
                    + " (l1B = " + config.l1B() + ", l1CD = " + config.l1CD() + ", groupBD = " + config.groupBD()
                    + "); use solver bcd for them");
        }
        this.solver = solver;
        this.config = config;
        this.gradient = gradient;
    }

    public int totalRounds() {
        return switch (solver) {
            case BCD -> config.rounds();
            case GRADIENT -> gradient.rounds();
            case HYBRID -> config.rounds() + gradient.rounds();
        };
    }

    public TrainingResult fit(BlockStore store, int inputs, int outputs, TrainingListener listener,
                                 TrainingResult resume) {
        if (resume != null && solver != Solver.BCD) {
            throw new IllegalArgumentException("resuming is offered for solver bcd only: checkpoints hold the model"
                    + " but not Adam's moments, which the " + solver.spec() + " solver carries across rounds");
        }
        BcdTrainer bcd = new BcdTrainer(config);
        return switch (solver) {
            case BCD -> bcd.fit(store, inputs, outputs, listener, resume);
            case GRADIENT -> {
                ImplicitModel start = bcd.initialModel(inputs, outputs);
                yield new GradientTrainer(config.model(), gradient).fit(store, start, List.of(), null, listener);
            }
            case HYBRID -> {
                TrainingResult first = bcd.fit(store, inputs, outputs, listener, null);
                if (listener != null && listener.stopRequested()) {
                    yield first;
                }
                yield new GradientTrainer(config.model(), gradient).fit(store, first.model(), first.rounds(), first.initial(),
                        listener);
            }
        };
    }

    /** Trains on raw inputs U (p x m) and targets Y (q x m) held in memory, split into {@code blocks}. */
    public TrainingResult fit(Matrix u, Matrix y, int blocks, TrainingListener listener) {
        return fit(BcdTrainer.localStore(u, y, blocks, config.bias()), u.rows(), y.rows(), listener, null);
    }
}
