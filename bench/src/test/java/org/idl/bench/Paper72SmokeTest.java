package org.idl.bench;

import org.idl.train.bcd.Schedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A small run of the section 7.2 benchmark: on an easy fixed instance (20 inputs of which 2 matter,
 * teacher and student with 5 hidden units, a stronger penalty than the paper's) the recipe with D = 0
 * selects exactly the teacher's input columns; the outputs are written.
 */
class Paper72SmokeTest {

    @Test
    void easyInstanceRecoversTheSupport(@TempDir Path out) throws Exception {
        Paper72.Setup setup = new Paper72.Setup(1, List.of(Schedule.RECIPE), List.of(false), 40, 2.0, 0.01, 10, 2, 300,
                100, 1e-6, 5, 5, 20);
        Paper72.Report report = Paper72.run(setup, out, false);
        Paper72.Outcome o = report.outcomes().get(0);
        assertEquals(2, o.nonzeroKept(), "teacher columns selected");
        assertEquals(18, o.zeroKept(), "teacher zero columns left out");
        assertEquals(18, o.exactZeros(), "left out means exactly 0 (block soft-thresholding, D = 0)");
        assertTrue(o.supportRecovered());
        assertTrue(o.trainRmse() < report.trivialTrain(), o.trainRmse() + " vs " + report.trivialTrain());
        assertTrue(o.testRmse() < report.trivialTest(), o.testRmse() + " vs " + report.trivialTest());
        for (String f : new String[] {"paper-7.2.json", "paper-7.2.md", "paper-7.2-column-norms-recipe-d-zero.png"}) {
            assertTrue(Files.size(out.resolve(f)) > 100, f);
        }
    }
}
