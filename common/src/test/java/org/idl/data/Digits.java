package org.idl.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The committed digits set, found by walking up from the working directory to the repository root. */
public final class Digits {
    private Digits() {
    }

    public static Path path() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("data/digits/digits.csv.gz");
            if (Files.exists(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("data/digits/digits.csv.gz not found above " + Path.of("").toAbsolutePath());
    }

    public static LabeledData load() {
        try {
            return LabeledData.readCsv(path());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
