package org.idl.train.gradient;

import org.idl.linalg.Inputs;
import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.train.BlockStore;
import org.idl.train.DataBlock;
import org.idl.train.Evaluation;
import org.idl.train.Loss;
import org.idl.train.MetricSums;
import org.idl.train.Summable;

import java.io.Serializable;
import java.util.Random;

/**
 * The per-block work of the implicit-gradient solver, one pass per round. Both kinds of pass also
 * measure the model they receive (the true fixed point of its parameters), so a round's training
 * metrics come from the next pass, as in the BCD recipe.
 */
public final class GradientPasses {
    private GradientPasses() {
    }

    /** What a full-batch pass sums: the gradients of the summed loss and the metrics of the model received. */
    public record GradientSums(Matrix da, Matrix db, Matrix dc, Matrix dd, MetricSums metrics, long forwardIterations,
                               long adjointIterations) implements Serializable, Summable<GradientSums> {
        @Override
        public GradientSums merge(GradientSums o) {
            return new GradientSums(da.plus(o.da), db.plus(o.db), dc.plus(o.dc), dd.plus(o.dd), metrics.merge(o.metrics),
                    forwardIterations + o.forwardIterations, adjointIterations + o.adjointIterations);
        }

        public Matrix[] gradients() {
            return new Matrix[]{da, db, dc, dd};
        }
    }

    /** Full batch: the block's gradient; its states are kept to warm-start the next pass's fixed point. */
    public record FullGradient(Loss loss, double tolerance) implements BlockStore.Task<GradientSums> {
        @Override
        public BlockStore.Outcome<GradientSums> apply(ImplicitModel model, DataBlock block) {
            Matrix warm = fits(block.x(), model) ? block.x() : null;
            ImplicitGradient.Result r = ImplicitGradient.compute(model.a(), model.b(), model.c(), model.d(),
                    model.activation(), loss, block.inputs(), block.y(), block.weights(), warm,
                    fits(block.p(), model) ? block.p() : null, tolerance);
            return new BlockStore.Outcome<>(block.withStates(r.states(), r.adjoint()), new GradientSums(r.da(), r.db(), r.dc(),
                    r.dd(), r.metrics(), r.forwardIterations(), r.adjointIterations()));
        }
    }

    /**
     * About how many training points measure each epoch's model (spread evenly over the blocks): on
     * MNIST a pass of the true model over all 60,000 cost a quarter of an epoch. The PyTorch peer
     * measures 10,000 too. The final model is measured on every point.
     */
    static final int METRIC_POINTS = 10_000;

    /**
     * The number of data points, of blocks, and the points of the smallest block that holds any
     * ({@code Long.MAX_VALUE} when none does): what the driver needs to plan an epoch's steps.
     */
    public record PointCount(long points, int blocks, long smallest) implements Serializable, Summable<PointCount> {
        @Override
        public PointCount merge(PointCount o) {
            return new PointCount(points + o.points, blocks + o.blocks, Math.min(smallest, o.smallest));
        }
    }

    /** Counts the points and the blocks; states unchanged. */
    public record CountPoints() implements BlockStore.Task<PointCount> {
        @Override
        public boolean changesStates() {
            return false;
        }

        @Override
        public BlockStore.Outcome<PointCount> apply(ImplicitModel model, DataBlock block) {
            return new BlockStore.Outcome<>(block, new PointCount(block.size(), 1,
                    block.size() == 0 ? Long.MAX_VALUE : block.size()));
        }
    }

    /**
     * What a pass of local steps sums: each partition's final parameters and Adam state weighted by its
     * number of points (their sum over the total is the average), and, in an epoch's first pass, the
     * metrics of the model received on about {@link #METRIC_POINTS} of the training points (null otherwise).
     * After a collective pass the blocks already hold the sums: block 0 returns them, weighted by all
     * the points, and the others return no parameters (null) and no points, so the driver receives one
     * copy of the parameters instead of one per partition.
     */
    public record EpochSums(Matrix[] weightedParameters, Adam weightedAdam, long points, MetricSums metrics,
                            long batches, long forwardIterations, long adjointIterations)
            implements Serializable, Summable<EpochSums> {
        @Override
        public EpochSums merge(EpochSums o) {
            Matrix[] sum;
            Adam adam;
            if (weightedParameters == null || o.weightedParameters == null) {
                sum = weightedParameters == null ? o.weightedParameters : weightedParameters;
                adam = weightedParameters == null ? o.weightedAdam : weightedAdam;
            } else {
                sum = new Matrix[weightedParameters.length];
                for (int i = 0; i < sum.length; i++) {
                    sum[i] = weightedParameters[i].plus(o.weightedParameters[i]);
                }
                adam = weightedAdam.plus(o.weightedAdam);
            }
            return new EpochSums(sum, adam, points + o.points,
                    metrics == null ? null : metrics.merge(o.metrics), batches + o.batches,
                    forwardIterations + o.forwardIterations, adjointIterations + o.adjointIterations);
        }
    }

