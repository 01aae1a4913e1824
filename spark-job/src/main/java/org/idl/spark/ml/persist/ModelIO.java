package org.idl.spark.ml.persist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.idl.linalg.Matrix;
import org.idl.model.Activation;
import org.idl.model.ImplicitModel;
import org.idl.model.WellPosedness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Saves and loads models as plain data: {@code metadata/} holds one JSON line in Spark ML's layout
 * (class, timestamp, sparkVersion, uid, paramMap, defaultParamMap) plus the model's own fields, so
 * Pipelines find the class; {@code data/} is a Parquet table of the matrices A, B, C, D, one row each
 * (name, rows, cols, column-major values). No Java- or Kryo-serialised objects.
 */
public final class ModelIO {
    public static final String FORMAT_VERSION = "1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelIO() {
    }

    public record Loaded(String uid, ImplicitModel model, JsonNode metadata) {
    }

    public static void save(Params instance, ImplicitModel model, Map<String, Object> extra, String path, SparkSession spark) {
        ObjectNode meta = JSON.createObjectNode();
        meta.put("class", instance.getClass().getName());
        meta.put("timestamp", System.currentTimeMillis());
        meta.put("sparkVersion", spark.version());
        meta.put("uid", instance.uid());
        meta.set("paramMap", params(instance, true));
        meta.set("defaultParamMap", params(instance, false));
        meta.put("formatVersion", FORMAT_VERSION);
        meta.put("idlVersion", Versions.project());
        meta.put("activation", model.activation().spec());
        meta.put("bias", model.bias());
        meta.put("digest", digest(model));
        for (Map.Entry<String, Object> e : extra.entrySet()) {
            meta.set(e.getKey(), JSON.valueToTree(e.getValue()));
        }
        String line;
        try {
            line = JSON.writeValueAsString(meta);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        spark.sparkContext().parallelize(scala.jdk.javaapi.CollectionConverters.asScala(List.of(line)).toSeq(), 1,
                scala.reflect.ClassTag$.MODULE$.apply(String.class)).saveAsTextFile(path + "/metadata");
        List<Row> rows = new ArrayList<>();
        rows.add(matrixRow("A", model.a()));
        rows.add(matrixRow("B", model.b()));
        rows.add(matrixRow("C", model.c()));
        rows.add(matrixRow("D", model.d()));
        StructType schema = new StructType()
                .add("name", DataTypes.StringType, false)
                .add("rows", DataTypes.IntegerType, false)
                .add("cols", DataTypes.IntegerType, false)
                .add("values", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(path + "/data");
    }

    private static Row matrixRow(String name, Matrix m) {
        List<Double> values = new ArrayList<>(m.data().length);
        for (double v : m.data()) {
            values.add(v);
        }
        return RowFactory.create(name, m.rows(), m.cols(), scala.jdk.javaapi.CollectionConverters.asScala(values).toSeq());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ObjectNode params(Params instance, boolean explicit) {
        ObjectNode node = JSON.createObjectNode();
        for (Param param : instance.params()) {
            boolean has = explicit ? instance.isSet(param) : instance.hasDefault(param);
            if (!has) {
                continue;
            }
            Object value = explicit ? instance.getOrDefault(param) : instance.getDefault(param).get();
            try {
                node.set(param.name(), JSON.readTree(param.jsonEncode(value)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return node;
    }

    public static Loaded load(String path, SparkSession spark, Class<?> expected) {
        String line = spark.sparkContext().textFile(path + "/metadata", 1).first();
        JsonNode meta;
        try {
            meta = JSON.readTree(line);
        } catch (IOException e) {
            throw new IllegalArgumentException("model metadata at " + path + "/metadata is not valid JSON", e);
        }
        String cls = meta.path("class").asText();
        if (!cls.equals(expected.getName())) {
            throw new IllegalArgumentException("the model at " + path + " is a " + cls + ", not a " + expected.getName());
        }
        if (!FORMAT_VERSION.equals(meta.path("formatVersion").asText())) {
            throw new IllegalArgumentException("the model at " + path + " has format version "
                    + meta.path("formatVersion").asText() + "; this build reads version " + FORMAT_VERSION);
        }
        Map<String, Matrix> matrices = new HashMap<>();
        Dataset<Row> data = spark.read().parquet(path + "/data");
        for (Row row : data.collectAsList()) {
            List<Double> values = row.getList(3);
            double[] d = new double[values.size()];
            for (int i = 0; i < d.length; i++) {
                d[i] = values.get(i);
            }
            matrices.put(row.getString(0), Matrix.wrap(row.getInt(1), row.getInt(2), d));
        }
        for (String name : List.of("A", "B", "C", "D")) {
            if (!matrices.containsKey(name)) {
                throw new IllegalArgumentException("the model at " + path + " has no matrix " + name);
            }
        }
        for (Map.Entry<String, Matrix> m : matrices.entrySet()) {
            if (!m.getValue().isFinite()) {
                throw new IllegalArgumentException("the model at " + path + " has a non-finite entry in " + m.getKey());
            }
        }
        ImplicitModel model;
        try {
            model = new ImplicitModel(matrices.get("A"), matrices.get("B"), matrices.get("C"), matrices.get("D"),
                    Activation.parse(meta.path("activation").asText()), meta.path("bias").asBoolean());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the model at " + path + " is inconsistent: " + e.getMessage(), e);
        }
        String saved = meta.path("digest").asText("");
        if (!saved.isEmpty() && !saved.equals(digest(model))) {
            throw new IllegalArgumentException("the model at " + path + " fails its digest check: its matrices, activation"
                    + " or bias changed after it was saved");
        }
        WellPosedness.Certificate c = WellPosedness.certify(model.a());
        if (!c.valid() && !WellPosedness.structure(model.a()).triangular()) {
            throw new IllegalArgumentException(String.format("the model at %s is not certified well-posed:"
                    + " ||A||_inf = %.4g and rho(|A|) ~ %.4g are not below 1, and A is not triangular", path,
                    c.infNorm(), c.spectralRadiusEstimate()));
        }
        return new Loaded(meta.path("uid").asText(), model, meta);
    }

    /** SHA-256 of what the predictions depend on: activation, bias, and A, B, C, D with their shapes. */
    static String digest(ImplicitModel model) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update((model.activation().spec() + "|" + model.bias()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(8);
            for (Matrix m : List.of(model.a(), model.b(), model.c(), model.d())) {
                md.update(java.nio.ByteBuffer.allocate(8).putInt(m.rows()).putInt(m.cols()).array());
                for (double v : m.data()) {
                    md.update(buffer.clear().putDouble(v).array());
                }
            }
            return "sha256:" + java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sets the saved params on a freshly constructed instance: the defaults it was saved with (a later
     * version's defaults do not change a saved model; a default this version no longer has is
     * skipped), then the explicit values (an unknown one is an error, as in Spark's reader).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static void restoreParams(Params instance, JsonNode metadata) {
        Iterator<Map.Entry<String, JsonNode>> defaults = metadata.path("defaultParamMap").fields();
        while (defaults.hasNext()) {
            Map.Entry<String, JsonNode> e = defaults.next();
            if (instance.hasParam(e.getKey())) {
                Param param = instance.getParam(e.getKey());
                instance.setDefault(param, param.jsonDecode(e.getValue().toString()));
            }
        }
        Iterator<Map.Entry<String, JsonNode>> fields = metadata.path("paramMap").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            Param param = instance.getParam(e.getKey());
            instance.set(param, param.jsonDecode(e.getValue().toString()));
        }
    }

    public static Map<String, Object> extra(String key, Object value) {
        return Collections.singletonMap(key, value);
    }
}
