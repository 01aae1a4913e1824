package org.idl.spark.ml;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.idl.spark.SparkInternals;
import org.idl.spark.train.DistributedTrainer;

/**
 * Trains an implicit model {@code y = C x + D u, x = relu(A x + B u)} for classification by
 * distributed block-coordinate descent (El Ghaoui et al. 2019, section 4.2; the default schedule is
 * method.md's recipe). Labels are class indices 0, 1, ...; the loss is softmax cross-entropy.
 *
 * <pre>{@code
 * IdlClassificationModel model = new IdlClassifier().setHiddenSize(64).setMaxIter(50).fit(train);
 * model.transform(test).select("prediction", "probability");
 * }</pre>
 */
public class IdlClassifier extends IdlEstimator<IdlClassifier, IdlClassificationModel> {
    private static final long serialVersionUID = 1L;

    private final Param<String> rawPredictionCol = new Param<>(this, "rawPredictionCol",
            "column for the raw outputs C x* + D u (logits)");
    private final Param<String> probabilityCol = new Param<>(this, "probabilityCol",
            "column for the softmax of the raw outputs");

    public IdlClassifier() {
        this(Identifiable$.MODULE$.randomUID("idlClassifier"));
    }

    public IdlClassifier(String uid) {
        super(uid, "cross_entropy");
        setDefault(rawPredictionCol, "rawPrediction");
        setDefault(probabilityCol, "probability");
    }

    public Param<String> rawPredictionCol() {
        return rawPredictionCol;
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public IdlClassifier setRawPredictionCol(String value) {
        return (IdlClassifier) set(rawPredictionCol, value);
    }

    public IdlClassifier setProbabilityCol(String value) {
        return (IdlClassifier) set(probabilityCol, value);
    }

    @Override
    protected boolean classification() {
        return true;
    }

    @Override
    protected IdlClassificationModel createModel(String uid, DistributedTrainer.Result result, int outputs) {
        return new IdlClassificationModel(uid, result.model()).setSummary(result.summary());
    }

    @Override
    public IdlClassifier copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<IdlClassifier> read() {
        return SparkInternals.defaultParamsReader();
    }

    public static IdlClassifier load(String path) {
        return read().load(path);
    }
}
