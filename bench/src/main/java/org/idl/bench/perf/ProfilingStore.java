package org.idl.bench.perf;

import org.idl.linalg.Matrix;
import org.idl.model.FixedPointSolver;
import org.idl.model.ImplicitModel;
import org.idl.train.BlockStore;
import org.idl.train.DataBlock;
import org.idl.train.Summable;
import org.idl.train.bcd.ABStep;
import org.idl.train.bcd.BcdConfig;
import org.idl.train.bcd.PStep;
import org.idl.train.bcd.Passes;
import org.idl.train.bcd.ReadoutStep;
import org.idl.train.bcd.StepResult;

import java.util.ArrayList;
import java.util.List;

/**
 * A single-machine {@link BlockStore} (blocks in this JVM, processed in order in the calling thread,
 * like {@code LocalBlockStore}) that times the inside of the recipe's passes. For
 * {@link Passes.Initialize}, {@link Passes.RecipeState}, {@link Passes.Resync} and {@link Passes.Readout}
 * it runs a copy of the task's body with a clock around each step (the trainer stays free of
 * instrumentation); any other task runs as it is, timed as a whole. With {@code check}, every block is
 * also run through the original task and the two outcomes must be identical (statistics and states,
 * bit for bit): the copies cannot drift from common/ unnoticed. Timings are meaningless in that mode.
 *
 * <p>The real {@code BcdTrainer} drives this store, so the driver-side work of a round (the (A,B) and
 * readout solves) is the round's time minus its passes.
 */
public final class ProfilingStore implements BlockStore {

    /** One round: the segments of its passes, the whole round, and the Picard iterations of its re-sync. */
    public record Round(int round, Clock.Segments segments, Clock.Span total, Clock.Span passes, long picardIterations) {
        public Clock.Span driver() {
            return total.minus(passes);
        }
    }

    private final List<DataBlock> blocks;
    private final boolean check;
    private final List<Round> rounds = new ArrayList<>();
    private final Clock.Segments setup = new Clock.Segments();
    private Clock.Segments current;
    private Clock.Reading roundStart;
    private Clock.Span roundPasses;
    private long picard;
    private int checkedBlocks;
    /** What the trainer last handed the (A,B)- and readout solves, to time them again afterwards. */
    private ImplicitModel lastStateModel;
    private Passes.StateStatistics lastState;
    private ImplicitModel lastResyncModel;
    private ReadoutStep.Statistics lastResync;
    /** The last readout statistics with Gram blocks: those a state pass without them was given. */
    private ReadoutStep.Statistics lastGram;
    private Matrix uu;

    public ProfilingStore(List<DataBlock> blocks, boolean check) {
        this.blocks = new ArrayList<>(blocks);
        this.check = check;
    }

    public List<Round> rounds() {
        return rounds;
    }

    public Clock.Segments setup() {
        return setup;
    }

    public int checkedBlocks() {
        return checkedBlocks;
    }

    public List<DataBlock> blocks() {
        return blocks;
    }

    public ImplicitModel lastStateModel() {
        return lastStateModel;
    }

    public Passes.StateStatistics lastState() {
        return lastState;
    }

    public ImplicitModel lastResyncModel() {
        return lastResyncModel;
    }

    public ReadoutStep.Statistics lastResync() {
        return lastResync;
    }

    public Matrix uu() {
        return uu;
    }

    @Override
    public void roundStarted(int round) {
        current = new Clock.Segments();
        roundPasses = Clock.Span.ZERO;
        picard = 0;
        roundStart = Clock.now();
    }

    @Override
    public void roundCompleted(int round) {
        Clock.Span total = Clock.now().since(roundStart);
        rounds.add(new Round(round, current, total, roundPasses, picard));
        current = null;
    }

