/**
 * The batch job behind {@code submit/idl}: subcommands, configuration files, data loading, outputs
 * and reports. Its entry point is {@link org.idl.spark.job.IdlJob}; the rest is not a public API.
 */
package org.idl.spark.job;
