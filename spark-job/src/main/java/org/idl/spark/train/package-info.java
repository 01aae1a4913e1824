/**
 * Distributed training: the data blocks as a cached RDD ({@link org.idl.spark.train.SparkBlockStore}),
 * the rows-to-blocks conversion, checkpoints, and the driver loop that runs a solver over them
 * ({@link org.idl.spark.train.DistributedTrainer}). Used by the estimators and the batch job; not a
 * public API: its classes may change in any release.
 */
package org.idl.spark.train;
