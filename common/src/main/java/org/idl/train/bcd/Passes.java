package org.idl.train.bcd;

import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.train.BlockStore;
import org.idl.train.DataBlock;
import org.idl.train.Loss;
import org.idl.train.MetricSums;
import org.idl.train.Summable;

import java.io.Serializable;

/**
 * The per-block work of each kind of pass over the data. Every task is a small serializable value
 * holding settings only; the parameters arrive as the snapshot the store hands it, and the data is
 * the block. The driver side of each step lives in {@link BcdTrainer}.
 */
public final class Passes {
    private Passes() {
    }

    /** {@code U U^T}, the block of every Gram matrix that never changes: gathered once. */
    public record GramSum(Matrix uu, long count) implements Serializable, Summable<GramSum> {
        @Override
        public GramSum merge(GramSum o) {
            return new GramSum(uu.plus(o.uu), count + o.count);
        }
    }

    /** What a state pass sums: the (A,B)-step statistics, the relaxed objective (11), true-model metrics (or null). */
    public record StateStatistics(ABStep.Statistics ab, double relaxedObjective, MetricSums metrics)
            implements Serializable, Summable<StateStatistics> {
        @Override
        public StateStatistics merge(StateStatistics o) {
            return new StateStatistics(ab.merge(o.ab), relaxedObjective + o.relaxedObjective,
                    metrics == null ? null : metrics.merge(o.metrics));
        }
    }

    /** {@code U diag(w) U^T} ({@code w} null: 1 each), the never-changing block of a Gram matrix. */
    private static Matrix weightedGram(Matrix u, double[] w) {
        return w == null ? u.gram() : u.timesColumns(w).timesTransposed(u);
    }

    static Matrix solveStates(ImplicitModel model, BcdConfig config, Matrix u, Matrix warm) {
        return model.solver(config.tolerance()).solve(model.b().times(u), warm).states();
    }

    /** Start: X = P = the fixed point of the initial (A, B) (relu(BU) when A = 0), and U U^T. */
    public record Initialize(BcdConfig config) implements BlockStore.Task<GramSum> {
        @Override
        public BlockStore.Outcome<GramSum> apply(ImplicitModel model, DataBlock block) {
            Matrix x = solveStates(model, config, block.u(), null);
            Matrix u = block.u();
            Matrix uu = weightedGram(u, block.weights());
            return new BlockStore.Outcome<>(block.withStates(x, x.copy()), new GramSum(uu, block.size()));
        }
    }

    /** Readout statistics on {@code [S; U]} with S = X (or P, for the paper's schedule); states unchanged. */
    public record Readout(Loss loss, boolean onP, boolean withGram) implements BlockStore.Task<ReadoutStep.Statistics> {
        @Override
        public boolean changesStates() {
            return false;
        }

        @Override
        public BlockStore.Outcome<ReadoutStep.Statistics> apply(ImplicitModel model, DataBlock block) {
            Matrix s = onP ? block.p() : block.x();
            return new BlockStore.Outcome<>(block,
                    ReadoutStep.statistics(loss, s, block.u(), block.y(), model.c(), model.d(), block.weights(), withGram));
        }
    }

    /**
     * Minibatch schedule: {@code U U^T} and the count of the points of the curvature sample
     * ({@link MiniBatches#sample}), the block of the sample's Gram matrix that never changes.
     */
    public record SampleGram(BcdConfig config, int parts) implements BlockStore.Task<GramSum> {
        @Override
        public boolean changesStates() {
            return false;
        }

        @Override
        public BlockStore.Outcome<GramSum> apply(ImplicitModel model, DataBlock block) {
            int[] members = MiniBatches.sample(block, config.seed(), parts);
            Matrix u = block.u().columnsAt(members, 0, members.length);
            double[] w = block.weightsAt(members, 0, members.length);
            Matrix uu = weightedGram(u, w);
            return new BlockStore.Outcome<>(block, new GramSum(uu, members.length));
        }
    }

