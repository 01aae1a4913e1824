package org.idl.spark.ml;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.Identifiable;
import org.idl.model.Activation;
import org.idl.spark.train.Averaging;
import org.idl.train.EarlyStopping;
import org.idl.train.Loss;
import org.idl.train.Solver;
import org.idl.train.bcd.BcdConfig;
import org.idl.train.bcd.Schedule;
import org.idl.train.gradient.GradientConfig;
import org.idl.train.gradient.IntervalTraining;
import org.idl.train.gradient.StepSchedule;

import java.io.Serializable;

/**
 * The training params shared by {@link IdlClassifier} and {@link IdlRegressor}, each with its
 * validator and default, kept apart from the algorithm (common/'s {@link BcdConfig}). A bad single
 * value fails when it is set, naming the param and the value; checks against the data run in fit.
 */
public final class IdlParams {
    final IntParam hiddenSize;
    final DoubleParam kappa;
    final DoubleParam lambda;
    final DoubleParam mu;
    final IntParam maxIter;
    final DoubleParam tol;
    final Param<String> loss;
    final Param<String> activation;
    final Param<String> schedule;
    final DoubleParam l1B;
    final DoubleParam l1CD;
    final DoubleParam groupBD;
    final DoubleParam ridge;
    final BooleanParam fitIntercept;
    final LongParam seed;
    final IntParam checkpointInterval;
    final IntParam aggregationDepth;
    final IntParam pStepIterations;
    final IntParam xStepIterations;
    final IntParam abIterations;
    final IntParam readoutPasses;
    final IntParam initialReadoutPasses;
    final Param<String> solver;
    final IntParam gradientIter;
    final DoubleParam stepSize;
    final IntParam batchSize;
    final IntParam syncSteps;
    final Param<String> averaging;
    final DoubleParam gradientTol;
    final Param<String> stepSchedule;
    final Param<String> validationIndicatorCol;
    final Param<String> weightCol;
    final IntParam earlyStoppingRounds;
    final Param<String> earlyStoppingMetric;
    final IntParam bcdBatchSize;
    final DoubleParam proximalAB;
    final DoubleParam proximalReadout;
    final DoubleParam curvatureScaleAB;
    final DoubleParam robustRadius;
    final DoubleArrayParam robustRadii;
    final DoubleParam robustWeight;
    final DoubleParam robustRamp;
    final IntParam rank;
    private final String defaultLoss;

