package org.idl.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A small run of the section 7.1 benchmark: every method trains, the outputs are written. */
class Paper71SmokeTest {

    @Test
    @SuppressWarnings("unchecked")
    void smallRunTrainsEveryMethodAndWritesItsOutputs(@TempDir Path out) throws Exception {
        Paper71.Setup setup = new Paper71.Setup(2, 7, 3, 1e-3, 1e-3, 60, 80, 0.01, 300, 150);
        Paper71.Report report = Paper71.run(setup, out, false);
        for (Paper71.Trial t : report.trials()) {
            for (String key : Paper71.METHODS) {
                Paper71.Run r = t.runs().get(key);
                String what = "trial " + t.index() + " " + key;
                assertTrue(Double.isFinite(r.finalTrain()) && Double.isFinite(r.finalTest()), what);
                // Every method ends below its start and below predicting the training mean.
                assertTrue(r.finalTrain() < r.train()[0], what + ": " + r.train()[0] + " -> " + r.finalTrain());
                assertTrue(r.finalTrain() < t.trivialTrain(), what + ": " + r.finalTrain() + " vs " + t.trivialTrain());
            }
            // The BCD of 7.1 trains all three layers: clearly below the recipe, which cannot move layer 1.
            assertTrue(t.runs().get("bcd-7.1").finalTrain() < t.runs().get("trainer-recipe").finalTrain(),
                    "trial " + t.index());
        }
        Map<String, Object> bcd = (Map<String, Object>) report.summary().get("bcd-7.1");
        assertTrue(Double.isFinite((double) bcd.get("gapTrainMean")));
        for (String f : new String[] {"paper-7.1.json", "paper-7.1.md", "paper-7.1-rmse.png", "paper-7.1-rmsprop.png"}) {
            assertTrue(Files.size(out.resolve(f)) > 100, f);
        }
        assertTrue(Files.readString(out.resolve("paper-7.1.md")).contains("| paper (50 trials) |"));
    }
}