    /**
     * Local mini-batch Adam, steps {@code [fromStep, toStep)} of the {@code stepsPerEpoch} steps S of an epoch
     * ({@link GradientConfig#stepsPerEpoch(long, long)}), projecting A onto {@code ||A||_inf <= kappa} row by row
     * after every step. The block's points are visited in an order drawn from the seed, the round and the block's
     * index, cut into S near-equal batches: every partition takes the same number of steps whatever its size, and
     * one step over all partitions covers about {@code totalPoints / S} points ({@code batchSize}, or fewer on
     * small data), so an epoch is the same number of steps of the same global batch for any number of partitions.
     * {@code roundsDone} gradient rounds came before this one (the step schedule's clock). The points'
     * states are not kept between epochs: by then the parameters have moved so far that a warm start
     * saved one Picard iteration in fourteen on MNIST.
     * <p>
     * As a plain pass it takes at most {@code perSync} steps and the driver averages what the blocks
     * return. As a collective pass it takes all the steps, and after every {@code perSync} of them and
     * at the end the blocks average among themselves (the same weighted average as the driver's, then
     * the same projection); block 0 returns the last sums, which the driver divides and projects as its own.
     */
    public record LocalSteps(Loss loss, GradientConfig config, double kappa, Adam adam, int round, int roundsDone,
                             long seed, long totalPoints, int stepsPerEpoch, int fromStep, int toStep, int perSync)
            implements BlockStore.Task<EpochSums>, BlockStore.CollectiveTask<EpochSums> {
        public LocalSteps {
            if (stepsPerEpoch <= 0) {
                throw new IllegalArgumentException("stepsPerEpoch must be positive, got " + stepsPerEpoch);
            }
            if (perSync <= 0) {
                throw new IllegalArgumentException("perSync must be positive, got " + perSync);
            }
        }

        @Override
        public boolean changesStates() {
            return false;
        }

        @Override
        public BlockStore.Outcome<EpochSums> apply(ImplicitModel model, DataBlock block) {
            if (toStep - fromStep > perSync) {
                throw new IllegalStateException("steps " + fromStep + ".." + toStep + " span more than one average of "
                        + perSync + " steps: run them as a collective pass");
            }
            return apply(model, block, null);
        }

        @Override
        public BlockStore.Outcome<EpochSums> apply(ImplicitModel model, DataBlock block, BlockStore.AllReduce reduce) {
            Inputs u = block.inputs();
            Matrix y = block.y();
            int m = block.size();
            MetricSums metrics = null;
            if (fromStep == 0) {
                metrics = Evaluation.measure(model, ImplicitGradient.forward(model.a(), model.activation(),
                        config.tolerance()), loss, block, Math.min(1.0, (double) METRIC_POINTS / totalPoints));
            }
            Matrix[] params = {AParameter.of(model), model.b(), model.c(), model.d()}; // copies
            Adam state = adam.copy();
            int[] order = permutation(m, new Random(mix(seed, round, block.index())));
            // A partition's batch is its share m/M of the global one, so its gradients are noisier by
            // sqrt(M/m), and Adam, which divides by their root mean square, steps shorter by as much:
            // the step size is scaled back up so that the average of the partitions' steps is as long
            // as one step on the global batch (1 on a single partition).
            double noise = Math.sqrt((double) totalPoints / m);
            int n = model.hidden();
            Matrix[] buffers = {Matrix.zeros(n, n), Matrix.zeros(n, params[1].cols()), Matrix.zeros(params[2].rows(), n),
                Matrix.zeros(params[3].rows(), params[3].cols())};
            long batches = 0;
            long forward = 0;
            long adjoint = 0;
            for (int step = fromStep; step < toStep; step++) {
                if (step > fromStep && (step - fromStep) % perSync == 0) {
                    averageInPlace(params, state, m, reduce, kappa, model);
                }
                int from = (int) ((long) m * step / stepsPerEpoch);
                int to = (int) ((long) m * (step + 1) / stepsPerEpoch);
                if (from == to) {
                    continue; // a partition with fewer points than steps sits some steps out
                }
                double clock = roundsDone + (double) step / stepsPerEpoch;
                Inputs ub = u.columnsAt(order, from, to);
                Matrix yb = y.columnsAt(order, from, to);
                double[] wb = block.weightsAt(order, from, to);
                Matrix a = AParameter.dense(params[0], model);
                ImplicitGradient.Result r = ImplicitGradient.compute(a, params[1], params[2], params[3],
                        model.activation(), loss, ub, yb, wb, null, null, config.tolerance(), buffers);
                Matrix[] gradient = {r.da(), r.db(), r.dc(), r.dd()};
                forward += r.forwardIterations();
                adjoint += r.adjointIterations();
                IntervalTraining interval = config.interval();
                double ramp = interval == null ? 0 : interval.ramp(clock);
                if (ramp > 0) {
                    // (1 - w) of the nominal loss's gradient plus w of the interval bound's (IntervalTraining).
                    double w = ramp * interval.weight();
                    IntervalGradient.Result bound = IntervalGradient.compute(a, params[1], params[2], params[3],
                            model.activation(), ub.dense("robust training"), yb, wb,
                            interval.sigma(model.inputs(), model.bias(), ramp), config.tolerance());
                    Matrix[] robust = {bound.da(), bound.db(), bound.dc(), bound.dd()};
                    for (int i = 0; i < gradient.length; i++) {
                        gradient[i].scaleInPlace(1 - w).addInPlace(w, robust[i]);
                    }
                    forward += bound.forwardIterations();
                    adjoint += bound.adjointIterations();
                }
                gradient[0] = AParameter.gradient(gradient[0], params[0], model);
                state.step(params, gradient, 1.0 / (to - from), noise * config.stepSizeAfter(clock));
                AParameter.project(params[0], model, kappa);
                batches++;
            }
            if (reduce != null) {
                // The epoch's last sums among the blocks too, so that one copy of them reaches the driver, not K:
                // block 0 returns the weighted sums the driver would have added up (the same bits), the others none.
                double[] sums = sumAmongBlocks(params, state, m, reduce);
                if (block.index() != 0) {
                    return new BlockStore.Outcome<>(block, new EpochSums(null, null, 0, metrics, batches, forward,
                            adjoint));
                }
                int at = takeScaled(sums, params, state, 1.0);
                state.setSteps(sums[at]);
                return new BlockStore.Outcome<>(block, new EpochSums(params, state, (long) sums[at + 1], metrics,
                        batches, forward, adjoint));
            }
            for (Matrix p : params) {
                p.scaleInPlace(m);
            }
            return new BlockStore.Outcome<>(block, new EpochSums(params, state.scaled(m), m, metrics, batches, forward,
                    adjoint));
        }
    }

