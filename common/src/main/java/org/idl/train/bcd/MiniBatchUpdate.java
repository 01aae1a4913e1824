package org.idl.train.bcd;

import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;

/**
 * The driver side of one mini-batch of the minibatch schedule: the proximal (A,B)-step, then the
 * proximal readout step, from the batch's summed statistics and the epoch's curvature K. Built once
 * per epoch, since both steps prepare what they need of K once (H^-1, the Schur complement, the
 * readout system's inverse). The driver runs it whole after a pass per batch; in a collective epoch
 * every task runs one, takes the same decisions from the same sums and solves its share of the rows.
 */
final class MiniBatchUpdate {
    /**
     * A batch whose mean loss, at the model the last update produced, exceeds this many times the
     * running level of the batches' losses rejects that update (see {@link #apply}).
     */
    static final double REJECT_FACTOR = 2.0;

    private final BcdConfig config;
    private final Matrix k;
    private final Matrix abCurvature;
    private double stepLength;
    private ABStep.Proximal abStep;
    private ReadoutStep.Proximal readoutStep;
    /**
     * The driver steps' objectives summed over the epoch's batches: (A,B) before and after, readout
     * before and after. {@code objectives} holds the terms of the whole step (the values at the start),
     * {@code rowParts} what the rows solved here add, so that the blocks of a collective epoch, each
     * solving some rows, can sum their parts.
     */
    private final double[] objectives = new double[4];
    private final double[] rowParts = new double[4];
    private double relaxed;
    private int taken;
    private int rejected;
    private ImplicitModel previous;
    private double lossLevel = Double.NaN;

    /**
     * @param k     {@code V V^T / m_S} of the epoch's sample of points at its start, V = [X*; U]
     * @param epoch the epoch, from 1: sets the proximal weights by the config's step schedule
     */
    MiniBatchUpdate(BcdConfig config, Matrix k, int epoch) {
        this.config = config;
        this.k = k;
        this.abCurvature = config.curvatureScaleAB() == 1.0 ? k : k.copy().scaleInPlace(config.curvatureScaleAB());
        setStepLength(config.stepSchedule().at(1.0, (epoch - 1) / (double) Math.max(1, config.rounds())));
    }

    /** The proximal weights divided by {@code length}: both steps' factorisations are made for them. */
    private void setStepLength(double length) {
        stepLength = length;
        abStep = new ABStep.Proximal(abCurvature, config.hidden(), config.lambdas(), config.proximalAB() / length);
        readoutStep = new ReadoutStep.Proximal(k, config.loss(), config.ridge(), config.proximalReadout() / length);
    }

    /**
     * The model after this batch's two steps; a batch without points leaves it as it is. The batch's
     * statistics were computed at {@code model}, so their loss is the first measure of the update that
     * produced it. The curvature is the epoch's, not the batch's, and the (A,B)-step's is scaled down:
     * neither step is a majoriser of the batch's objective any more, and a step can overshoot. When the
     * loss exceeds {@link #REJECT_FACTOR} times its running level, that update is undone, the batch
     * skipped, and the steps are halved for the rest of the epoch (the proximal weights doubled).
     */
    ImplicitModel apply(ImplicitModel model, Passes.MiniBatchStatistics batch) {
        if (batch.count() == 0) {
            return model;
        }
        ImplicitModel undone = undoneOrNull(batch);
        if (undone != null) {
            return undone;
        }
        accept(model, batch);
        Contribution rows = rows(model, batch, Share.all(model));
        return model.with(rows.a(), rows.b(), rows.c(), rows.d());
    }

    /**
     * The first half of {@link #apply} for a batch with points: when its loss rejects the last update,
     * the model before that update (and the steps are halved), else null. Every block of a collective
     * epoch calls it with the same sums, and so takes the same decisions.
     */
    ImplicitModel undoneOrNull(Passes.MiniBatchStatistics batch) {
        double loss = batch.readout().metrics().meanLoss();
        if (previous != null && !(loss <= REJECT_FACTOR * lossLevel)) {
            rejected++;
            setStepLength(stepLength / 2);
            ImplicitModel undone = previous;
            previous = null;
            return undone;
        }
        return null;
    }

    /** The batch's update of {@code model} goes ahead: its bookkeeping, before the rows are solved. */
    void accept(ImplicitModel model, Passes.MiniBatchStatistics batch) {
        double loss = batch.readout().metrics().meanLoss();
        lossLevel = Double.isNaN(lossLevel) ? loss : 0.9 * lossLevel + 0.1 * loss;
        previous = model;
        double atW0 = batch.ab().divergence() / batch.count();
        double lossAtStart = lossAtStart(batch);
        objectives[0] += atW0;
        objectives[1] += atW0;
        objectives[2] += lossAtStart;
        objectives[3] += lossAtStart;
        relaxed += batch.relaxedObjective();
        taken++;
    }

    /** Whether both steps separate by rows, so that the blocks of a collective epoch can share them. */
    boolean splitsByRows() {
        return abStep.splitsByRows(config.penaltyB(), config.structure())
                && readoutStep.splitsByRows(config.penaltyC(), config.penaltyD(), config.structure());
    }

