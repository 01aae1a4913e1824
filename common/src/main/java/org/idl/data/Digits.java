package org.idl.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The digits set committed under {@code data/digits/} (scikit-learn's copy of the UCI handwritten
 * digits, BSD-3; see its README), found by walking up from the working directory.
 */
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
