package org.idl.spark.ml;

import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.spark.train.VectorInputs;
import org.idl.spark.ml.persist.ModelIO;

import java.util.ArrayList;
import java.util.List;

/**
 * A trained implicit classifier. Every prediction comes from the true fixed point of the learned
 * (A, B, C, D): {@code rawPrediction = C x* + D u}, {@code probability = softmax(rawPrediction)},
 * {@code prediction} = the arg max. {@link #transform} solves whole batches of rows at once.
 */
public class IdlClassificationModel extends ProbabilisticClassificationModel<Vector, IdlClassificationModel>
        implements MLWritable, IdlTrainingParams {
    private static final long serialVersionUID = 1L;

    private String uid;
    private final ImplicitModel model;
    private TrainingSummary summary;
    private final StringArrayParam classNames = new StringArrayParam(this, "classNames",
            "the original label of each class index, for reports and predictions (empty: the indices)");

    public IdlClassificationModel(String uid, ImplicitModel model) {
        this(PendingUid.park(uid), model, true);
    }

    private final IdlParams training;
    private final ModelBroadcast broadcast = new ModelBroadcast();

    private IdlClassificationModel(String uid, ImplicitModel model, boolean parked) {
        PendingUid.clear();
        this.uid = uid;
        this.model = model;
        this.training = new IdlParams(this, "cross_entropy");
        training.setDefaults(this);
        setDefault(classNames, new String[0]);
    }

    @Override
    public IdlParams trainingParams() {
        return training;
    }

    public StringArrayParam classNames() {
        return classNames;
    }

    public IdlClassificationModel setClassNames(String[] names) {
        if (names.length != 0 && names.length != numClasses()) {
            throw new IllegalArgumentException(names.length + " class names for " + numClasses() + " classes");
        }
        return (IdlClassificationModel) set(classNames, names);
    }

    /**
     * A Spark MLlib multilayer perceptron as an implicit model (paper section 2.2): its sigmoid hidden
     * layers become the state, stacked last layer first, so A is block strictly upper triangular and
     * the fixed point is solved exactly by substitution, and its output layer becomes (C, D); the
     * softmax on top is this model's probability. The predictions are MLlib's. The columns are the
     * perceptron's; hiddenSize, activation and fitIntercept describe the imported model. A triangular A
     * is well-posed whatever its norm, so kappa does not constrain it here.
     */
    public static IdlClassificationModel fromMultilayerPerceptron(
            org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel mlp) {
        int[] layers = mlp.getLayers();
        if (layers.length < 3) {
            throw new IllegalArgumentException("the perceptron has layers " + java.util.Arrays.toString(layers)
                    + ": an implicit model needs at least one hidden layer");
        }
        double[] w = mlp.weights().toArray();
        List<Matrix> weights = new ArrayList<>();
        List<double[]> biases = new ArrayList<>();
        int at = 0;
        for (int l = 0; l + 1 < layers.length; l++) {
            int in = layers[l];
            int out = layers[l + 1];
            if (at + out * in + out > w.length) {
                throw new IllegalArgumentException("the perceptron's " + w.length + " weights do not fill layers "
                        + java.util.Arrays.toString(layers));
            }
            // MLlib's affine layer: W (out x in, column-major), then its bias.
            weights.add(Matrix.wrap(out, in, java.util.Arrays.copyOfRange(w, at, at + out * in)));
            at += out * in;
            biases.add(java.util.Arrays.copyOfRange(w, at, at + out));
            at += out;
        }
        if (at != w.length) {
            throw new IllegalArgumentException("the perceptron has " + w.length + " weights, its layers "
                    + java.util.Arrays.toString(layers) + " use " + at);
        }
        ImplicitModel model = ImplicitModel.feedforward(weights, biases, org.idl.model.Activation.SIGMOID);
        IdlClassificationModel out = new IdlClassificationModel(
                org.apache.spark.ml.util.Identifiable.randomUID("idlClassifier"), model);
        out.set(out.training.hiddenSize, model.hidden());
        out.set(out.training.activation, model.activation().spec());
        out.set(out.training.fitIntercept, true);
        out.setFeaturesCol(mlp.getFeaturesCol());
        out.setPredictionCol(mlp.getPredictionCol());
        out.setProbabilityCol(mlp.getProbabilityCol());
        out.setRawPredictionCol(mlp.getRawPredictionCol());
        return out;
    }

    /** The original label of class index k. */
    public String className(int k) {
        String[] names = (String[]) getOrDefault(classNames);
        return names.length == 0 ? Integer.toString(k) : names[k];
    }

    @Override
    public String uid() {
        return uid != null ? uid : PendingUid.get();
    }

    /** The learned implicit model. */
    public ImplicitModel implicitModel() {
        return model;
    }

    IdlClassificationModel setSummary(TrainingSummary s) {
        this.summary = s;
        return this;
    }

    public boolean hasSummary() {
        return summary != null;
    }

    /** The training summary; only a model fresh from fit has one. */
    public TrainingSummary summary() {
        return TrainingSummary.require(summary);
    }

    /** No training summary model to find (Spark's summaries are for its own models). */
    @Override
    @SuppressWarnings("rawtypes")
    public scala.Tuple3 findSummaryModel() {
        return new scala.Tuple3<>(this, getPredictionCol(), "");
    }

    @Override
    public int numClasses() {
        return model.outputs();
    }

    @Override
    public int numFeatures() {
        return model.inputs();
    }

    @Override
    public Vector predictRaw(Vector features) {
        return Vectors.dense(model.predictAugmented(VectorInputs.of(java.util.List.of(features), model.inputs(),
                model.bias(), true, getFeaturesCol())).data());
    }

    @Override
    public Vector raw2probabilityInPlace(Vector raw) {
        double[] v = ((DenseVector) raw).values();
        softmaxInPlace(v);
        return raw;
    }

    static void softmaxInPlace(double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            max = Math.max(max, x);
        }
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.exp(v[i] - max);
            sum += v[i];
        }
        for (int i = 0; i < v.length; i++) {
            v[i] /= sum;
        }
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Spark's rule with thresholds: the class of the largest probability / threshold (a 0 threshold wins). */
    static int argmaxScaled(double[] probability, double[] thresholds) {
        int best = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < probability.length; i++) {
            double scaled = probability[i] / thresholds[i];
            if (scaled > max) {
                max = scaled;
                best = i;
            }
        }
        return best;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        int index = schema.getFieldIndex(getFeaturesCol()).getOrElse(() -> -1);
        if (index < 0) {
            throw new IllegalArgumentException("no column '" + getFeaturesCol() + "' in " + schema.simpleString());
        }
        if (!(schema.fields()[index].dataType() instanceof org.apache.spark.ml.linalg.VectorUDT)) {
            throw new IllegalArgumentException("column '" + getFeaturesCol() + "' must hold vectors, it holds "
                    + schema.fields()[index].dataType().simpleString());
        }
        StructType out = schema;
        for (String col : outputColumns()) {
            if (schema.getFieldIndex(col).isDefined()) {
                throw new IllegalArgumentException("output column '" + col + "' already exists");
            }
        }
        if (!getRawPredictionCol().isEmpty()) {
            out = out.add(getRawPredictionCol(), SQLDataTypes.VectorType(), false);
        }
        if (!getProbabilityCol().isEmpty()) {
            out = out.add(getProbabilityCol(), SQLDataTypes.VectorType(), false);
        }
        if (!getPredictionCol().isEmpty()) {
            out = out.add(getPredictionCol(), DataTypes.DoubleType, false);
        }
        return out;
    }

    private List<String> outputColumns() {
        List<String> cols = new ArrayList<>();
        for (String c : new String[]{getRawPredictionCol(), getProbabilityCol(), getPredictionCol()}) {
            if (!c.isEmpty()) {
                cols.add(c);
            }
        }
        return cols;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType schema = transformSchema(dataset.schema());
        boolean raw = !getRawPredictionCol().isEmpty();
        boolean prob = !getProbabilityCol().isEmpty();
        boolean pred = !getPredictionCol().isEmpty();
        double[] cutoffs = isDefined(thresholds()) ? getThresholds() : null;
        if (cutoffs != null && cutoffs.length != numClasses()) {
            throw new IllegalArgumentException("thresholds has " + cutoffs.length + " entries for " + numClasses()
                    + " classes");
        }
        return BatchTransform.apply(dataset, schema, getFeaturesCol(), model, broadcast, yhat -> {
            List<Object> values = new ArrayList<>(3);
            if (raw) {
                values.add(Vectors.dense(yhat.clone()));
            }
            double[] p = yhat.clone();
            softmaxInPlace(p);
            if (prob) {
                values.add(Vectors.dense(p));
            }
            if (pred) {
                values.add((double) (cutoffs == null ? argmax(yhat) : argmaxScaled(p, cutoffs)));
            }
            return values.toArray();
        });
    }

    /**
     * The same classifier (uid, params, class names) around another implicit model with the same
     * outputs, such as a compacted one; it has no training summary.
     */
    public IdlClassificationModel withImplicitModel(ImplicitModel other) {
        if (other.outputs() != model.outputs()) {
            throw new IllegalArgumentException("the new model has " + other.outputs() + " outputs, this one "
                    + model.outputs());
        }
        IdlClassificationModel out = copyValues(new IdlClassificationModel(uid, other), ParamMap.empty());
        // The params that describe the model itself follow it (a load re-factors A when rank > 0).
        out.set(out.training.rank, other.rank());
        out.set(out.training.hiddenSize, other.hidden());
        return out.setParent(parent());
    }

    @Override
    public IdlClassificationModel copy(ParamMap extra) {
        IdlClassificationModel copy = copyValues(new IdlClassificationModel(uid, model), extra);
        copy.summary = summary;
        return copy.setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                ModelIO.save(IdlClassificationModel.this, model, ModelIO.extra("numClasses", numClasses()), path,
                        sparkSession());
            }
        };
    }

    public static MLReader<IdlClassificationModel> read() {
        return new MLReader<>() {
            @Override
            public IdlClassificationModel load(String path) {
                ModelIO.Loaded loaded = ModelIO.load(path, sparkSession(), IdlClassificationModel.class);
                IdlClassificationModel m = new IdlClassificationModel(loaded.uid(), loaded.model());
                ModelIO.restoreParams(m, loaded.metadata());
                if (m.getRank() > 0) {
                    // Saved as the dense A = L R^T: factored again, exactly (A has rank k), for the fast fixed point.
                    m = m.withImplicitModel(org.idl.model.LowRank.of(loaded.model(), m.getRank()));
                }
                String[] names = (String[]) m.getOrDefault(m.classNames);
                if (names.length != 0 && names.length != m.numClasses()) {
                    throw new IllegalArgumentException("the model at " + path + " names " + names.length
                            + " classes but has " + m.numClasses() + " outputs");
                }
                return m;
            }
        };
    }

    public static IdlClassificationModel load(String path) {
        return read().load(path);
    }

    @Override
    public String toString() {
        return "IdlClassificationModel: uid=" + uid + ", n=" + model.hidden() + ", numFeatures=" + numFeatures()
                + ", numClasses=" + numClasses();
    }
}
