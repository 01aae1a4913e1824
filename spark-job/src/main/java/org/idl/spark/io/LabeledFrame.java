package org.idl.spark.io;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A labelled data set as a frame of {@code features} (vector) and {@code label} (double: a class index
 * for classification), with the original label of each class index ({@code classNames}, null when the
 * labels are kept as numeric targets) and the size of every features vector. Data read for
 * predictions may have no labels: then the frame has no {@code label} column.
 */
public record LabeledFrame(Dataset<Row> frame, String[] classNames, int numFeatures) {
    public boolean labelled() {
        return frame.schema().getFieldIndex("label").isDefined();
    }
}