    /**
     * The blocks' average of their parameters and Adam states, weighted by their points, taken among the
     * blocks: the same arithmetic, in the same order on a {@link org.idl.train.LocalBlockStore}, as the driver's
     * average of a pass's {@link EpochSums}, and the same exact projection of A after it.
     */
    private static void averageInPlace(Matrix[] params, Adam state, int m, BlockStore.AllReduce reduce, double kappa,
                                       ImplicitModel like) {
        double[] sums = sumAmongBlocks(params, state, m, reduce);
        double inverse = 1.0 / sums[sums.length - 1];
        int at = takeScaled(sums, params, state, inverse);
        state.setSteps(sums[at] * inverse);
        AParameter.project(params[0], like, kappa);
    }

    /**
     * The blocks' sums of their parameters, Adam moments and steps, each weighted by the block's {@code m}
     * points, then of the points: [params..., first moments..., second moments..., steps, points].
     */
    private static double[] sumAmongBlocks(Matrix[] params, Adam state, int m, BlockStore.AllReduce reduce) {
        Matrix[] moments = state.moments();
        int size = 2;
        for (Matrix p : params) {
            size += p.data().length;
        }
        for (Matrix p : moments) {
            size += p.data().length;
        }
        double[] sums = new double[size];
        int at = 0;
        for (Matrix p : params) {
            at = putScaled(p.data(), m, sums, at);
        }
        for (Matrix p : moments) {
            at = putScaled(p.data(), m, sums, at);
        }
        sums[at] = state.steps() * m;
        sums[at + 1] = m;
        // Averages: fewer bits on the wire are enough, but for the steps and points, which divide them.
        reduce.roundedSumInPlace(sums, 2);
        return sums;
    }

    /** {@code w} times the sums of the parameters and moments, into them; returns where the steps' sum sits. */
    private static int takeScaled(double[] sums, Matrix[] params, Adam state, double w) {
        int at = 0;
        for (Matrix p : params) {
            at = takeScaled(sums, at, w, p.data());
        }
        for (Matrix p : state.moments()) {
            at = takeScaled(sums, at, w, p.data());
        }
        return at;
    }

    private static int putScaled(double[] values, double w, double[] out, int at) {
        for (double v : values) {
            out[at++] = v * w;
        }
        return at;
    }

    private static int takeScaled(double[] sums, int at, double w, double[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = sums[at++] * w;
        }
        return at;
    }

    /** Whether a block's stored states can warm-start this model's fixed points. */
    private static boolean fits(Matrix states, ImplicitModel model) {
        return states != null && states.rows() == model.hidden();
    }

    static long mix(long seed, int round, int index) {
        long h = seed * 0x9E3779B97F4A7C15L + round * 0xC2B2AE3D27D4EB4FL + index * 0x165667B19E3779F9L;
        return h ^ (h >>> 31);
    }

    private static int[] permutation(int m, Random random) {
        int[] order = new int[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        for (int i = m - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