    IdlParams(Identifiable owner, String defaultLoss) {
        hiddenSize = new IntParam(owner, "hiddenSize", "number of hidden units n (> 0)", ParamValidators.gt(0));
        kappa = new DoubleParam(owner, "kappa", "bound on ||A||_inf, in (0, 1): each row of A in the L1 ball of radius kappa",
                ParamValidators.inRange(0, 1, false, false));
        lambda = new DoubleParam(owner, "lambda", "weight of the Fenchel divergence in the relaxation (>= 0)",
                ParamValidators.gtEq(0));
        mu = new DoubleParam(owner, "mu", "weight of the proximal term mu/2 ||X - P||^2 (>= 0)", ParamValidators.gtEq(0));
        maxIter = new IntParam(owner, "maxIter", "number of BCD rounds (>= 0)", ParamValidators.gtEq(0));
        tol = new DoubleParam(owner, "tol", "relative tolerance of the certified fixed-point solves (> 0)",
                ParamValidators.gt(0));
        loss = new Param<>(owner, "loss", "loss: cross_entropy (softmax) or squared",
                parsedBy(Loss::parse));
        activation = new Param<>(owner, "activation", "activation phi: relu, tanh, sigmoid, leaky_relu or leaky_relu:<slope>",
                parsedBy(Activation::parse));
        schedule = new Param<>(owner, "schedule", "BCD schedule: recipe (re-sync to the true fixed point each round),"
                + " paper (section 4.2 as written) or minibatch (proximal steps per mini-batch, a round is an epoch)",
                parsedBy(Schedule::parse));
        l1B = new DoubleParam(owner, "l1B", "L1 penalty weight on B, penalty (5) (>= 0)", ParamValidators.gtEq(0));
        l1CD = new DoubleParam(owner, "l1CD", "L1 penalty weight on (C, D), penalty (5) (>= 0)", ParamValidators.gtEq(0));
        groupBD = new DoubleParam(owner, "groupBD", "column-group penalty weight on (B; D), penalty (19): feature selection (>= 0)",
                ParamValidators.gtEq(0));
        ridge = new DoubleParam(owner, "ridge", "ridge on the readout (C, D) (>= 0)", ParamValidators.gtEq(0));
        fitIntercept = new BooleanParam(owner, "fitIntercept", "append a constant 1 to the inputs (a bias in B and D)");
        seed = new LongParam(owner, "seed", "random seed of the initial B");
        checkpointInterval = new IntParam(owner, "checkpointInterval",
                "checkpoint the states every this many rounds when a checkpoint directory is set (>= 1), or -1 to disable",
                (scala.Function1<Object, Object>) v -> (Integer) v == -1 || (Integer) v >= 1);
        aggregationDepth = new IntParam(owner, "aggregationDepth", "depth of treeReduce (>= 2)", ParamValidators.gtEq(2));
        pStepIterations = new IntParam(owner, "pStepIterations", "accelerated gradient iterations of the P-step (>= 1)",
                ParamValidators.gtEq(1));
        xStepIterations = new IntParam(owner, "xStepIterations", "accelerated gradient iterations of the X-step, paper schedule (>= 1)",
                ParamValidators.gtEq(1));
        abIterations = new IntParam(owner, "abIterations", "FISTA iterations of the (A,B)-step on the driver (>= 1)",
                ParamValidators.gtEq(1));
        readoutPasses = new IntParam(owner, "readoutPasses", "majorise-minimise passes of the readout per round (>= 1)",
                ParamValidators.gtEq(1));
        initialReadoutPasses = new IntParam(owner, "initialReadoutPasses", "readout passes before the first round (>= 1)",
                ParamValidators.gtEq(1));
        solver = new Param<>(owner, "solver", "bcd (maxIter BCD rounds), gradient (gradientIter rounds of implicit"
                + " gradients with Adam) or hybrid (maxIter BCD rounds, then gradientIter gradient rounds)",
                parsedBy(Solver::parse));
        gradientIter = new IntParam(owner, "gradientIter", "rounds of the gradient solver (>= 0), one pass over the data each",
                ParamValidators.gtEq(0));
        stepSize = new DoubleParam(owner, "stepSize", "Adam's step size for the gradient solver (> 0)", ParamValidators.gt(0));
        int fewest = GradientConfig.MIN_STEPS_PER_EPOCH;
        batchSize = new IntParam(owner, "batchSize", "gradient solver: the global mini-batch, points per local Adam"
                + " step summed over all partitions (each takes its share, so an epoch is the same steps for any number"
                + " of partitions of " + fewest + " points or more), at most: an epoch takes at least " + fewest
                + " steps (as long as every partition holds that many points), so data of fewer than " + fewest
                + " x batchSize points takes smaller batches; 0 for full-batch steps (>= 0)", ParamValidators.gtEq(0));
        syncSteps = new IntParam(owner, "syncSteps", "gradient solver: average the partitions' parameters and Adam"
                + " moments every this many local steps; 0 chooses from the number of partitions K:"
                + " every ceil(320 / K) steps (>= 0)",
                ParamValidators.gtEq(0));
        averaging = new Param<>(owner, "averaging", "gradient solver and minibatch BCD: where the partitions meet to"
                + " average their parameters or sum a batch's statistics, ring (among themselves, by an all-reduce over"
                + " TCP inside one barrier-mode Spark job per epoch; needs a task slot per partition), driver (one Spark"
                + " job per average or batch) or auto (ring when possible)",
                parsedBy(Averaging::parse));
        gradientTol = new DoubleParam(owner, "gradientTol", "gradient solver: relative tolerance of the certified"
                + " forward and adjoint fixed points of each training step and of its per-round training metrics;"
                + " minibatch BCD: of each batch's states and of each epoch's curvature sample, met by every point on"
                + " its own; in (0, 1); predictions and the final metrics use tol",
                ParamValidators.inRange(0, 1, false, false));
        stepSchedule = new Param<>(owner, "stepSchedule", "gradient solver: Adam's step size over the gradient rounds,"
                + " constant or cosine (annealed from stepSize towards 0, reached at the end of the last round);"
                + " minibatch BCD: the same for the proximal steps (the proximal weights divided by the cosine)",
                parsedBy(StepSchedule::parse));
        validationIndicatorCol = new Param<>(owner, "validationIndicatorCol", "name of a boolean column: its true rows"
                + " are held out of training and measured after every round (the summary's validation figures); empty: none",
                (scala.Function1<String, Object> & Serializable) v -> v != null);
        weightCol = new Param<>(owner, "weightCol", "name of a numeric column of the points' weights (finite, >= 0,"
                + " not all 0): the loss counts each point by its weight (every solver); empty: every point 1",
                (scala.Function1<String, Object> & Serializable) v -> v != null);
        earlyStoppingRounds = new IntParam(owner, "earlyStoppingRounds", "with validationIndicatorCol: stop when the"
                + " validation metric (earlyStoppingMetric) has not improved for this many rounds, and keep the model"
                + " of its best round; 0: never (>= 0)", ParamValidators.gtEq(0));
        earlyStoppingMetric = new Param<>(owner, "earlyStoppingMetric", "with earlyStoppingRounds: what must improve,"
                + " loss (the mean validation loss) or accuracy (the validation accuracy, ties broken by the lower"
                + " loss; classifiers only)",
                parsedBy(EarlyStopping.Metric::parse));
        bcdBatchSize = new IntParam(owner, "bcdBatchSize", "BCD, minibatch schedule: points per mini-batch over all"
                + " partitions, one pass and one pair of driver steps each (> 0)", ParamValidators.gt(0));
        proximalAB = new DoubleParam(owner, "proximalAB", "BCD, minibatch schedule: weight tau of the proximal term"
                + " tau/2 ||[A B] - [A B]_before||^2 of each (A,B)-step (>= 0)", ParamValidators.gtEq(0));
        proximalReadout = new DoubleParam(owner, "proximalReadout", "BCD, minibatch schedule: weight of the proximal"
                + " term of each readout step (>= 0)", ParamValidators.gtEq(0));
        curvatureScaleAB = new DoubleParam(owner, "curvatureScaleAB", "BCD, minibatch schedule: scales the epoch's"
                + " curvature K (from a sample of about 10,000 points) in each (A,B)-step; 1 is the majoriser of (13),"
                + " smaller values take longer steps (> 0)", ParamValidators.gt(0));
        robustRadius = new DoubleParam(owner, "robustRadius", "robust training: train against a bound on the"
                + " worst-case loss when every input feature may move by this much, in the units of featuresCol (the"
                + " gradient solver: the interval bound; bcd: the robust counterpart of its steps); 0: nominal (>= 0)",
                ParamValidators.gtEq(0));
        robustRadii = new DoubleArrayParam((Params) owner, "robustRadii", "robust training: as robustRadius, one radius per"
                + " input feature; when not empty it replaces robustRadius (each >= 0)",
                (scala.Function1<double[], Object> & Serializable) v -> {
                    for (double r : v) {
                        if (!(r >= 0) || !Double.isFinite(r)) {
                            return false;
                        }
                    }
                    return true;
                });
        robustWeight = new DoubleParam(owner, "robustWeight", "robust training: weight w of the bound in the loss"
                + " (1 - w) nominal + w bound, once the ramp is over, in (0, 1]", ParamValidators.inRange(0, 1, false, true));
        robustRamp = new DoubleParam(owner, "robustRamp", "robust training: rounds over which the radius and the"
                + " weight grow linearly from 0 (>= 0)", ParamValidators.gtEq(0));
        rank = new IntParam(owner, "rank", "gradient solver: 0 for a dense A, or k > 0 to train A as factors L R^T of"
                + " rank k (paper section 6.3), whose fixed-point iterations cost 2nk instead of n^2 per point (>= 0)",
                ParamValidators.gtEq(0));
        this.defaultLoss = defaultLoss;
    }