    /**
     * Minibatch schedule, the start of an epoch: the true fixed point X* of the current (A, B) for the
     * points of the curvature sample, each from phi(BU) to the steps' tolerance, and the readout
     * statistics there with the Gram blocks X X^T and X U^T: the sample's {@code V V^T}, V = [X*; U],
     * is the epoch's curvature, and its metrics the round's (without {@code withGram}, the readout
     * statistics alone, for the initial readout fit's later passes). A fixed sample of about
     * {@link MiniBatches#SAMPLE_POINTS} points, drawn by point key and seed, so it does not depend on the
     * partitioning; the block's states are left as they are.
     */
    public record SampleResync(BcdConfig config, int parts, boolean withGram)
            implements BlockStore.Task<ReadoutStep.Statistics> {
        @Override
        public boolean changesStates() {
            return false;
        }

        @Override
        public BlockStore.Outcome<ReadoutStep.Statistics> apply(ImplicitModel model, DataBlock block) {
            int[] members = MiniBatches.sample(block, config.seed(), parts);
            Matrix u = block.u().columnsAt(members, 0, members.length);
            Matrix y = block.y().columnsAt(members, 0, members.length);
            double[] w = block.weightsAt(members, 0, members.length);
            Matrix x = model.solver(config.stepTolerance()).solveEachColumn(model.b().times(u), null).states();
            return new BlockStore.Outcome<>(block,
                    ReadoutStep.statistics(config.loss(), x, u, y, model.c(), model.d(), w, withGram));
        }
    }

    /**
     * Recipe, after the (A,B)-step: X = P = X*, the true fixed point of the new (A, B) to {@code tol},
     * warm-started from the previous states; then the first readout pass on {@code [X*; U]} with its Gram
     * blocks (and, with {@code keepZ}, Z = B U + A X* kept in the block for the next recipe pass).
     */
    public record Resync(BcdConfig config, boolean keepZ) implements BlockStore.Task<ReadoutStep.Statistics> {
        public Resync(BcdConfig config) {
            this(config, false);
        }

        @Override
        public BlockStore.Outcome<ReadoutStep.Statistics> apply(ImplicitModel model, DataBlock block) {
            Matrix bu = model.b().times(block.u());
            Matrix x = model.solver(config.tolerance()).solve(bu, block.x()).states();
            DataBlock resynced = block.withStates(x, x.copy());
            if (keepZ) {
                // The next recipe pass starts from Z = B U + A X for these states and this (A, B):
                // keep it rather than multiply by B again (n x m more in the cached block).
                Matrix z = bu;
                Matrix.gemm(1.0, model.a(), false, x, false, 1.0, z);
                resynced = resynced.withPreactivation(z, StateProducts.key(model));
            }
            return new BlockStore.Outcome<>(resynced,
                    ReadoutStep.statistics(config.loss(), x, block.u(), block.y(), model.c(), model.d(), block.weights(),
                            true));
        }
    }

    /**
     * What a recipe state pass computes first, with X = X* the block's true fixed point: Z = B U + A X,
     * D U, and the true-model metrics of the predictions C X + D U.
     */
    public record StateProducts(Matrix z, Matrix du, MetricSums metrics) {
        public static StateProducts of(ImplicitModel model, DataBlock block, Loss loss) {
            Matrix u = block.u();
            Matrix x = block.x();
            Matrix z = block.preactivation(key(model));
            if (z == null) {
                z = model.b().times(u);
                Matrix.gemm(1.0, model.a(), false, x, false, 1.0, z);
            }
            Matrix du = model.d().times(u);
            Matrix yhat = du.copy();
            Matrix.gemm(1.0, model.c(), false, x, false, 1.0, yhat);
            return new StateProducts(z, du, MetricSums.of(loss, block.y(), yhat, block.weights()));
        }

        /** A hash of A and B, all that Z = A X + B U depends on besides the block's own X and U. */
        public static long key(ImplicitModel model) {
            long h = 0x13198A2E03707344L;
            for (Matrix m : new Matrix[]{model.a(), model.b()}) {
                h = Long.rotateLeft(h ^ m.rows(), 27) * 0x9E3779B97F4A7C15L;
                for (double v : m.data()) {
                    h = Long.rotateLeft(h ^ Double.doubleToLongBits(v), 27) * 0x9E3779B97F4A7C15L;
                }
            }
            return h;
        }
    }

