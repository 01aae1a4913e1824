package org.idl.bench.perf;

import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.train.DataBlock;
import org.idl.train.MetricSums;
import org.idl.train.bcd.ABStep;
import org.idl.train.bcd.BcdConfig;
import org.idl.train.bcd.BcdTrainer;
import org.idl.train.bcd.Passes;
import org.idl.train.bcd.ReadoutStep;
import org.idl.train.gradient.GradientConfig;
import org.idl.train.gradient.GradientPasses;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quick checks of the perf tools on the committed digits data (a few seconds without Spark, about
 * 15 s with the one local[2] session): the profiled copies of the passes give exactly common/'s
 * outcomes, the FLOP and size formulas match the real objects, and the listener sees the bytes.
 */
class PerfSmokeTest {
    private static final Path DIGITS = Path.of("../data/digits/digits.csv.gz");

    private static BenchData.Set digits(int count) throws Exception {
        return BenchData.csvLabelLast(DIGITS).first(count);
    }

    private static List<DataBlock> blocks(BenchData.Set s, int count) {
        Matrix[] uy = BenchData.augmented(s, BenchData.standardizer(s), 10);
        List<DataBlock> list = new ArrayList<>();
        int m = s.size();
        for (int b = 0; b < count; b++) {
            int from = m * b / count;
            int to = m * (b + 1) / count;
            list.add(DataBlock.of(uy[0].columns(from, to), uy[1].columns(from, to), b));
        }
        return list;
    }

    @Test
    void profiledPassesAreCommonsPassesBitForBit() throws Exception {
        BcdConfig config = BcdConfig.builder().hidden(16).rounds(3).initialReadoutPasses(3).build();
        ProfilingStore store = new ProfilingStore(blocks(digits(400), 2), true);
        new BcdTrainer(config).fit(store, 64, 10, null, null);
        // Initialize, 3 initial readouts, 3 rounds of 4 passes, the final readout: 17 passes of 2 blocks.
        assertEquals(2 * 17, store.checkedBlocks());
        assertEquals(3, store.rounds().size());
        ProfilingStore.Round r = store.rounds().get(2);
        assertTrue(r.picardIterations() > 0, "A is non-zero after round 1: Picard runs");
        for (String segment : List.of("P-step", "(A,B) statistics: G (X X^T, X U^T unless kept)",
                "fixed point: Picard iterations", "readout statistics with Gram blocks (and Z)",
                "readout statistics (MM passes)")) {
            assertTrue(r.segments().time().containsKey(segment), segment);
            assertTrue(r.segments().flops().get(segment) > 0, segment);
        }
        assertTrue(r.total().wall() >= r.passes().wall());
    }

    @Test
    void sizeFormulasCountTheNumbersOfTheRealStatistics() throws Exception {
        int n = 12;
        DataBlock block = blocks(digits(50), 1).get(0);
        int pb = block.u().rows();
        int q = 10;
        BcdConfig config = BcdConfig.builder().hidden(n).build();
        ImplicitModel model = new BcdTrainer(config).initialModel(pb - 1, q);
        DataBlock init = new Passes.Initialize(config).apply(model, block).block();
        Passes.StateStatistics state = new Passes.RecipeState(config).apply(model, init).statistics();
        ABStep.Statistics ab = state.ab();
        long stateNumbers = size(ab.g()) + size(ab.xx()) + size(ab.xu()) + 2 + 1 + 5;
        assertEquals(stateNumbers, DriverBytes.numbers("RecipeState (with Gram)", n, pb, q));
        ABStep.Statistics lean = new Passes.RecipeState(config, false).apply(model, init).statistics().ab();
        assertEquals(size(lean.g()) + 2 + 1 + 5, DriverBytes.numbers("RecipeState", n, pb, q));
        ReadoutStep.Statistics withGram = new Passes.Resync(config).apply(model, init).statistics();
        assertEquals(size(withGram.gradient()) + size(withGram.ss()) + size(withGram.su()) + 5,
                DriverBytes.numbers("Resync", n, pb, q));
        ReadoutStep.Statistics plain = new Passes.Readout(config.loss(), false, false).apply(model, init).statistics();
        assertEquals(size(plain.gradient()) + 5, DriverBytes.numbers("Readout", n, pb, q));
        GradientPasses.GradientSums g = new GradientPasses.FullGradient(config.loss(), 1e-6).apply(model, block)
                .statistics();
        long params = size(g.da()) + size(g.db()) + size(g.dc()) + size(g.dd());
        assertEquals(params + 5 + 2, DriverBytes.numbers("FullGradient", n, pb, q));
        GradientPasses.EpochSums e = new GradientPasses.LocalSteps(config.loss(), new GradientConfig(1, 3e-3, 13, 1e-3), 0.95, // 4 of 32 steps of 50 points
                org.idl.train.gradient.Adam.zeros(model.a(), model.b(), model.c(), model.d()), 1, 0, 0, block.size(), 32, 0, 4, 4).apply(model, block)
                .statistics();
        assertEquals(3 * params + 2 + 5 + 3, DriverBytes.numbers("LocalSteps", n, pb, q));
        assertTrue(e.points() > 0);
        // Java serialisation costs 8 bytes a number plus a bounded envelope.
        long bytes = DriverBytes.javaSize(state);
        assertTrue(bytes >= 8 * stateNumbers && bytes < 8 * stateNumbers + 3000, bytes + " vs " + 8 * stateNumbers);
        assertEquals(5, DriverBytes.numbers("Evaluation", n, pb, q));
        MetricSums ms = state.metrics();
        assertEquals(10, ms.outputs());
    }

    @Test
    void flopFormulas() {
        assertEquals(2e9, Flops.gemm(1000, 1000, 1000));
        // Recipe statistics at n = 100, p + 1 = 785, m = 60000: 3 n^2 m + 4 n P m.
        assertEquals(3.0 * 100 * 100 * 60000 + 4.0 * 100 * 785 * 60000, Flops.abStatistics(100, 785, 60000, true));
        // Without the Gram blocks, G alone: 2 n^2 m + 2 n P m.
        assertEquals(2.0 * 100 * 100 * 60000 + 2.0 * 100 * 785 * 60000, Flops.abStatistics(100, 785, 60000, false));
        assertEquals(Flops.readoutStatistics(100, 785, 10, 1000, false) + 100.0 * 100 * 1000 + 2.0 * 100 * 785 * 1000,
                Flops.readoutStatistics(100, 785, 10, 1000, true));
    }

    @Test
    void listenerSeesTheStatisticsCrossToTheDriver() throws Exception {
        BenchData.Set s = digits(400);
        BenchData.Split split = new BenchData.Split("digits", s, s, DIGITS.toString());
        Map<String, Object> run = DriverBytes.run(split, 400, 2, 8, 1);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> passes = (List<Map<String, Object>>) run.get("passes");
        long baseline = (Long) run.get("baselineResultBytesPerTask");
        assertTrue(baseline > 0 && baseline < 5000, "baseline " + baseline);
        boolean sawState = false;
        for (Map<String, Object> p : passes) {
            if (p.get("pass").toString().startsWith("baseline")) {
                continue;
            }
            long formula = (Long) p.get("formulaBytes (8 per number)");
            long measured = (Long) p.get("measuredResultBytesPerTask");
            assertEquals(2, p.get("resultTasks"), p.toString());
            assertTrue(measured >= formula && measured <= formula * 1.01 + baseline + 2000, p.toString());
            sawState |= p.get("pass").equals("bcd: RecipeState");
        }
        assertTrue(sawState);
    }

    private static long size(Matrix m) {
        return (long) m.rows() * m.cols();
    }
}
