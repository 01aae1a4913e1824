package org.idl.spark.ml;

import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.idl.spark.SparkInternals;
import org.idl.spark.train.DistributedTrainer;

/**
 * Trains an implicit model for regression of a numeric label by distributed block-coordinate
 * descent with the squared loss; the readout step is then an exact ridge regression.
 */
public class IdlRegressor extends IdlEstimator<IdlRegressor, IdlRegressionModel> {
    private static final long serialVersionUID = 1L;

    public IdlRegressor() {
        this(Identifiable$.MODULE$.randomUID("idlRegressor"));
    }

    public IdlRegressor(String uid) {
        super(uid, "squared");
    }

    @Override
    protected boolean classification() {
        return false;
    }

    @Override
    protected IdlRegressionModel createModel(String uid, DistributedTrainer.Result result, int outputs) {
        return new IdlRegressionModel(uid, result.model()).setSummary(result.summary());
    }

    @Override
    public IdlRegressor copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<IdlRegressor> read() {
        return SparkInternals.defaultParamsReader();
    }

    public static IdlRegressor load(String path) {
        return read().load(path);
    }
}