    @Override
    public <S extends Summable<S>> S pass(ImplicitModel model, Task<S> task) {
        Clock.Segments into = current != null ? current : setup;
        Clock.Reading start = Clock.now();
        S total = null;
        for (int i = 0; i < blocks.size(); i++) {
            DataBlock block = blocks.get(i);
            Outcome<S> out = run(model, task, block, into);
            if (check) {
                Outcome<S> reference = task.apply(model, block);
                requireSame(task, i, reference, out, Passes.StateProducts.key(model));
                checkedBlocks++;
            }
            blocks.set(i, out.block());
            Clock.Reading m0 = Clock.now();
            total = total == null ? out.statistics() : total.merge(out.statistics());
            into.add("merge block statistics", Clock.now().since(m0), 0);
        }
        if (current != null) {
            roundPasses = roundPasses.plus(Clock.now().since(start));
        }
        if (task instanceof Passes.RecipeState && total instanceof Passes.StateStatistics s) {
            lastStateModel = model;
            // A pass without Gram blocks took them from the re-sync before it, as the trainer does.
            lastState = s.ab().xx() != null || lastGram == null ? s
                    : new Passes.StateStatistics(s.ab().withGram(lastGram.ss(), lastGram.su()),
                            s.relaxedObjective(), s.metrics());
        } else if (task instanceof Passes.Resync && total instanceof ReadoutStep.Statistics r) {
            lastResyncModel = model;
            lastResync = r;
            lastGram = r;
        } else if (task instanceof Passes.Readout t && t.withGram() && total instanceof ReadoutStep.Statistics r) {
            lastGram = r; // the initial fit's: round 1's state pass takes its Gram blocks
        } else if (task instanceof Passes.Initialize && total instanceof Passes.GramSum g) {
            uu = g.uu();
        }
        return total;
    }

    @SuppressWarnings("unchecked")
    private <S extends Summable<S>> Outcome<S> run(ImplicitModel model, Task<S> task, DataBlock block,
                                                   Clock.Segments into) {
        if (task instanceof Passes.RecipeState t) {
            return (Outcome<S>) recipeState(t.config(), t.withGram(), model, block, into);
        } else if (task instanceof Passes.Resync t) {
            return (Outcome<S>) resync(t.config(), t.keepZ(), model, block, into);
        } else if (task instanceof Passes.Readout t && !t.onP()) {
            Dims d = Dims.of(model, block);
            Clock.Reading t0 = Clock.now();
            ReadoutStep.Statistics st = ReadoutStep.statistics(t.loss(), block.x(), block.u(), block.y(), model.c(),
                    model.d(), t.withGram());
            into.add(t.withGram() ? "readout statistics with Gram blocks" : "readout statistics (MM passes)",
                    Clock.now().since(t0), Flops.readoutStatistics(d.n(), d.pb(), d.q(), d.m(), t.withGram()));
            return (Outcome<S>) new Outcome<>(block, st);
        } else if (task instanceof Passes.Initialize t) {
            Dims d = Dims.of(model, block);
            Clock.Reading t0 = Clock.now();
            Matrix bu = model.b().times(block.u());
            FixedPointSolver.Result fp = model.solver(t.config().tolerance()).solve(bu, null);
            Matrix x = fp.states();
            into.add("initial fixed point", Clock.now().since(t0), Flops.bu(d.n(), d.pb(), d.m())
                    + Flops.picard(d.n(), d.m(), fp.iterations()));
            Clock.Reading t1 = Clock.now();
            Passes.GramSum g = new Passes.GramSum(block.u().gram(), block.size());
            into.add("U U^T (once)", Clock.now().since(t1), Flops.uuGram(d.pb(), d.m()));
            return (Outcome<S>) new Outcome<>(block.withStates(x, x.copy()), g);
        }
        Clock.Reading t0 = Clock.now();
        Outcome<S> out = task.apply(model, block);
        into.add("other: " + task.getClass().getSimpleName(), Clock.now().since(t0), 0);
        return out;
    }

    /** The sizes a pass's FLOP counts take: n hidden units, P = p + 1 inputs, q outputs, m columns of the block. */
    private record Dims(int n, int pb, int q, long m) {
        static Dims of(ImplicitModel model, DataBlock block) {
            return new Dims(model.hidden(), block.u().rows(), model.outputs(), block.size());
        }
    }

