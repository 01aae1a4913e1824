package org.idl.spark.ml;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.idl.linalg.Matrix;
import org.idl.model.ImplicitModel;
import org.idl.spark.train.VectorInputs;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Predictions for a whole data set in batches: each partition gathers up to {@code BATCH} rows into
 * the columns of one input matrix (sparse when the vectors are mostly zeros), solves the fixed point of the learned model for all of them at
 * once (BLAS level 3), and appends the output columns to the rows.
 */
final class BatchTransform {
    static final int BATCH = 2048;

    private BatchTransform() {
    }

    /** The values to append to a row, from that row's output {@code yhat = C x* + D u}. */
    interface Outputs extends Serializable {
        Object[] values(double[] yhat);
    }

    static Dataset<Row> apply(Dataset<?> dataset, StructType outputSchema, String featuresCol, ImplicitModel model,
                              ModelBroadcast broadcast, Outputs outputs) {
        Dataset<Row> df = dataset.toDF();
        int featuresIndex = df.schema().fieldIndex(featuresCol);
        Broadcast<ImplicitModel> snapshot = broadcast.get(df.sparkSession().sparkContext(), model);
        MapPartitionsFunction<Row, Row> predict = rows -> new Iterator<>() {
            private final List<Row> pending = new ArrayList<>();
            private int next;

            @Override
            public boolean hasNext() {
                if (next < pending.size()) {
                    return true;
                }
                pending.clear();
                next = 0;
                List<Row> batch = new ArrayList<>();
                while (rows.hasNext() && batch.size() < BATCH) {
                    batch.add(rows.next());
                }
                if (batch.isEmpty()) {
                    return false;
                }
                ImplicitModel m = snapshot.value();
                List<Vector> features = new ArrayList<>(batch.size());
                for (Row row : batch) {
                    features.add(row.getAs(featuresIndex));
                }
                Matrix yhat = m.predictAugmented(VectorInputs.of(features, m.inputs(), m.bias(), true, featuresCol));
                for (int c = 0; c < batch.size(); c++) {
                    Row row = batch.get(c);
                    Object[] extra = outputs.values(yhat.columns(c, c + 1).data());
                    Object[] values = new Object[row.length() + extra.length];
                    for (int i = 0; i < row.length(); i++) {
                        values[i] = row.get(i);
                    }
                    System.arraycopy(extra, 0, values, row.length(), extra.length);
                    pending.add(RowFactory.create(values));
                }
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return pending.get(next++);
            }
        };
        return df.mapPartitions(predict, Encoders.row(outputSchema));
    }
}