    /**
     * Recipe, start of a round, with X = X* already the true fixed point of the current (A, B): the
     * metrics of the current model (true predictions), the P-step from P = X*, and the (A,B)-step
     * statistics with {@code V = [X*; U]} (no X-step: method.md, change 2). Without {@code withGram}
     * the statistics leave out the Gram blocks {@code X X^T}, {@code X U^T}: the driver has them from
     * the readout's first pass over the same states.
     */
    public record RecipeState(BcdConfig config, boolean withGram) implements BlockStore.Task<StateStatistics> {
        public RecipeState(BcdConfig config) {
            this(config, true);
        }

        @Override
        public BlockStore.Outcome<StateStatistics> apply(ImplicitModel model, DataBlock block) {
            Matrix x = block.x();
            StateProducts products = StateProducts.of(model, block, config.loss());
            double[] lambda = config.lambdas();
            StepResult p = PStep.solve(config.activation(), config.loss(), lambda, config.mu(), products.z(), x,
                    block.y(), model.c(), products.du(), x, config.pStepIterations());
            ABStep.Statistics ab = ABStep.statistics(config.activation(), lambda, x, block.u(), products.z(), p.value(),
                    block.weights(), withGram);
            return new BlockStore.Outcome<>(block.withStates(x, p.value()),
                    new StateStatistics(ab, p.after(), products.metrics()));
        }
    }

    /** What a robust recipe state pass sums: the bound's (A,B)-step statistics, the relaxed objective, true-model metrics. */
    public record RobustRound(RobustCounterpart.Statistics ab, double relaxedObjective, MetricSums metrics)
            implements Serializable, Summable<RobustRound> {
        @Override
        public RobustRound merge(RobustRound o) {
            return new RobustRound(ab.merge(o.ab), relaxedObjective + o.relaxedObjective, metrics.merge(o.metrics));
        }
    }

    /**
     * Robust recipe, start of a round ({@link RobustCounterpart}): as {@link RecipeState}, with the
     * P-step and the (A,B)-step's statistics those of the bound over the box.
     */
    public record RobustRecipeState(BcdConfig config, RobustCounterpart.Box box) implements BlockStore.Task<RobustRound> {
        @Override
        public BlockStore.Outcome<RobustRound> apply(ImplicitModel model, DataBlock block) {
            StateProducts products = StateProducts.of(model, block, config.loss());
            RobustCounterpart.StatePass pass = RobustCounterpart.abStatistics(config, model, block, box, products.z(),
                    products.du());
            return new BlockStore.Outcome<>(block.withStates(block.x(), pass.p().value()),
                    new RobustRound(pass.ab(), pass.p().after(), products.metrics()));
        }
    }

    /**
     * Robust recipe, readout: the bound's readout statistics at X* of the current (A, B); with
     * {@code resync} (the first pass after an (A,B)-step), X = P = X* is recomputed first.
     */
    public record RobustReadout(BcdConfig config, RobustCounterpart.Box box, boolean resync)
            implements BlockStore.Task<RobustCounterpart.Statistics> {
        @Override
        public boolean changesStates() {
            return resync;
        }

        @Override
        public BlockStore.Outcome<RobustCounterpart.Statistics> apply(ImplicitModel model, DataBlock block) {
            DataBlock at = block;
            if (resync) {
                Matrix x = solveStates(model, config, block.u(), block.x());
                at = block.withStates(x, x.copy());
            }
            return new BlockStore.Outcome<>(at, RobustCounterpart.readoutStatistics(config, model, at, box));
        }
    }

