package org.idl.train.gradient;

import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.train.BlockStore;
import org.idl.train.Evaluation;
import org.idl.train.MetricSums;
import org.idl.train.ModelSettings;
import org.idl.train.Round;
import org.idl.train.TrainingListener;
import org.idl.train.TrainingResult;

import java.util.ArrayList;
import java.util.List;

/**
 * Training by gradients through the fixed point ({@link ImplicitGradient}) with Adam, over the same
 * partitioned data as BCD. Full batch: one pass per round sums the gradient and the driver takes one
 * Adam step. Mini-batch: each partition takes local Adam steps on its share of a global batch of
 * {@code batchSize} points (fewer on small data: {@link GradientConfig#stepsPerEpoch(long, long)}), and every {@code syncSteps} steps (by default a number chosen from the
 * number of partitions, {@link GradientConfig#stepsPerSync}) the partitions' parameters and Adam
 * moments are averaged, weighted by their points: by the driver after a pass, or, where the store
 * runs collective passes, by the partitions themselves inside one pass per epoch
 * ({@link BlockStore#collectivePass}), the same average either way. The moments are averaged, not reset, because every partition estimates the same
 * gradient statistics, and a reset would restart Adam's bias correction at every sync. Either way A
 * is then projected exactly onto {@code ||A||_inf <= kappa}, row by row, which keeps the model
 * well-posed. With {@link GradientConfig#rank} k > 0, A is held as factors [L R] of rank k
 * ({@link AParameter}), and L is scaled into the same ball instead.
 */
public final class GradientTrainer {
    private final ModelSettings model;
    private final GradientConfig config;
    /** Fixed-point iterations of the last fit, per data point and pass: forward, adjoint. */
    private double forwardIterations;
    private double adjointIterations;

    /** @param model the model's settings (hidden size, kappa, loss, activation, bias, seed) */
    public GradientTrainer(ModelSettings model, GradientConfig config) {
        this.model = model;
        this.config = config;
    }

