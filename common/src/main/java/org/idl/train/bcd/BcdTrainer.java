package org.idl.train.bcd;

import org.idl.linalg.Checks;
import org.idl.linalg.Matrix;
import org.idl.linalg.SymmetricEigen;
import org.idl.model.ImplicitModel;
import org.idl.model.WellPosedness;
import org.idl.train.BlockStore;
import org.idl.train.Evaluation;
import org.idl.train.LocalBlockStore;
import org.idl.train.MetricSums;
import org.idl.train.Round;
import org.idl.train.TrainingListener;
import org.idl.train.TrainingResult;
import org.idl.train.gradient.GradientPasses;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * Block-coordinate descent (paper section 4.2) over the data of a {@link BlockStore}: the state steps
 * run per block inside passes, the (A,B)- and (C,D)-steps are solved here, on the driver, from the
 * summed statistics. The same code drives the single-machine store and the Spark one, so both
 * train the same model.
 */
public final class BcdTrainer {

    private final BcdConfig config;

    public BcdTrainer(BcdConfig config) {
        this.config = config;
    }

    public BcdConfig config() {
        return config;
    }

    /** The first model: {@link ModelSettings#initialModel} with the config's sparsity pattern. */
    public ImplicitModel initialModel(int inputs, int outputs) {
        return config.model().initialModel(inputs, outputs, config.structure());
    }

    /** Trains on raw inputs U (p x m) and targets Y (q x m) held in memory, split into {@code blocks}. */
    public TrainingResult fit(Matrix u, Matrix y, int blocks, TrainingListener listener) {
        return fit(localStore(u, y, blocks, config.bias()), u.rows(), y.rows(), listener, null);
    }

    /** Checks raw inputs U (p x m) and targets Y (q x m) and splits them, augmented, into {@code blocks}. */
    public static LocalBlockStore localStore(Matrix u, Matrix y, int blocks, boolean bias) {
        Checks.sameCols("U", u, "Y", y);
        if (u.cols() == 0) {
            throw new IllegalArgumentException("no data: U has 0 columns");
        }
        u.requireFinite("U");
        y.requireFinite("Y");
        return LocalBlockStore.split(bias ? u.withOnesRow() : u, y, blocks);
    }

    /**
     * Trains from {@code start} instead of {@link #initialModel}: its A and B are the first (A, B),
     * and the initial readout is fitted on its states as usual. Needed when the default start cannot
     * train, e.g. a feedforward pattern, whose last layer never moves from A = 0 with C read only
     * from it. The start must respect the config's sparsity pattern.
     */
    public TrainingResult fit(BlockStore store, ImplicitModel start, TrainingListener listener) {
        if (start == null) {
            throw new IllegalArgumentException("start model must not be null");
        }
        return fit(store, start.inputs(), start.outputs(), listener, null, start);
    }

    /**
     * Trains on the store's data, from the initial model or, when {@code resume} is not null, from a
     * checkpoint of an earlier run with the same settings and data (recipe schedule only).
     */
    public TrainingResult fit(BlockStore store, int inputs, int outputs, TrainingListener listener, TrainingResult resume) {
        return fit(store, inputs, outputs, listener, resume, null);
    }

