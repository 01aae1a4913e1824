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
    /** The model training starts from, or null for the solver's own start. */
    private final ImplicitModel start;

    public ImplicitTrainer(Solver solver, BcdConfig config, GradientConfig gradient) {
        this(solver, config, gradient, null);
    }

    private ImplicitTrainer(Solver solver, BcdConfig config, GradientConfig gradient, ImplicitModel start) {
        if (solver != Solver.BCD && (config.l1B() > 0 || config.l1CD() > 0 || config.groupBD() > 0)) {
            throw new IllegalArgumentException("the " + solver.spec() + " solver does not apply the sparsity penalties"
                    + " (l1B = " + config.l1B() + ", l1CD = " + config.l1CD() + ", groupBD = " + config.groupBD()
                    + "); use solver bcd for them");
        }
        this.solver = solver;
        this.config = config;
        this.gradient = gradient;
        this.start = start;
    }

    /**
     * The same trainer, starting from {@code model} (fine-tuning): BCD from its parameters (its initial
     * readout fitted on the model's states), the gradient solver from the model itself. The model must
     * respect the config's sparsity pattern, and for the gradient solver have {@code ||A||_inf <= kappa}.
     */
    public ImplicitTrainer startingFrom(ImplicitModel model) {
        return new ImplicitTrainer(solver, config, gradient, model);
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
        if (start != null && resume != null) {
            throw new IllegalArgumentException("a run resumes from its checkpoint or starts from a model, not both");
        }
        if (start != null && (start.inputs() != inputs || start.outputs() != outputs)) {
            throw new IllegalArgumentException("the start model has " + start.inputs() + " inputs and " + start.outputs()
                    + " outputs; the data has " + inputs + " and " + outputs);
        }
        return switch (solver) {
            case BCD -> start != null ? bcd.fit(store, start, listener) : bcd.fit(store, inputs, outputs, listener, resume);
            case GRADIENT -> {
                ImplicitModel first = start != null ? start : bcd.initialModel(inputs, outputs);
                yield new GradientTrainer(config.model(), gradient).fit(store, first, List.of(), null, listener);
            }
            case HYBRID -> {
                TrainingResult first = start != null ? bcd.fit(store, start, listener)
                        : bcd.fit(store, inputs, outputs, listener, null);
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
