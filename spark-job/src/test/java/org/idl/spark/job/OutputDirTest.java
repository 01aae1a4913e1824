package org.idl.spark.job;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutputDirTest {

    @Test
    void aLaterRunRemovesWhatAKilledOneLeftBesideTheOutput(@TempDir Path dir) throws IOException {
        Path stale = Files.createDirectories(dir.resolve(".run.tmp-1700000000000/model"));
        Path other = Files.createDirectories(dir.resolve(".other.tmp-1700000000000"));
        OutputDir out = OutputDir.prepare(dir.resolve("run").toString(), false, List.of());
        out.commit(new Configuration(), (tmp, fs) -> fs.create(new org.apache.hadoop.fs.Path(tmp, "metrics.json")).close());
        assertFalse(Files.exists(stale.getParent()), "the killed run's temporary directory is still there");
        assertTrue(Files.exists(other), "another output's temporary directory must be left alone");
        assertTrue(Files.exists(dir.resolve("run/metrics.json")));
        try (var files = Files.list(dir)) {
            assertEquals(List.of("run", ".other.tmp-1700000000000"),
                    files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".run.probe")).sorted(
                            java.util.Comparator.reverseOrder()).toList());
        }
    }
}