    private TrainingResult fit(BlockStore store, int inputs, int outputs, TrainingListener listener, TrainingResult resume,
                       ImplicitModel startModel) {
        boolean paper = config.schedule() == Schedule.PAPER;
        if (resume != null && paper) {
            throw new IllegalArgumentException("resuming is offered for the recipe schedule only: the paper's schedule"
                    + " carries its states X and P across rounds, and checkpoints hold the model alone");
        }
        ImplicitModel model = resume != null ? resume.model()
                : startModel != null ? startModel : initialModel(inputs, outputs);
        if (!model.activation().equals(config.activation()) || model.bias() != config.bias()) {
            throw new IllegalArgumentException((resume != null ? "checkpoint" : "start") + " model has activation "
                    + model.activation() + " and bias " + model.bias() + "; the settings say " + config.activation()
                    + " and " + config.bias());
        }
        if (model.inputs() != inputs || model.outputs() != outputs || model.hidden() != config.hidden()) {
            throw new IllegalArgumentException((resume != null ? "checkpoint" : "start") + " model has "
                    + model.inputs() + " inputs, " + model.outputs() + " outputs and " + model.hidden() + " hidden units; the data and settings need " + inputs + ", "
                    + outputs + " and " + config.hidden());
        }
        if (config.structure() != null) {
            config.structure().requireRespectedBy(model);
        }
        if (config.schedule() == Schedule.MINIBATCH) {
            return miniBatchEpochs(store, model, resume, listener);
        }
        Passes.GramSum gram = store.pass(model, new Passes.Initialize(config));
        if (gram.count() == 0) {
            throw new IllegalArgumentException("no data: the training set is empty");
        }
        Matrix uu = gram.uu();
        List<Round> rounds = new ArrayList<>();
        MetricSums initial = null;
        // X X^T and X U^T of the blocks' current states, when the last readout fit's first pass summed
        // them over the states the next recipe pass starts from (the initial states, or those its
        // re-sync solved; no later pass of the fit changes them).
        ReadoutFit statesGram = null;
        if (resume == null) {
            ReadoutFit initialFit = fitReadout(store, model, uu, paper, config.effectiveInitialReadoutPasses(), null,
                    false);
            model = initialFit.model;
            statesGram = initialFit.ss != null && !paper ? initialFit : null;
            // The recipe's state pass starts from the true fixed point, so it measures the model as it
            // stands; the paper's schedule needs its own evaluation pass.
            initial = paper ? store.pass(model, new Evaluation(config.model())) : null;
        } else {
            rounds.addAll(resume.rounds());
            initial = resume.initial();
        }
        // With B free, every (A,B)-step works in the eigenbasis of U U^T, which never changes.
        SymmetricEigen uuBasis = config.penaltyB() == Penalty.NONE && config.structure() == null
                ? eigenBasisOrNull(uu) : null;
        Round pending = null;
        for (int r = rounds.size() + 1; r <= config.rounds(); r++) {
            store.roundStarted(r);
            long start = System.nanoTime();
            // The robust counterpart's box for this round (null: nominal), as far along the ramp as its end.
            RobustCounterpart.Box box = RobustCounterpart.Box.at(config.interval(), r, model.inputs(), config.bias());
            MetricSums measured;
            double relaxed;
            long count;
            ABStep.Result ab;
            if (box == null) {
                Passes.StateStatistics state = store.pass(model,
                        paper ? new Passes.PaperState(config) : new Passes.RecipeState(config, statesGram == null));
                measured = state.metrics();
                relaxed = state.relaxedObjective();
                count = state.ab().count();
                ABStep.Statistics abStatistics = statesGram == null ? state.ab()
                        : state.ab().withGram(statesGram.ss, statesGram.su);
                ab = ABStep.solve(abStatistics, uu, model.a(), model.b(), config.lambdas(), config.kappa(),
                        config.penaltyB(), model.inputs(), penalisedD(config, model), config.abIterations(),
                        config.structure(), uuBasis);
            } else {
                Passes.RobustRound state = store.pass(model, new Passes.RobustRecipeState(config, box));
                measured = state.metrics();
                relaxed = state.relaxedObjective();
                count = state.ab().count();
                ab = RobustCounterpart.solveAB(state.ab(), uu, model.a(), model.b(), config.lambdas(), config.kappa(),
                        config.abIterations(), box);
            }
            if (!paper) {
                if (pending != null) {
                    pending = complete(pending, measured, rounds, listener, model, initial);
                    if (listener != null && listener.stopRequested()) {
                        break; // model is still the one the listener was just told of
                    }
                } else if (initial == null) {
                    initial = measured;
                }
            }
            // The relaxed objective (11) at the states of this pass, with the parameters they were computed for
            // (under a box, the P-step's objective with the bound's term).
            double objective = relaxed / count + penalties(model);
            model = model.with(ab.a(), ab.b(), model.c(), model.d());
            ReadoutFit readout = box == null ? fitReadout(store, model, uu, paper, config.effectiveReadoutPasses(), ab,
                    r < config.rounds())
                    : fitRobustReadout(store, model, uu, config.effectiveReadoutPasses(), box);
            model = readout.model;
            statesGram = box == null && !paper && readout.ss != null ? readout : null;
            store.roundCompleted(r);
            double seconds = (System.nanoTime() - start) / 1e9;
            Round round = new Round(r, objective, null, seconds, model.a().infNorm(),
                    new Round.DriverSteps(ab.before(), ab.after(), readout.before, readout.after, 0));
            if (paper) {
                long evalStart = System.nanoTime();
                MetricSums metrics = store.pass(model, new Evaluation(config.model()));
                round = new Round(r, objective, metrics, seconds + (System.nanoTime() - evalStart) / 1e9,
                        round.infNorm(), round.steps());
                rounds.add(round);
                if (listener != null) {
                    listener.roundCompleted(round, new TrainingResult(model, initial, rounds));
                    if (listener.stopRequested()) {
                        break;
                    }
                }
            } else {
                pending = round;
            }
        }
        if (pending != null) {
            complete(pending, store.pass(model, new Passes.Readout(config.loss(), false, false)).metrics(), rounds,
                    listener, model, initial);
        }
        if (initial == null) {
            initial = store.pass(model, new Passes.Readout(config.loss(), false, false)).metrics();
        }
        return new TrainingResult(model, initial, rounds);
    }

