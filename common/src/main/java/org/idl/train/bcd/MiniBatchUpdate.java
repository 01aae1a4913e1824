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
    private final BcdConfig config;
    private final ABStep.Proximal abStep;
    private final ReadoutStep.Proximal readoutStep;
    private final double[] objectives = new double[4];
    private double relaxed;
    private int taken;

    /**
     * @param k     {@code V V^T / m} of the whole data at the start of the epoch, V = [X*; U]
     * @param epoch the epoch, from 1: sets the proximal weights by the config's step schedule
     */
    MiniBatchUpdate(BcdConfig config, Matrix k, int epoch) {
        this.config = config;
        double step = config.stepSchedule().at(1.0, (epoch - 1) / (double) Math.max(1, config.rounds()));
        Matrix abCurvature = config.curvatureScaleAB() == 1.0 ? k : k.copy().scaleInPlace(config.curvatureScaleAB());
        this.abStep = new ABStep.Proximal(abCurvature, config.hidden(), config.lambdas(), config.proximalAB() / step);
        this.readoutStep = new ReadoutStep.Proximal(k, config.loss(), config.ridge(), config.proximalReadout() / step);
    }

    /** The model after this batch's two steps; a batch without points leaves it as it is. */
    ImplicitModel apply(ImplicitModel model, Passes.MiniBatchStatistics batch) {
        if (batch.count() == 0) {
            return model;
        }
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

    /** This update's tallies as one array (for a collective epoch's result): objectives, relaxed, batches. */
    double[] tallies() {
        return new double[]{objectives[0], objectives[1], objectives[2], objectives[3], relaxed, taken};
    }

    void addTallies(double[] t) {
        for (int i = 0; i < 4; i++) {
            objectives[i] += t[i];
        }
        relaxed += t[4];
        taken += (int) t[5];
    }
}