    /** Rows of (A, B) and of (C, D) that one block of a collective epoch solves. */
    record Share(int abFrom, int abTo, int readoutFrom, int readoutTo) {
        /** Block {@code index}'s share of n and q rows among {@code blocks} blocks: near-equal ranges. */
        static Share of(int index, int blocks, int n, int q) {
            return new Share((int) ((long) n * index / blocks), (int) ((long) n * (index + 1) / blocks),
                    (int) ((long) q * index / blocks), (int) ((long) q * (index + 1) / blocks));
        }

        /** Every row of the model's (A, B) and (C, D). */
        static Share all(ImplicitModel model) {
            return new Share(0, model.hidden(), 0, model.outputs());
        }

        static final Share NONE = new Share(0, 0, 0, 0);

        boolean isEmpty() {
            return abTo == abFrom && readoutTo == readoutFrom;
        }
    }

    /**
     * The new A, B, C, D in the share's rows, after {@link #accept}; all rows when the steps do not
     * separate by rows (then the share must be all of them, and a readout penalty coupled to B sees the
     * new B, as in the recipe).
     */
    Contribution rows(ImplicitModel model, Passes.MiniBatchStatistics batch, Share share) {
        if (!splitsByRows()) {
            if (!share.equals(Share.all(model))) {
                throw new IllegalStateException("the steps do not separate by rows; got a share " + share);
            }
            ABStep.Result ab = abStep.solve(batch.ab(), model.a(), model.b(), config.kappa(), config.penaltyB(),
                    model.inputs(), BcdTrainer.penalisedD(config, model), config.abIterations(), config.structure());
            ImplicitModel moved = model.with(ab.a(), ab.b(), model.c(), model.d());
            ReadoutStep.Result readout = readoutStep.solve(batch.readout(), model.c(), model.d(), config.penaltyC(),
                    config.penaltyD(), model.inputs(), BcdTrainer.penalisedB(config, moved), config.abIterations(),
                    config.structure());
            double atW0 = batch.ab().divergence() / batch.count();
            double lossAtStart = lossAtStart(batch);
            rowParts[0] += ab.before() - atW0;
            rowParts[1] += ab.after() - atW0;
            rowParts[2] += readout.before() - lossAtStart;
            rowParts[3] += readout.after() - lossAtStart;
            return new Contribution(ab.a(), ab.b(), readout.c(), readout.d());
        }
        Matrix a = null;
        Matrix b = null;
        if (share.abTo() > share.abFrom()) {
            ABStep.Rows ab = abStep.solveRows(batch.ab(), model.a(), model.b(), config.kappa(), config.abIterations(),
                    share.abFrom(), share.abTo());
            a = ab.a();
            b = ab.b();
            rowParts[1] += ab.after();
        }
        Matrix c = null;
        Matrix d = null;
        if (share.readoutTo() > share.readoutFrom()) {
            ReadoutStep.Rows readout = readoutStep.solveRows(batch.readout(), model.c(), model.d(), share.readoutFrom(),
                    share.readoutTo());
            c = readout.c();
            d = readout.d();
            rowParts[2] += readout.before();
            rowParts[3] += readout.after();
        }
        return new Contribution(a, b, c, d);
    }

    /** The new parameters in a share's rows (null where the share has no rows). */
    record Contribution(Matrix a, Matrix b, Matrix c, Matrix d) {
    }

    private static double lossAtStart(Passes.MiniBatchStatistics batch) {
        return batch.readout().metrics().loss() / batch.readout().metrics().count();
    }

    /** What the epoch's steps did so far: the driver steps' objectives, per batch means. */
    org.idl.train.Round.DriverSteps meanSteps() {
        return new org.idl.train.Round.DriverSteps((objectives[0] + rowParts[0]) / taken,
                (objectives[1] + rowParts[1]) / taken, (objectives[2] + rowParts[2]) / taken,
                (objectives[3] + rowParts[3]) / taken, rejected);
    }

    /** What the rows solved here added to the objectives so far (a copy), to be summed over the blocks. */
    double[] rowParts() {
        return rowParts.clone();
    }

    /** Takes the rows' parts summed over all the blocks of a collective epoch in place of this block's own. */
    void setRowParts(double[] summed) {
        System.arraycopy(summed, 0, rowParts, 0, rowParts.length);
    }

    /** The relaxed objective (11) at the batches' states, summed over the epoch's batches. */
    double relaxedSum() {
        return relaxed;
    }

    /** The updates undone so far this epoch. */
    int rejected() {
        return rejected;
    }

    /** This update's tallies as one array (for a collective epoch's result): objectives, relaxed, batches, undone. */
    double[] tallies() {
        return new double[]{objectives[0] + rowParts[0], objectives[1] + rowParts[1], objectives[2] + rowParts[2],
            objectives[3] + rowParts[3], relaxed, taken, rejected};
    }

    void addTallies(double[] t) {
        for (int i = 0; i < 4; i++) {
            objectives[i] += t[i];
        }
        relaxed += t[4];
        taken += (int) t[5];
        rejected += (int) t[6];
    }
}
