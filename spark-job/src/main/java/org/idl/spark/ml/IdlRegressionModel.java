package org.idl.spark.ml;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.RegressionModel;
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

import java.util.Collections;

/** A trained implicit regressor: {@code prediction = C x* + D u} at the true fixed point, solved in batches. */
public class IdlRegressionModel extends RegressionModel<Vector, IdlRegressionModel>
        implements MLWritable, IdlTrainingParams {
    private static final long serialVersionUID = 1L;

    private String uid;
    private final ImplicitModel model;
    private TrainingSummary summary;
    private final IdlParams training;
    private final ModelBroadcast broadcast = new ModelBroadcast();

    public IdlRegressionModel(String uid, ImplicitModel model) {
        this(PendingUid.park(uid), model, true);
    }

    private IdlRegressionModel(String uid, ImplicitModel model, boolean parked) {
        PendingUid.clear();
        if (model.outputs() != 1) {
            throw new IllegalArgumentException("a regression model has one output, got " + model.outputs());
        }
        this.uid = uid;
        this.model = model;
        this.training = new IdlParams(this, "squared");
        training.setDefaults(this);
    }

    @Override
    public String uid() {
        return uid != null ? uid : PendingUid.get();
    }

    @Override
    public IdlParams trainingParams() {
        return training;
    }

    public ImplicitModel implicitModel() {
        return model;
    }

    IdlRegressionModel setSummary(TrainingSummary s) {
        this.summary = s;
        return this;
    }

    public boolean hasSummary() {
        return summary != null;
    }

    public TrainingSummary summary() {
        return TrainingSummary.require(summary);
    }

    @Override
    public int numFeatures() {
        return model.inputs();
    }

    @Override
    public double predict(Vector features) {
        return model.predictAugmented(VectorInputs.of(java.util.List.of(features), model.inputs(), model.bias(), true,
                getFeaturesCol())).get(0, 0);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        if (schema.getFieldIndex(getFeaturesCol()).isEmpty()) {
            throw new IllegalArgumentException("no column '" + getFeaturesCol() + "' in " + schema.simpleString());
        }
        if (schema.getFieldIndex(getPredictionCol()).isDefined()) {
            throw new IllegalArgumentException("output column '" + getPredictionCol() + "' already exists");
        }
        return schema.add(getPredictionCol(), DataTypes.DoubleType, false);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        return BatchTransform.apply(dataset, transformSchema(dataset.schema()), getFeaturesCol(), model,
                broadcast, yhat -> new Object[]{yhat[0]});
    }

    @Override
    public IdlRegressionModel copy(ParamMap extra) {
        IdlRegressionModel copy = copyValues(new IdlRegressionModel(uid, model), extra);
        copy.summary = summary;
        return copy.setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                ModelIO.save(IdlRegressionModel.this, model, Collections.emptyMap(), path, sparkSession());
            }
        };
    }

    public static MLReader<IdlRegressionModel> read() {
        return new MLReader<>() {
            @Override
            public IdlRegressionModel load(String path) {
                ModelIO.Loaded loaded = ModelIO.load(path, sparkSession(), IdlRegressionModel.class);
                IdlRegressionModel m = new IdlRegressionModel(loaded.uid(), loaded.model());
                ModelIO.restoreParams(m, loaded.metadata());
                return m;
            }
        };
    }

    public static IdlRegressionModel load(String path) {
        return read().load(path);
    }
}