    /**
     * The minibatch schedule's rounds, one epoch each. Everything but the batches works on a fixed sample
     * of about 10,000 points ({@link MiniBatches#sample}): its {@code U U^T} is gathered once, the initial
     * readout is fitted on it (the whole data's Gram matrix, 37 GFLOP on MNIST, would serve nothing
     * else), and each epoch starts with the true fixed point X* of the current (A, B) on it
     * ({@link Passes.SampleResync}), which measures the model and gives {@code K = V V^T / m_S},
     * V = [X*; U], the curvature of both driver steps for the whole epoch (re-solving all the points
     * instead, 60,000 on MNIST, cost about a fifth of an epoch's compute, for no better epochs). Then one
     * pass per mini-batch ({@link Passes.MiniBatchStep}): the batch's P-step and statistics, after which
     * the proximal (A,B)-step and the proximal readout step follow (on the driver, or shared by rows among
     * the tasks of a collective epoch: {@link Passes.MiniBatchEpoch}). No states are kept in the blocks:
     * every batch solves its own from phi(BU).
     */
    private TrainingResult miniBatchEpochs(BlockStore store, ImplicitModel model, TrainingResult resume,
                                           TrainingListener listener) {
        long points = store.pass(model, new GradientPasses.CountPoints()).points();
        if (points == 0) {
            throw new IllegalArgumentException("no data: the training set is empty");
        }
        int batches = MiniBatches.count(points, config.batchSize());
        int parts = MiniBatches.sampleParts(points);
        Passes.GramSum sample = store.pass(model, new Passes.SampleGram(config, parts));
        if (sample.count() == 0) {
            throw new IllegalStateException("the curvature sample of " + points + " points in " + parts
                    + " parts is empty");
        }
        List<Round> rounds = new ArrayList<>();
        MetricSums initial = null;
        if (resume == null) {
            // The initial (C,D)-step on the curvature sample, at its X* for the start's (A, B) (phi(BU) when
            // A = 0), with the sample's U U^T. Each pass solves X* again: one product when A = 0.
            model = fitReadout(store, model, sample.uu(), config.effectiveInitialReadoutPasses(),
                    k -> new Passes.SampleResync(config, parts, k == 0)).model;
        } else {
            rounds.addAll(resume.rounds());
            initial = resume.initial();
        }
        Round pending = null;
        for (int r = rounds.size() + 1; r <= config.rounds(); r++) {
            store.roundStarted(r);
            long start = System.nanoTime();
            ReadoutStep.Statistics epoch = store.pass(model, new Passes.SampleResync(config, parts, true));
            if (pending != null) {
                pending = complete(pending, epoch.metrics(), rounds, listener, model, initial);
                if (listener != null && listener.stopRequested()) {
                    break;
                }
            } else if (initial == null) {
                initial = epoch.metrics();
            }
            Matrix k = Matrix.symmetricBlocks(epoch.ss(), epoch.su(), sample.uu()).scaleInPlace(1.0 / sample.count());
            MiniBatchUpdate update = new MiniBatchUpdate(config, k, r);
            if (store.collective()) {
                // One job for the whole epoch: the blocks sum each batch's statistics among themselves.
                Passes.MiniBatchEpoch.Result run = store.collectivePass(model, new Passes.MiniBatchEpoch(config, r,
                        batches, k));
                model = run.model();
                update.addTallies(run.tallies());
            } else {
                for (int j = 0; j < batches; j++) {
                    model = update.apply(model, store.pass(model, new Passes.MiniBatchStep(config, r, j, batches)));
                }
            }
            store.roundCompleted(r);
            double seconds = (System.nanoTime() - start) / 1e9;
            // Per batch means of the driver steps' objectives; the relaxed objective summed over the epoch's batches.
            pending = new Round(r, update.relaxedSum() / points + penalties(model), null, seconds, model.a().infNorm(),
                    update.meanSteps());
        }
        // The last epoch moved (A, B): measure the true model it ends with on every point.
        MetricSums last = store.pass(model, new Evaluation(config.model()));
        if (pending != null) {
            complete(pending, last, rounds, listener, model, initial);
        }
        return new TrainingResult(model, initial == null ? last : initial, rounds);
    }

    /** Records a recipe round once the next pass has measured the model it produced. */
    private static Round complete(Round pending, MetricSums metrics, List<Round> rounds, TrainingListener listener,
                                  ImplicitModel model, MetricSums initial) {
        Round done = pending.measured(metrics);
        rounds.add(done);
        if (listener != null) {
            listener.roundCompleted(done, new TrainingResult(model, initial, rounds));
        }
        return null;
    }

