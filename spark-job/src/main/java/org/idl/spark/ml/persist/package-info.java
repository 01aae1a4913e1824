/** How fitted models are written and read (Spark ML's layout: metadata JSON plus Parquet data); internal. */
package org.idl.spark.ml.persist;
