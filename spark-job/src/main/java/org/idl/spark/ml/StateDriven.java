package org.idl.spark.ml;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.idl.model.ImplicitModel;
import org.idl.spark.train.SparkBlockStore;
import org.idl.spark.train.TrainingData;
import org.idl.train.DataBlock;
import org.idl.train.sim.StateDrivenFit;

/**
 * State-driven implicit modelling on Spark ({@link StateDrivenFit}): a sparse, well-posed student
 * fitted to a teacher classifier's states on a data set, with one pass over the data (the executors
 * sum the Gram statistics of their partitions) and the row problems solved on the driver. Labels are
 * not read: the teacher's states and outputs are the targets.
 */
public final class StateDriven {
    private StateDriven() {
    }

    /** The student, with the teacher's columns, class names and params, and its own (A, B, C, D). */
    public static IdlClassificationModel fit(IdlClassificationModel teacher, Dataset<?> data, StateDrivenFit.Config config) {
        ImplicitModel t = teacher.implicitModel();
        String features = teacher.getFeaturesCol();
        JavaRDD<Row> rows = data.select(functions.col(features), functions.lit(0.0), functions.lit(1.0)).toJavaRDD();
        TrainingData.Shape shape = TrainingData.validate(rows, features, "(none)", "", false, 2);
        if (shape.features() != t.inputs()) {
            throw new IllegalArgumentException("column '" + features + "' holds " + shape.features()
                    + " features, the teacher takes " + t.inputs());
        }
        JavaRDD<DataBlock> blocks = TrainingData.blocks(rows, shape, t.bias(), false, false, features);
        SparkBlockStore store = new SparkBlockStore(blocks, 2, -1, StorageLevel.MEMORY_AND_DISK());
        try {
            StateDrivenFit.Statistics s = store.pass(t, new StateDrivenFit.TeacherStatistics(ImplicitModel.DEFAULT_TOLERANCE));
            return teacher.withImplicitModel(StateDrivenFit.fit(t, s, config));
        } finally {
            store.release();
        }
    }
}