    /**
     * Trains from {@code start}, numbering its rounds after {@code earlier} (a BCD phase's, or none).
     * The listener hears of each round once the next pass has measured the model it produced.
     */
    public TrainingResult fit(BlockStore store, ImplicitModel start, List<Round> earlier,
                                 MetricSums initial, TrainingListener listener) {
        ImplicitModel current = start;
        if (config.interval() != null) {
            if (!model.loss().classification()) {
                throw new IllegalArgumentException("robust (interval-bound) training needs the cross-entropy loss: it"
                        + " bounds the worst-case margins between classes, and the loss is " + model.loss().spec());
            }
            if (config.fullBatch()) {
                throw new IllegalArgumentException("robust (interval-bound) training takes mini-batch steps: set"
                        + " batchSize > 0 (it is 0, full batch)");
            }
            config.interval().sigma(start.inputs(), start.bias(), 1); // the radii fit the inputs
        }
        List<Round> rounds = new ArrayList<>(earlier);
        if (config.rank() > 0 && current.rank() != config.rank()) {
            current = AParameter.lowRankStart(current, config.rank(), model.kappa(), model.seed());
        } else if (config.rank() == 0 && current.rank() > 0) {
            current = current.with(current.a(), current.b(), current.c(), current.d()); // a dense A was asked for
        }
        Adam adam = Adam.zeros(AParameter.of(current), current.b(), current.c(), current.d());
        Round pending = null;
        int first = rounds.size() + 1;
        long forward = 0;
        long adjoint = 0;
        long batches = 0;
        long points = 0;
        int steps = 0;
        int perSync = 0;
        if (!config.fullBatch() && config.rounds() > 0) {
            GradientPasses.PointCount count = store.pass(current, new GradientPasses.CountPoints());
            points = count.points();
            requireData(points);
            steps = config.stepsPerEpoch(points, count.smallest());
            perSync = config.stepsPerSync(steps, count.blocks());
            if (listener != null) {
                listener.epochPlanned(points, count.blocks(), steps, perSync);
            }
        }
        for (int r = first; r < first + config.rounds(); r++) {
            store.roundStarted(r);
            long t0 = System.nanoTime();
            ImplicitModel received = current;
            MetricSums measured;
            Matrix[] params;
            if (config.fullBatch()) {
                GradientPasses.GradientSums g = store.pass(current, new GradientPasses.FullGradient(model.loss(),
                        config.tolerance()));
                measured = g.metrics();
                requireData(measured.count());
                params = new Matrix[]{AParameter.of(current), current.b(), current.c(), current.d()};
                Matrix[] gradients = g.gradients();
                gradients[0] = AParameter.gradient(gradients[0], params[0], current);
                adam.step(params, gradients, 1.0 / measured.count(), config.stepSizeAfter(r - first));
                AParameter.project(params[0], current, model.kappa());
                current = AParameter.model(current, params[0], params[1], params[2], params[3]);
                forward += g.forwardIterations();
                adjoint += g.adjointIterations();
                batches++;
            } else {
                // One pass per averaging or, where the store can, one collective pass per epoch whose blocks
                // average among themselves but for the last time. The first pass also measures the model received.
                measured = null;
                params = null;
                boolean collective = store.collective() && perSync < steps;
                int span = collective ? steps : perSync;
                for (int from = 0; from < steps; from += span) {
                    GradientPasses.LocalSteps task = new GradientPasses.LocalSteps(model.loss(), config, model.kappa(),
                            adam, r, r - first, model.seed(), points, steps, from, Math.min(steps, from + span), perSync);
                    GradientPasses.EpochSums e = collective ? store.collectivePass(current, task)
                            : store.pass(current, task);
                    if (from == 0) {
                        measured = e.metrics();
                    }
                    if (e.weightedParameters() == null) {
                        throw new IllegalStateException("no block returned the partitions' average (block 0 is"
                                + " missing from the collective pass)");
                    }
                    params = e.weightedParameters();
                    for (Matrix p : params) {
                        p.scaleInPlace(1.0 / e.points());
                    }
                    adam = e.weightedAdam().scaled(1.0 / e.points());
                    // Averages of projected matrices stay in the ball but for rounding: project exactly.
                    AParameter.project(params[0], current, model.kappa());
                    current = AParameter.model(current, params[0], params[1], params[2], params[3]);
                    forward += e.forwardIterations();
                    adjoint += e.adjointIterations();
                    batches += e.batches();
                }
            }
            if (pending != null) {
                complete(pending, measured, rounds, listener, received, initial);
                if (listener != null && listener.stopRequested()) {
                    // Stop with the model just reported: this round's steps are dropped.
                    current = received;
                    pending = null;
                    break;
                }
            } else if (initial == null) {
                initial = measured;
            }
            store.roundCompleted(r);
            pending = new Round(r, Double.NaN, null, (System.nanoTime() - t0) / 1e9, current.a().infNorm(), null);
        }
        if (pending != null) {
            complete(pending, store.pass(current, new Evaluation(model)), rounds, listener, current, initial);
        }
        forwardIterations = batches == 0 ? 0 : (double) forward / batches;
        adjointIterations = batches == 0 ? 0 : (double) adjoint / batches;
        return new TrainingResult(current, initial, rounds);
    }

    /** Mean forward and adjoint fixed-point iterations per gradient evaluation in the last fit. */
    public double[] meanIterations() {
        return new double[]{forwardIterations, adjointIterations};
    }

    /**
     * Records a round once a pass has measured the model it produced ({@code model}). A gradient round's
     * objective is the loss of problem (3) itself, on the true model.
     */
    private static void complete(Round pending, MetricSums metrics, List<Round> rounds,
                                 TrainingListener listener, ImplicitModel model, MetricSums initial) {
        Round done = new Round(pending.round(), metrics.meanLoss(), metrics, pending.seconds(), pending.infNorm(), null);
        rounds.add(done);
        if (listener != null) {
            listener.roundCompleted(done, new TrainingResult(model, initial, rounds));
        }
    }

    private static void requireData(long count) {
        if (count == 0) {
            throw new IllegalArgumentException("no data: the training set is empty");
        }
    }
}
