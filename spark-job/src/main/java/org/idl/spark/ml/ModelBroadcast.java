package org.idl.spark.ml;

import org.apache.spark.SparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.idl.model.ImplicitModel;

import java.io.Serializable;

/**
 * A model's matrices broadcast once per SparkContext and reused by every {@code transform}, instead
 * of a new broadcast per call. Spark's ContextCleaner removes it from the executors once the model
 * that holds it is gone.
 */
final class ModelBroadcast implements Serializable {
    private static final long serialVersionUID = 1L;

    private transient SparkContext context;
    private transient Broadcast<ImplicitModel> broadcast;

    synchronized Broadcast<ImplicitModel> get(SparkContext sc, ImplicitModel model) {
        if (broadcast == null || context != sc || sc.isStopped()) {
            broadcast = sc.broadcast(model, scala.reflect.ClassTag$.MODULE$.apply(ImplicitModel.class));
            context = sc;
        }
        return broadcast;
    }
}