    /**
     * The paper's schedule (section 4.2), X and P carried across rounds: P-step, then X-step, then the
     * (A,B)-step statistics with {@code V = [X; U]}.
     */
    public record PaperState(BcdConfig config) implements BlockStore.Task<StateStatistics> {
        @Override
        public BlockStore.Outcome<StateStatistics> apply(ImplicitModel model, DataBlock block) {
            Matrix u = block.u();
            Matrix a = model.a();
            Matrix bu = model.b().times(u);
            Matrix z = bu.copy();
            Matrix.gemm(1.0, a, false, block.x(), false, 1.0, z);
            Matrix c = model.c();
            Matrix du = model.d().times(u);
            double[] lambda = config.lambdas();
            StepResult p = PStep.solve(config.activation(), config.loss(), lambda, config.mu(), z, block.x(), block.y(),
                    c, du, block.p(), config.pStepIterations());
            StepResult x = XStep.solve(config.activation(), lambda, config.mu(), a, bu, p.value(), block.x(),
                    config.xStepIterations());
            Matrix zNew = bu.copy();
            Matrix.gemm(1.0, a, false, x.value(), false, 1.0, zNew);
            ABStep.Statistics ab = ABStep.statistics(config.activation(), lambda, x.value(), u, zNew, p.value(),
                    block.weights(), true);
            Matrix yhat = du.copy();
            Matrix.gemm(1.0, c, false, p.value(), false, 1.0, yhat);
            // The relaxed objective (11), as reported: each point counted once, as the P- and X-steps sum it.
            double relaxed = config.loss().value(block.y(), yhat) + x.after();
            return new BlockStore.Outcome<>(block.withStates(x.value(), p.value()), new StateStatistics(ab, relaxed, null));
        }
    }

    /**
     * What a mini-batch pass sums over the batch's points: the (A,B)-step's G and divergence, the
     * readout's gradient and metrics at the batch's true states, and the relaxed objective (11) at
     * the P-step's targets. Its size depends on n, p and q alone, never on the batch.
     */
    public record MiniBatchStatistics(ABStep.Statistics ab, ReadoutStep.Statistics readout, double relaxedObjective)
            implements Serializable, Summable<MiniBatchStatistics> {
        static MiniBatchStatistics empty(int n, int inputs, int outputs) {
            return new MiniBatchStatistics(new ABStep.Statistics(Matrix.zeros(n, n + inputs), null, null, 0, 0),
                    new ReadoutStep.Statistics(Matrix.zeros(outputs, n + inputs), null, null,
                            new MetricSums(0, 0, 0, 0, outputs)), 0);
        }

        public long count() {
            return ab.count();
        }

        /** All its numbers in one array, for an all-reduce: G, the readout gradient, then the scalars. */
        double[] toArray() {
            double[] g = ab.g().data();
            double[] r = readout.gradient().data();
            MetricSums mt = readout.metrics();
            double[] out = new double[g.length + r.length + 7];
            System.arraycopy(g, 0, out, 0, g.length);
            System.arraycopy(r, 0, out, g.length, r.length);
            int s = g.length + r.length;
            out[s] = ab.divergence();
            out[s + 1] = ab.count();
            out[s + 2] = mt.loss();
            out[s + 3] = mt.correct();
            out[s + 4] = mt.squaredError();
            out[s + 5] = mt.count();
            out[s + 6] = relaxedObjective;
            return out;
        }

        /** The inverse of {@link #toArray} for a model with n hidden units, p' inputs and q outputs. */
        static MiniBatchStatistics fromArray(double[] a, int n, int inputs, int outputs) {
            int gl = n * (n + inputs);
            int rl = outputs * (n + inputs);
            Matrix g = Matrix.wrap(n, n + inputs, java.util.Arrays.copyOfRange(a, 0, gl));
            Matrix r = Matrix.wrap(outputs, n + inputs, java.util.Arrays.copyOfRange(a, gl, gl + rl));
            int s = gl + rl;
            return new MiniBatchStatistics(new ABStep.Statistics(g, null, null, a[s], (long) a[s + 1]),
                    new ReadoutStep.Statistics(r, null, null,
                            new MetricSums(a[s + 2], (long) a[s + 3], a[s + 4], (long) a[s + 5], outputs)), a[s + 6]);
        }

        @Override
        public MiniBatchStatistics merge(MiniBatchStatistics o) {
            return new MiniBatchStatistics(ab.merge(o.ab), readout.merge(o.readout), relaxedObjective + o.relaxedObjective);
        }
    }

