package org.idl.train;

import java.io.Serializable;

/**
 * One training round's record, once a pass has measured the model it produced.
 *
 * @param objective what the solver minimises: the relaxed objective (11) for BCD, the loss of problem (3) for gradients
 * @param train     true-model metrics on the training data
 * @param infNorm   {@code ||A||_inf} after the round
 * @param steps     the driver steps' objectives, for solvers that have driver steps (BCD); null otherwise
 */
public record Round(int round, double objective, MetricSums train, double seconds, double infNorm, DriverSteps steps)
        implements Serializable {

    /**
     * The (A,B)-step's and the readout's objectives before and after a BCD round's driver solves, and how
     * many of its batch updates the minibatch schedule undid because the next batch's loss jumped (each
     * halving the steps for the rest of the epoch; 0 for the full-batch schedules).
     */
    public record DriverSteps(double abBefore, double abAfter, double readoutBefore, double readoutAfter, int undone)
            implements Serializable {
    }

    /** This round with the metrics of the pass that measured its model. */
    public Round measured(MetricSums metrics) {
        return new Round(round, objective, metrics, seconds, infNorm, steps);
    }
}