    /** U U^T's eigenbasis, or null (the plain (A,B)-step, the same minimiser) if LAPACK fails on it. */
    private static SymmetricEigen eigenBasisOrNull(Matrix uu) {
        try {
            return SymmetricEigen.of(uu);
        } catch (IllegalStateException e) {
            return null;
        }
    }

    /** A readout fit's model and majoriser values, and the Gram blocks of the states its first pass saw (or null). */
    private record ReadoutFit(ImplicitModel model, double before, double after, Matrix ss, Matrix su) {
    }

    /**
     * The (C,D)-step: {@code passes} majorise-minimise steps, each from one pass of readout statistics.
     * The recipe's first pass (after an (A,B)-step) is the re-sync to the new fixed point; the Gram
     * blocks of the states are gathered in the first pass only, since the states do not move.
     */
    private ReadoutFit fitReadout(BlockStore store, ImplicitModel model, Matrix uu, boolean onP, int passes,
                                  ABStep.Result afterAb, boolean keepZ) {
        return fitReadout(store, model, uu, passes, k -> k == 0 && afterAb != null && !onP
                ? new Passes.Resync(config, keepZ) : new Passes.Readout(config.loss(), onP, k == 0));
    }

    /** The same from the passes {@code pass} gives for k = 0, 1, ...; the first must gather the Gram blocks. */
    private ReadoutFit fitReadout(BlockStore store, ImplicitModel model, Matrix uu, int passes,
                                  IntFunction<BlockStore.Task<ReadoutStep.Statistics>> pass) {
        Matrix ss = null;
        Matrix su = null;
        double before = Double.NaN;
        double after = Double.NaN;
        for (int k = 0; k < passes; k++) {
            ReadoutStep.Statistics st = store.pass(model, pass.apply(k));
            if (k == 0) {
                ss = st.ss();
                su = st.su();
            }
            ReadoutStep.Result res = ReadoutStep.solve(st, ss, su, uu, model.c(), model.d(), config.loss(), config.ridge(),
                    config.penaltyC(), config.penaltyD(), model.inputs(), penalisedB(config, model),
                    config.abIterations(), config.structure());
            if (k == 0) {
                before = res.before();
            }
            after = res.after();
            model = model.with(model.a(), model.b(), res.c(), res.d());
        }
        return new ReadoutFit(model, before, after, ss, su);
    }

    /**
     * The robust counterpart's (C,D)-step ({@link RobustCounterpart}): {@code passes} majorise-minimise
     * steps on the bound over the box, the first from the re-sync to the new (A, B)'s fixed point.
     */
    private ReadoutFit fitRobustReadout(BlockStore store, ImplicitModel model, Matrix uu, int passes,
                                        RobustCounterpart.Box box) {
        double before = Double.NaN;
        double after = Double.NaN;
        for (int k = 0; k < passes; k++) {
            RobustCounterpart.Statistics st = store.pass(model, new Passes.RobustReadout(config, box, k == 0));
            ReadoutStep.Result res = RobustCounterpart.solveReadout(st, uu, model.c(), model.d(), config.loss(),
                    config.ridge(), RobustCounterpart.readoutIterations(config.abIterations()), box);
            if (k == 0) {
                before = res.before();
            }
            after = res.after();
            model = model.with(model.a(), model.b(), res.c(), res.d());
        }
        return new ReadoutFit(model, before, after, null, null);
    }

    /** D's feature columns: the block the column-group norm (19) couples B's with. */
    static Matrix penalisedD(BcdConfig config, ImplicitModel model) {
        return config.groupBD() > 0 ? model.d().columns(0, model.inputs()) : null;
    }

    static Matrix penalisedB(BcdConfig config, ImplicitModel model) {
        return config.groupBD() > 0 ? model.b().columns(0, model.inputs()) : null;
    }

    /** Pen(A, B, C, D) with the bias columns free. */
    double penalties(ImplicitModel model) {
        int p = model.inputs();
        Matrix bf = model.b().columns(0, p);
        Matrix df = model.d().columns(0, p);
        return Penalty.l1(config.l1B()).value(bf, null)
                + Penalty.l1(config.l1CD()).value(model.c(), null) + Penalty.l1(config.l1CD()).value(df, null)
                + Penalty.columnGroup(config.groupBD()).value(bf, df);
    }

    /** The well-posedness figures of a trained A. */
    public static WellPosedness.Certificate wellPosedness(ImplicitModel model) {
        return WellPosedness.certify(model.a());
    }
}
