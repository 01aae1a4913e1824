/**
 * The Spark ML API: {@link org.idl.spark.ml.IdlClassifier} and {@link org.idl.spark.ml.IdlRegressor}
 * (Estimators) and the models they fit, which save and load like any Spark ML stage.
 */
package org.idl.spark.ml;