    /** What a string param's validator runs: the parser of the enum the value names. */
    private interface Parser extends Serializable {
        Object parse(String spec);
    }

    /** A validator that accepts exactly what {@code parser} accepts, so the param and the enum cannot disagree. */
    private static scala.Function1<String, Object> parsedBy(Parser parser) {
        return (scala.Function1<String, Object> & Serializable) spec -> {
            try {
                parser.parse(spec);
                return true;
            } catch (IllegalArgumentException e) {
                return false;
            }
        };
    }

    /** Sets the defaults on the owner (defaults of {@link BcdConfig.Builder}). */
    void setDefaults(Params owner) {
        BcdConfig d = BcdConfig.builder().build();
        owner.setDefault(hiddenSize, (Object) d.hidden());
        owner.setDefault(kappa, (Object) d.kappa());
        owner.setDefault(lambda, (Object) d.lambda());
        owner.setDefault(mu, (Object) d.mu());
        owner.setDefault(maxIter, (Object) d.rounds());
        owner.setDefault(tol, (Object) d.tolerance());
        owner.setDefault(loss, defaultLoss);
        owner.setDefault(activation, d.activation().spec());
        owner.setDefault(schedule, d.schedule().spec());
        owner.setDefault(l1B, (Object) d.l1B());
        owner.setDefault(l1CD, (Object) d.l1CD());
        owner.setDefault(groupBD, (Object) d.groupBD());
        owner.setDefault(ridge, (Object) d.ridge());
        owner.setDefault(fitIntercept, (Object) d.bias());
        owner.setDefault(seed, (Object) d.seed());
        owner.setDefault(checkpointInterval, (Object) 10);
        owner.setDefault(aggregationDepth, (Object) 2);
        owner.setDefault(pStepIterations, (Object) d.pStepIterations());
        owner.setDefault(xStepIterations, (Object) d.xStepIterations());
        owner.setDefault(abIterations, (Object) d.abIterations());
        owner.setDefault(readoutPasses, (Object) d.readoutPasses());
        owner.setDefault(initialReadoutPasses, (Object) d.initialReadoutPasses());
        owner.setDefault(solver, Solver.BCD.spec());
        owner.setDefault(gradientIter, (Object) GradientConfig.DEFAULT_ROUNDS);
        owner.setDefault(stepSize, (Object) GradientConfig.DEFAULT_STEP_SIZE);
        owner.setDefault(batchSize, (Object) GradientConfig.DEFAULT_BATCH_SIZE);
        owner.setDefault(syncSteps, (Object) GradientConfig.DEFAULT_SYNC_STEPS);
        owner.setDefault(averaging, Averaging.AUTO.spec());
        owner.setDefault(gradientTol, (Object) GradientConfig.DEFAULT_TOLERANCE);
        owner.setDefault(stepSchedule, StepSchedule.CONSTANT.spec());
        owner.setDefault(validationIndicatorCol, "");
        owner.setDefault(weightCol, "");
        owner.setDefault(earlyStoppingRounds, (Object) 0);
        owner.setDefault(earlyStoppingMetric, EarlyStopping.Metric.LOSS.spec());
        owner.setDefault(bcdBatchSize, (Object) d.batchSize());
        owner.setDefault(proximalAB, (Object) d.proximalAB());
        owner.setDefault(proximalReadout, (Object) d.proximalReadout());
        owner.setDefault(curvatureScaleAB, (Object) d.curvatureScaleAB());
        owner.setDefault(robustRadius, (Object) 0.0);
        owner.setDefault(robustRadii, new double[0]);
        owner.setDefault(robustWeight, (Object) 0.5);
        owner.setDefault(robustRamp, (Object) 5.0);
        owner.setDefault(rank, (Object) 0);
    }

