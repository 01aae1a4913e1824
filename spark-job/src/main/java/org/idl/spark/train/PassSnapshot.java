package org.idl.spark.train;

import org.idl.model.ImplicitModel;
import org.idl.train.BlockStore;

import java.io.Serializable;

/**
 * What one pass ships to the executors, broadcast once rather than inside every task's closure: the
 * parameters and the task (its settings and, for the gradient solver, Adam's moments: as large as the
 * parameters themselves).
 */
/** @param task a {@link BlockStore.Task} or a {@link BlockStore.CollectiveTask} */
record PassSnapshot(ImplicitModel parameters, Serializable task) implements Serializable {
}