    /** {@link Passes.RecipeState}'s steps, with a clock around each. */
    private Outcome<Passes.StateStatistics> recipeState(BcdConfig config, boolean withGram, ImplicitModel model,
                                                         DataBlock block, Clock.Segments into) {
        Dims d = Dims.of(model, block);
        boolean withZ = block.preactivation(Passes.StateProducts.key(model)) == null;
        Clock.Reading t0 = Clock.now();
        Matrix x = block.x();
        Passes.StateProducts products = Passes.StateProducts.of(model, block, config.loss());
        double[] lambda = config.lambdas();
        Clock.Reading t1 = Clock.now();
        into.add("state products: Z = BU + AX (unless kept), DU, CX; metrics", t1.since(t0),
                Flops.stateProducts(d.n(), d.pb(), d.q(), d.m(), withZ));
        StepResult p = PStep.solve(config.activation(), config.loss(), lambda, config.mu(), products.z(), x,
                block.y(), model.c(), products.du(), x, config.pStepIterations());
        Clock.Reading t2 = Clock.now();
        into.add("P-step", t2.since(t1), Flops.pStep(d.n(), d.q(), d.m(), config.pStepIterations()));
        ABStep.Statistics ab = ABStep.statistics(config.activation(), lambda, x, block.u(), products.z(), p.value(),
                block.weights(), withGram);
        Clock.Reading t3 = Clock.now();
        into.add("(A,B) statistics: G (X X^T, X U^T unless kept)", t3.since(t2),
                Flops.abStatistics(d.n(), d.pb(), d.m(), withGram));
        into.add("X-step (paper schedule only)", Clock.Span.ZERO, 0);
        return new Outcome<>(block.withStates(x, p.value()),
                new Passes.StateStatistics(ab, p.after(), products.metrics()));
    }

    /** {@link Passes.Resync}'s body: the fixed point of the new (A, B), then readout statistics with Gram blocks. */
    private Outcome<ReadoutStep.Statistics> resync(BcdConfig config, boolean keepZ, ImplicitModel model,
                                                   DataBlock block, Clock.Segments into) {
        Dims d = Dims.of(model, block);
        Clock.Reading t0 = Clock.now();
        Matrix bu = model.b().times(block.u());
        Clock.Reading t1 = Clock.now();
        into.add("fixed point: B U", t1.since(t0), Flops.bu(d.n(), d.pb(), d.m()));
        FixedPointSolver.Result fp = model.solver(config.tolerance()).solve(bu, block.x());
        Matrix x = fp.states();
        picard += fp.iterations();
        Clock.Reading t2 = Clock.now();
        into.add("fixed point: Picard iterations", t2.since(t1), Flops.picard(d.n(), d.m(), fp.iterations()));
        if (keepZ) {
            Matrix.gemm(1.0, model.a(), false, x, false, 1.0, bu); // Z, kept for the next state pass
        }
        ReadoutStep.Statistics st = ReadoutStep.statistics(config.loss(), x, block.u(), block.y(), model.c(), model.d(),
                block.weights(), true);
        into.add("readout statistics with Gram blocks (and Z)", Clock.now().since(t2),
                Flops.readoutStatistics(d.n(), d.pb(), d.q(), d.m(), true) + (keepZ ? Flops.gemm(d.n(), d.m(), d.n()) : 0));
        DataBlock resynced = block.withStates(x, x.copy());
        return new Outcome<>(keepZ ? resynced.withPreactivation(bu, Passes.StateProducts.key(model)) : resynced, st);
    }

    /** The profiled copy left the same statistics, states and kept Z (for the model's key) as common/'s task. */
    private static <S extends Summable<S>> void requireSame(Task<S> task, int block, Outcome<S> reference, Outcome<S> profiled,
                                                            long key) {
        String what = task.getClass().getSimpleName() + " on block " + block;
        if (!reference.statistics().equals(profiled.statistics())) {
            throw new IllegalStateException(what + ": the profiled copy's statistics differ from common/'s");
        }
        DataBlock a = reference.block();
        DataBlock b = profiled.block();
        if (!java.util.Objects.equals(a.x(), b.x()) || !java.util.Objects.equals(a.p(), b.p())) {
            throw new IllegalStateException(what + ": the profiled copy's states differ from common/'s");
        }
        if (!java.util.Objects.equals(a.preactivation(key), b.preactivation(key))) {
            throw new IllegalStateException(what + ": the profiled copy kept a different Z = B U + A X from common/'s");
        }
    }
}