    /** The gradient solver's settings from the owner's param values. */
    GradientConfig gradientConfig(Params owner) {
        return new GradientConfig((Integer) owner.getOrDefault(gradientIter), (Double) owner.getOrDefault(stepSize),
                (Integer) owner.getOrDefault(batchSize), (Double) owner.getOrDefault(gradientTol),
                StepSchedule.parse(owner.getOrDefault(stepSchedule)), (Integer) owner.getOrDefault(syncSteps),
                intervalTraining(owner), (Integer) owner.getOrDefault(rank));
    }

    /** Robust training's settings, or null when both robustRadius and robustRadii leave it off. */
    IntervalTraining intervalTraining(Params owner) {
        double[] radii = owner.getOrDefault(robustRadii);
        double radius = (Double) owner.getOrDefault(robustRadius);
        if (radii.length == 0 && radius == 0) {
            return null;
        }
        return new IntervalTraining(radii.length > 0 ? radii : new double[]{radius},
                (Double) owner.getOrDefault(robustWeight), (Double) owner.getOrDefault(robustRamp));
    }

    /** The algorithm's settings from the owner's param values. */
    BcdConfig config(Params owner) {
        return BcdConfig.builder()
                .hidden((Integer) owner.getOrDefault(hiddenSize))
                .kappa((Double) owner.getOrDefault(kappa))
                .lambda((Double) owner.getOrDefault(lambda))
                .mu((Double) owner.getOrDefault(mu))
                .rounds((Integer) owner.getOrDefault(maxIter))
                .tolerance((Double) owner.getOrDefault(tol))
                .loss(Loss.parse(owner.getOrDefault(loss)))
                .activation(Activation.parse(owner.getOrDefault(activation)))
                .schedule(Schedule.parse(owner.getOrDefault(schedule)))
                .l1B((Double) owner.getOrDefault(l1B))
                .l1CD((Double) owner.getOrDefault(l1CD))
                .groupBD((Double) owner.getOrDefault(groupBD))
                .ridge((Double) owner.getOrDefault(ridge))
                .bias((Boolean) owner.getOrDefault(fitIntercept))
                .seed((Long) owner.getOrDefault(seed))
                .pStepIterations((Integer) owner.getOrDefault(pStepIterations))
                .xStepIterations((Integer) owner.getOrDefault(xStepIterations))
                .abIterations((Integer) owner.getOrDefault(abIterations))
                .readoutPasses((Integer) owner.getOrDefault(readoutPasses))
                .initialReadoutPasses((Integer) owner.getOrDefault(initialReadoutPasses))
                .batchSize((Integer) owner.getOrDefault(bcdBatchSize))
                .stepSchedule(StepSchedule.parse(owner.getOrDefault(stepSchedule)))
                .proximalAB((Double) owner.getOrDefault(proximalAB))
                .proximalReadout((Double) owner.getOrDefault(proximalReadout))
                .curvatureScaleAB((Double) owner.getOrDefault(curvatureScaleAB))
                .stepTolerance((Double) owner.getOrDefault(gradientTol))
                // BCD trains the robust counterpart itself; the hybrid's robustness is its gradient rounds'.
                .interval(Solver.parse(owner.getOrDefault(solver)) == Solver.BCD ? intervalTraining(owner) : null)
                .build();
    }
}
