package org.idl.train.bcd;

import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;

/**
 * The driver side of one mini-batch of the minibatch schedule: the proximal (A,B)-step, then the
 * proximal readout step, from the batch's summed statistics and the epoch's curvature K. Built once
 * per epoch, since both steps factor what they need of K once. Whoever runs it (the driver after a
 * pass per batch, or one task of a collective epoch) computes the same update from the same sums.
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
    private final double[] objectives = new double[4];
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
        double loss = batch.readout().metrics().meanLoss();
        if (previous != null && !(loss <= REJECT_FACTOR * lossLevel)) {
            rejected++;
            setStepLength(stepLength / 2);
            ImplicitModel undone = previous;
            previous = null;
            return undone;
        }
        lossLevel = Double.isNaN(lossLevel) ? loss : 0.9 * lossLevel + 0.1 * loss;
        previous = model;
        ABStep.Result ab = abStep.solve(batch.ab(), model.a(), model.b(), config.kappa(), config.penaltyB(),
                model.inputs(), BcdTrainer.penalisedD(config, model), config.abIterations(), config.structure());
        model = model.with(ab.a(), ab.b(), model.c(), model.d());
        ReadoutStep.Result readout = readoutStep.solve(batch.readout(), model.c(), model.d(), config.penaltyC(),
                config.penaltyD(), model.inputs(), BcdTrainer.penalisedB(config, model), config.abIterations(),
                config.structure());
        objectives[0] += ab.before();
        objectives[1] += ab.after();
        objectives[2] += readout.before();
        objectives[3] += readout.after();
        relaxed += batch.relaxedObjective();
        taken++;
        return model.with(model.a(), model.b(), readout.c(), readout.d());
    }

    /** What the epoch's steps did so far: the driver steps' objectives, per batch means. */
    org.idl.train.Round.DriverSteps meanSteps() {
        return new org.idl.train.Round.DriverSteps(objectives[0] / taken, objectives[1] / taken,
                objectives[2] / taken, objectives[3] / taken);
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
        return new double[]{objectives[0], objectives[1], objectives[2], objectives[3], relaxed, taken, rejected};
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