    /**
     * Minibatch schedule, one batch: for the block's points in the batch, X* (from phi(BU), as the
     * epoch's sample: a warm start from stored states would need every epoch to re-solve all of them),
     * the P-step from P = X*, and the statistics of both driver steps at these states, so one pass
     * serves the (A,B)- and the readout step. The block's states are left as they are.
     */
    public record MiniBatchStep(BcdConfig config, int epoch, int batch, int batches) implements BlockStore.Task<MiniBatchStatistics> {
        @Override
        public boolean changesStates() {
            return false;
        }

        @Override
        public BlockStore.Outcome<MiniBatchStatistics> apply(ImplicitModel model, DataBlock block) {
            int[] members = MiniBatches.members(block, config.seed(), epoch, batch, batches);
            if (members.length == 0) {
                return new BlockStore.Outcome<>(block,
                        MiniBatchStatistics.empty(model.hidden(), block.u().rows(), block.y().rows()));
            }
            Matrix u = block.u().columnsAt(members, 0, members.length);
            Matrix y = block.y().columnsAt(members, 0, members.length);
            double[] w = block.weightsAt(members, 0, members.length);
            // A training step's tolerance, met by every point on its own: a stop tested over the block
            // would let the states, and the model, depend on which points share a partition.
            Matrix bu = model.b().times(u);
            Matrix x = model.solver(config.stepTolerance()).solveEachColumn(bu, null).states();
            Matrix z = bu.copy();
            Matrix.gemm(1.0, model.a(), false, x, false, 1.0, z);
            Matrix du = model.d().times(u);
            Matrix yhat = du.copy();
            Matrix.gemm(1.0, model.c(), false, x, false, 1.0, yhat);
            double[] lambda = config.lambdas();
            StepResult p = PStep.solve(config.activation(), config.loss(), lambda, config.mu(), z, x, y, model.c(), du, x,
                    config.pStepIterations());
            ABStep.Statistics ab = ABStep.statistics(config.activation(), lambda, x, u, z, p.value(), w, false);
            ReadoutStep.Statistics readout = ReadoutStep.statisticsAt(config.loss(), x, u, y, yhat, w, false);
            return new BlockStore.Outcome<>(block, new MiniBatchStatistics(ab, readout, p.after()));
        }
    }

