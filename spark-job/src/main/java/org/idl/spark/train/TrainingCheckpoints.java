package org.idl.spark.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.ImplicitModel;
import org.idl.train.MetricSums;
import org.idl.train.Round;
import org.idl.train.TrainingResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Training checkpoints for scheduled batch runs: every {@code interval} rounds the state of training
 * (the model, the per-round history, the initial metrics) is written as plain JSON to
 * {@code <dir>/round-NNNNNN/state.json}, first under a temporary name and then renamed, so a
 * directory without the temporary suffix is always complete. Older checkpoints are deleted, the two
 * newest kept. {@link #resumePoint} reads the newest. Doubles are written in Java's shortest
 * round-trip form, so a resumed run starts from exactly the saved model.
 */
public final class TrainingCheckpoints {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingCheckpoints.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "round-";
    private static final String TMP = ".tmp";

    private final Path dir;
    private final int interval;
    private final boolean resume;
    private final FileSystem fs;
    /** What the trained model depends on (settings by name), written with each checkpoint and checked on resume. */
    private final Map<String, String> settings;

    public TrainingCheckpoints(String directory, int interval, boolean resume, Configuration hadoop) {
        this(directory, interval, resume, hadoop, Map.of());
    }

    /**
     * @param settings what the trained model depends on: a resume whose settings differ from the
     *                 checkpoint's is refused, naming each difference
     */
    public TrainingCheckpoints(String directory, int interval, boolean resume, Configuration hadoop,
                               Map<String, String> settings) {
        if (interval < 1) {
            throw new IllegalArgumentException("checkpoint interval must be >= 1 round, got " + interval);
        }
        this.dir = new Path(directory);
        this.interval = interval;
        this.resume = resume;
        this.settings = new TreeMap<>(settings);
        try {
            this.fs = dir.getFileSystem(hadoop);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String directory() {
        return dir.toString();
    }

    /**
     * The newest readable checkpoint when resuming, else null. A checkpoint that cannot be read (a
     * truncated or edited {@code state.json}) is skipped with a warning naming it, for the one before
     * it: two are kept for that reason. None readable is an error naming every one tried.
     */
    public TrainingResult resumePoint() {
        if (!resume) {
            return null;
        }
        List<Path> candidates;
        try {
            candidates = complete();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the checkpoints in " + dir, e);
        }
        if (candidates.isEmpty()) {
            LOG.info("no checkpoint in {}: starting from the beginning", dir);
            return null;
        }
        List<String> problems = new ArrayList<>();
        for (int i = candidates.size() - 1; i >= 0; i--) {
            Path file = new Path(candidates.get(i), "state.json");
            JsonNode root;
            TrainingResult state;
            try (FSDataInputStream in = fs.open(file)) {
                root = JSON.readTree(in);
                state = read(root);
            } catch (IOException | RuntimeException e) {
                String message = e.getMessage() == null ? e.toString() : e.getMessage();
                String problem = file + ": " + message.lines().findFirst().orElse(e.toString());
                LOG.warn("cannot read checkpoint {}; trying the one before it", problem);
                problems.add(problem);
                continue;
            }
            requireSameSettings(root.path("settings"), file);
            return state;
        }
        throw new IllegalArgumentException("no readable checkpoint in " + dir + ": " + String.join("; ", problems));
    }

    /** Refuses to resume a checkpoint written with other settings than this run's: the result would be neither. */
    private void requireSameSettings(JsonNode saved, Path file) {
        List<String> differences = new ArrayList<>();
        java.util.Set<String> keys = new java.util.TreeSet<>(settings.keySet());
        saved.fieldNames().forEachRemaining(keys::add);
        for (String key : keys) {
            String before = saved.has(key) ? saved.get(key).asText() : null;
            String now = settings.get(key);
            if (!java.util.Objects.equals(before, now)) {
                differences.add(key + " was " + (before == null ? "unset" : before) + " and is "
                        + (now == null ? "unset" : now));
            }
        }
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException("cannot resume from " + file + " with changed settings: "
                    + String.join("; ", differences) + ". Resume with the checkpoint's settings, or train afresh"
                    + " without --resume");
        }
    }

    /** The complete checkpoints, oldest first. */
    private List<Path> complete() throws IOException {
        List<Path> found = new ArrayList<>();
        if (!fs.exists(dir)) {
            return found;
        }
        for (FileStatus status : fs.listStatus(dir)) {
            String name = status.getPath().getName();
            if (status.isDirectory() && name.startsWith(PREFIX) && !name.endsWith(TMP)) {
                found.add(status.getPath());
            }
        }
        found.sort(java.util.Comparator.comparing(Path::getName));
        return found;
    }

    public void roundCompleted(TrainingResult state) {
        int round = state.rounds().size();
        if (round % interval != 0) {
            return;
        }
        String name = String.format("%s%06d", PREFIX, round);
        Path tmp = new Path(dir, name + TMP);
        Path target = new Path(dir, name);
        try {
            fs.mkdirs(dir);
            fs.delete(tmp, true);
            fs.mkdirs(tmp);
            try (FSDataOutputStream out = fs.create(new Path(tmp, "state.json"), true)) {
                ObjectNode root = write(state);
                root.set("settings", JSON.valueToTree(settings));
                out.write(JSON.writeValueAsBytes(root));
            }
            fs.delete(target, true);
            if (!fs.rename(tmp, target)) {
                throw new IOException("could not rename " + tmp + " to " + target);
            }
            List<Path> complete = complete();
            for (int i = 0; i + 2 < complete.size(); i++) {
                fs.delete(complete.get(i), true);
            }
            LOG.info("checkpoint after round {} written to {}", round, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target, e);
        }
    }

    public static ObjectNode write(TrainingResult state) {
        ObjectNode root = JSON.createObjectNode();
        root.put("formatVersion", 1);
        ImplicitModel m = state.model();
        root.put("activation", m.activation().spec());
        root.put("bias", m.bias());
        root.set("A", matrix(m.a()));
        root.set("B", matrix(m.b()));
        root.set("C", matrix(m.c()));
        root.set("D", matrix(m.d()));
        root.set("initial", JSON.valueToTree(state.initial()));
        root.set("rounds", JSON.valueToTree(state.rounds()));
        return root;
    }

    private static ObjectNode matrix(Matrix m) {
        ObjectNode node = JSON.createObjectNode();
        node.put("rows", m.rows());
        node.put("cols", m.cols());
        ArrayNode data = node.putArray("data");
        for (double v : m.data()) {
            data.add(v);
        }
        return node;
    }

    public static TrainingResult read(JsonNode root) throws IOException {
        if (root.path("formatVersion").asInt() != 1) {
            throw new IOException("unknown checkpoint format version " + root.path("formatVersion"));
        }
        ImplicitModel model = new ImplicitModel(matrix(root.get("A")), matrix(root.get("B")), matrix(root.get("C")),
                matrix(root.get("D")), Activation.parse(root.get("activation").asText()), root.get("bias").asBoolean());
        MetricSums initial = JSON.treeToValue(root.get("initial"), MetricSums.class);
        Round[] rounds = JSON.treeToValue(root.get("rounds"), Round[].class);
        return new TrainingResult(model, initial, Arrays.asList(rounds));
    }

    private static Matrix matrix(JsonNode node) {
        JsonNode data = node.get("data");
        double[] d = new double[data.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = data.get(i).asDouble();
        }
        return Matrix.wrap(node.get("rows").asInt(), node.get("cols").asInt(), d);
    }
}
