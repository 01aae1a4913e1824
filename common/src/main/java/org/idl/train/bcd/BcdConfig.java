package org.idl.train.bcd;

import org.idl.linalg.Checks;
import org.idl.model.Activation;
import org.idl.model.SparsityPattern;
import org.idl.train.Loss;
import org.idl.train.ModelSettings;
import org.idl.train.gradient.GradientConfig;
import org.idl.train.gradient.IntervalTraining;
import org.idl.train.gradient.StepSchedule;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Settings of BCD training, immutable and validated on construction. Defaults are those that trained
 * in method.md's measurements: A = 0 and B ~ N(0, 1/p) at the start, 20 P-step iterations, one
 * (A,B) statistics pass with 200 FISTA iterations on the driver, kappa = 0.95, 3 readout MM passes
 * per round (30 at the start), ridge 1e-4 on the readout, lambda = mu = 0.1, losses averaged per sample,
 * no sparsity pattern.
 */
public record BcdConfig(
        int hidden,
        double kappa,
        double lambda,
        double[] lambdaPerUnit,
        double mu,
        int rounds,
        Schedule schedule,
        Loss loss,
        Activation activation,
        boolean bias,
        long seed,
        int pStepIterations,
        int xStepIterations,
        int abIterations,
        int readoutPasses,
        int initialReadoutPasses,
        double ridge,
        double l1B,
        double l1CD,
        double groupBD,
        double tolerance,
        SparsityPattern structure,
        int batchSize,
        double proximalAB,
        double proximalReadout,
        double curvatureScaleAB,
        StepSchedule stepSchedule,
        double stepTolerance,
        IntervalTraining interval) implements Serializable {

    public BcdConfig {
        Checks.positive("hidden", hidden);
        Checks.openUnitInterval("kappa", kappa);
        Checks.nonNegative("lambda", lambda);
        if (lambdaPerUnit != null) {
            if (lambdaPerUnit.length != hidden) {
                throw new IllegalArgumentException("lambdaPerUnit has " + lambdaPerUnit.length + " entries for hidden = "
                        + hidden);
            }
            for (int i = 0; i < hidden; i++) {
                Checks.nonNegative("lambdaPerUnit[" + i + "]", lambdaPerUnit[i]);
            }
            lambdaPerUnit = lambdaPerUnit.clone();
        }
        Checks.nonNegative("mu", mu);
        Checks.nonNegative("rounds", rounds);
        if (schedule == null || loss == null || activation == null) {
            throw new IllegalArgumentException("schedule, loss and activation must be set");
        }
        Checks.nonNegative("pStepIterations", pStepIterations);
        Checks.nonNegative("xStepIterations", xStepIterations);
        Checks.nonNegative("abIterations", abIterations);
        Checks.positive("readoutPasses", readoutPasses);
        Checks.nonNegative("initialReadoutPasses", initialReadoutPasses);
        Checks.nonNegative("ridge", ridge);
        Checks.nonNegative("l1B", l1B);
        Checks.nonNegative("l1CD", l1CD);
        Checks.nonNegative("groupBD", groupBD);
        Checks.positive("tolerance", tolerance);
        if (structure != null) {
            structure.checkShapes(hidden, -1, -1);
        }
        Checks.positive("batchSize", batchSize);
        Checks.nonNegative("proximalAB", proximalAB);
        Checks.nonNegative("proximalReadout", proximalReadout);
        Checks.positive("curvatureScaleAB", curvatureScaleAB);
        if (stepSchedule == null) {
            throw new IllegalArgumentException("stepSchedule must be set");
        }
        Checks.positive("stepTolerance", stepTolerance);
        if (interval != null) {
            RobustCounterpart.requireSupported(activation, loss, bias);
            if (schedule != Schedule.RECIPE) {
                throw new IllegalArgumentException("robust BCD (the robust counterpart, paper 5.3) is built for the"
                        + " recipe schedule; got schedule " + schedule);
            }
            if (l1B > 0 || l1CD > 0 || groupBD > 0 || structure != null) {
                throw new IllegalArgumentException("robust BCD splits B and D into positive and negative parts, and"
                        + " takes no penalty on them and no sparsity pattern; got l1B = " + l1B + ", l1CD = " + l1CD
                        + ", groupBD = " + groupBD + (structure != null ? ", a pattern" : ""));
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.hidden = hidden;
        b.kappa = kappa;
        b.lambda = lambda;
        b.lambdaPerUnit = lambdaPerUnit;
        b.mu = mu;
        b.rounds = rounds;
        b.schedule = schedule;
        b.loss = loss;
        b.activation = activation;
        b.bias = bias;
        b.seed = seed;
        b.pStepIterations = pStepIterations;
        b.xStepIterations = xStepIterations;
        b.abIterations = abIterations;
        b.readoutPasses = readoutPasses;
        b.initialReadoutPasses = initialReadoutPasses;
        b.ridge = ridge;
        b.l1B = l1B;
        b.l1CD = l1CD;
        b.groupBD = groupBD;
        b.tolerance = tolerance;
        b.structure = structure;
        b.batchSize = batchSize;
        b.proximalAB = proximalAB;
        b.proximalReadout = proximalReadout;
        b.curvatureScaleAB = curvatureScaleAB;
        b.stepSchedule = stepSchedule;
        b.stepTolerance = stepTolerance;
        b.interval = interval;
        return b;
    }

    /** The settings every solver shares, as this config gives them. */
    public ModelSettings model() {
        return new ModelSettings(hidden, kappa, loss, activation, bias, seed, tolerance);
    }

    /** lambda_i for every hidden unit. */
    public double[] lambdas() {
        if (lambdaPerUnit != null) {
            return lambdaPerUnit.clone();
        }
        double[] l = new double[hidden];
        Arrays.fill(l, lambda);
        return l;
    }

    /** Readout MM passes per round: one is exact for the squared loss. */
    public int effectiveReadoutPasses() {
        return loss == Loss.SQUARED ? 1 : readoutPasses;
    }

    public int effectiveInitialReadoutPasses() {
        return loss == Loss.SQUARED ? 1 : Math.max(1, initialReadoutPasses);
    }

    public Penalty penaltyB() {
        return Penalty.both(Penalty.l1(l1B), Penalty.columnGroup(groupBD));
    }

    public Penalty penaltyC() {
        return Penalty.l1(l1CD);
    }

    public Penalty penaltyD() {
        return Penalty.both(Penalty.l1(l1CD), Penalty.columnGroup(groupBD));
    }

    /** Mutable builder with the defaults. */
    public static final class Builder {
        private int hidden = 64;
        private double kappa = 0.95;
        private double lambda = 0.1;
        private double[] lambdaPerUnit;
        private double mu = 0.1;
        private int rounds = 50;
        private Schedule schedule = Schedule.RECIPE;
        private Loss loss = Loss.SOFTMAX_CROSS_ENTROPY;
        private Activation activation = Activation.RELU;
        private boolean bias = true;
        private long seed = 42;
        private int pStepIterations = 20;
        private int xStepIterations = 20;
        private int abIterations = 200;
        private int readoutPasses = 3;
        private int initialReadoutPasses = 30;
        private double ridge = 1e-4;
        private double l1B;
        private double l1CD;
        private double groupBD;
        private double tolerance = 1e-10;
        private SparsityPattern structure;
        private int batchSize = 1000;
        private double proximalAB = 0.3;
        private double proximalReadout = 0.3;
        private double curvatureScaleAB = 1.0;
        private StepSchedule stepSchedule = StepSchedule.CONSTANT;
        private double stepTolerance = GradientConfig.DEFAULT_TOLERANCE;
        private IntervalTraining interval;

        public Builder hidden(int v) { hidden = v; return this; }
        public Builder kappa(double v) { kappa = v; return this; }
        public Builder lambda(double v) { lambda = v; return this; }
        public Builder lambdaPerUnit(double[] v) { lambdaPerUnit = v; return this; }
        public Builder mu(double v) { mu = v; return this; }
        public Builder rounds(int v) { rounds = v; return this; }
        public Builder schedule(Schedule v) { schedule = v; return this; }
        public Builder loss(Loss v) { loss = v; return this; }
        public Builder activation(Activation v) { activation = v; return this; }
        public Builder bias(boolean v) { bias = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder pStepIterations(int v) { pStepIterations = v; return this; }
        public Builder xStepIterations(int v) { xStepIterations = v; return this; }
        public Builder abIterations(int v) { abIterations = v; return this; }
        public Builder readoutPasses(int v) { readoutPasses = v; return this; }
        public Builder initialReadoutPasses(int v) { initialReadoutPasses = v; return this; }
        public Builder ridge(double v) { ridge = v; return this; }
        public Builder l1B(double v) { l1B = v; return this; }
        public Builder l1CD(double v) { l1CD = v; return this; }
        public Builder groupBD(double v) { groupBD = v; return this; }
        public Builder tolerance(double v) { tolerance = v; return this; }
        /** A fixed zero pattern on A, B, C, D (null: none); see {@link SparsityPattern}. */
        public Builder structure(SparsityPattern v) { structure = v; return this; }

        /** Minibatch schedule: points per mini-batch, over all blocks. */
        public Builder batchSize(int v) { batchSize = v; return this; }
        /** Minibatch schedule: the proximal weight tau of the (A,B)-step. */
        public Builder proximalAB(double v) { proximalAB = v; return this; }
        /** Minibatch schedule: the proximal weight of the readout step. */
        public Builder proximalReadout(double v) { proximalReadout = v; return this; }

        /** Minibatch schedule: scales the curvature K of the (A,B)-step (1: the majoriser of (13)). */
        public Builder curvatureScaleAB(double v) { curvatureScaleAB = v; return this; }

        /**
         * Minibatch schedule: the length of the proximal steps over the epochs; epoch e of E divides both
         * proximal weights by {@code stepSchedule.at(1, (e - 1) / E)} (cosine: longer weights, shorter steps).
         */
        public Builder stepSchedule(StepSchedule v) { stepSchedule = v; return this; }

        /**
         * Minibatch schedule: relative tolerance of each batch's fixed point, a training step's (as the
         * gradient solver's steps), met by every point on its own, and of the curvature sample's at the
         * start of each epoch; the final measurement of the model uses {@link #tolerance}.
         */
        public Builder stepTolerance(double v) { stepTolerance = v; return this; }

        /**
         * The robust counterpart of the recipe's steps (paper 5.3, {@link RobustCounterpart}) for the box
         * of these radii, mixed with the nominal steps by its weight, both ramped over the first rounds;
         * null: nominal.
         */
        public Builder interval(IntervalTraining v) { interval = v; return this; }

        public BcdConfig build() {
            return new BcdConfig(hidden, kappa, lambda, lambdaPerUnit, mu, rounds, schedule, loss, activation, bias, seed,
                    pStepIterations, xStepIterations, abIterations, readoutPasses, initialReadoutPasses, ridge, l1B, l1CD,
                    groupBD, tolerance, structure, batchSize, proximalAB, proximalReadout, curvatureScaleAB, stepSchedule, stepTolerance, interval);
        }
    }
}