    /**
     * Minibatch schedule, a whole epoch in one collective pass (one Spark job): for each batch, every
     * block computes its share of the statistics ({@link MiniBatchStep}) and the blocks sum them among
     * themselves. Every block then holds the same sums and takes the same decisions ({@link MiniBatchUpdate}:
     * undoing a rejected update needs no message), and the two driver steps, which separate by rows, are
     * shared out: each block solves its share of the rows of (A, B) and of (C, D) and writes them into an
     * array of zeros, whose sum among the blocks (exact: each entry has one non-zero term) is the new
     * model on every block. When the steps do not separate by rows (a penalty or a pattern, a lambda per
     * unit, or {@code proximalAB = 0}: {@link MiniBatchUpdate#splitsByRows}), block 0 solves them all. So
     * each batch costs two all-reduces instead of a Spark job, the driver steps' time falls with the
     * number of blocks, and the model is the one the per-batch passes give.
     *
     * @param k the epoch's curvature {@code V V^T / m_S} over its sample, V = [X*; U]
     */
    public record MiniBatchEpoch(BcdConfig config, int epoch, int batches, Matrix k)
            implements BlockStore.CollectiveTask<MiniBatchEpoch.Result> {

        /** The model after the epoch (block 0's), and its update's tallies ({@link MiniBatchUpdate#tallies}). */
        public record Result(ImplicitModel model, double[] tallies) implements Serializable, Summable<Result> {
            @Override
            public Result merge(Result o) {
                return model != null ? this : o;
            }
        }

        @Override
        public BlockStore.Outcome<Result> apply(ImplicitModel model, DataBlock block, BlockStore.AllReduce reduce) {
            boolean leader = block.index() == 0;
            MiniBatchUpdate update = new MiniBatchUpdate(config, k, epoch);
            int n = model.hidden();
            int inputs = block.u().rows();
            int outputs = block.y().rows();
            MiniBatchUpdate.Share share = null;
            for (int j = 0; j < batches; j++) {
                double[] statistics = new MiniBatchStep(config, epoch, j, batches).apply(model, block).statistics()
                        .toArray();
                // Two more entries, 1 and the block's index: their sums count the blocks, among which the rows
                // are shared, and check that the indices are 0..K-1, as the shares need.
                double[] sums = java.util.Arrays.copyOf(statistics, statistics.length + 2);
                sums[statistics.length] = 1;
                sums[statistics.length + 1] = block.index();
                reduce.sumInPlace(sums);
                if (share == null) {
                    int blocks = (int) Math.round(sums[statistics.length]);
                    long indexSum = Math.round(sums[statistics.length + 1]);
                    if (block.index() < 0 || block.index() >= blocks || indexSum != (long) blocks * (blocks - 1) / 2) {
                        throw new IllegalStateException("the " + blocks + " blocks of a collective epoch must have the"
                                + " indices 0.." + (blocks - 1) + " once each; block " + block.index()
                                + " sees indices summing to " + indexSum);
                    }
                    share = update.splitsByRows() ? MiniBatchUpdate.Share.of(block.index(), blocks, n, outputs)
                            : leader ? MiniBatchUpdate.Share.all(model) : MiniBatchUpdate.Share.NONE;
                }
                MiniBatchStatistics batch = MiniBatchStatistics.fromArray(sums, n, inputs, outputs);
                if (batch.count() == 0) {
                    continue;
                }
                ImplicitModel undone = update.undoneOrNull(batch);
                if (undone != null) {
                    model = undone;
                    continue;
                }
                update.accept(model, batch);
                double[] parameters = new double[parameterCount(model)];
                if (!share.isEmpty()) {
                    write(update.rows(model, batch, share), share, model, parameters);
                }
                reduce.sumInPlace(parameters);
                model = withParameters(model, parameters);
            }
            double[] parts = update.rowParts();
            reduce.sumInPlace(parts);
            update.setRowParts(parts);
            return new BlockStore.Outcome<>(block, new Result(leader ? model : null,
                    leader ? update.tallies() : null));
        }

        /** The share's rows of A, B, C and D into their places in the parameters' layout (each column-major). */
        private static void write(MiniBatchUpdate.Contribution rows, MiniBatchUpdate.Share share, ImplicitModel m,
                                  double[] out) {
            Matrix[] shapes = {m.a(), m.b(), m.c(), m.d()};
            Matrix[] values = {rows.a(), rows.b(), rows.c(), rows.d()};
            int at = 0;
            for (int i = 0; i < 4; i++) {
                int from = i < 2 ? share.abFrom() : share.readoutFrom();
                int height = shapes[i].rows();
                Matrix v = values[i];
                if (v != null) {
                    for (int c = 0; c < v.cols(); c++) {
                        for (int r = 0; r < v.rows(); r++) {
                            out[at + c * height + from + r] = v.get(r, c);
                        }
                    }
                }
                at += shapes[i].data().length;
            }
        }

        private static int parameterCount(ImplicitModel m) {
            return m.a().data().length + m.b().data().length + m.c().data().length + m.d().data().length;
        }

        private static ImplicitModel withParameters(ImplicitModel m, double[] p) {
            Matrix[] shapes = {m.a(), m.b(), m.c(), m.d()};
            Matrix[] out = new Matrix[4];
            int at = 0;
            for (int i = 0; i < 4; i++) {
                int len = shapes[i].data().length;
                out[i] = Matrix.wrap(shapes[i].rows(), shapes[i].cols(), java.util.Arrays.copyOfRange(p, at, at + len));
                at += len;
            }
            return m.with(out[0], out[1], out[2], out[3]);
        }
    }
}
