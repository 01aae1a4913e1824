package org.idl.spark.train;

import org.apache.spark.SparkContext;
import org.idl.train.MemoryPlan;
import org.idl.train.Solver;

/**
 * Checks made once the data's sizes are known and before training starts: enough memory for the
 * model on the driver and the executors ({@link MemoryPlan}), and no more partitions than points.
 * Each failure names the setting to change.
 */
public final class TrainingLimits {
    /** Share of a JVM's heap the large arrays may take: the rest is Spark's, the data's and headroom. */
    private static final double HEAP_SHARE = 0.8;
    /** Share of an executor's memory outside Spark's storage and execution pools (spark.memory.fraction 0.6). */
    private static final double EXECUTOR_SHARE = 0.4;

    private TrainingLimits() {
    }

    /**
     * Before the data is read (the batch job checks this before Spark starts): the model's own arrays
     * on the driver, with {@code plan}'s inputs and outputs a lower bound.
     */
    public static void checkDriver(MemoryPlan plan) {
        requireDriver(plan, plan.driverBytes(), "hiddenSize = " + plan.hidden() + ", solver = " + plan.solver().spec()
                + ", before counting the data's inputs,");
    }

    /**
     * @param inProcess the blocks are held in the driver ({@link InProcess}): no task results
     * @param depth     the depth of the tree in which the partitions' results are summed
     */
    public static void check(MemoryPlan plan, long points, int partitions, SparkContext sc, boolean inProcess,
                             int depth) {
        if (partitions > points) {
            throw new IllegalArgumentException("the training data has " + partitions + " partitions for " + points
                    + " points: use at most " + points + " (data.partitions in the job, or repartition the DataFrame;"
                    + " one partition per executor core is best)");
        }
        long task = plan.taskBytes((points + partitions - 1) / partitions);
        // In local mode the tasks run in the driver's JVM, as many at once as there are cores.
        long concurrent = sc.isLocal() ? Math.min(partitions, sc.defaultParallelism()) : 0;
        requireDriver(plan, plan.driverBytes() + concurrent * task, sizes(plan));
        if (!sc.isLocal()) {
            long executor = sc.getConf().getSizeAsBytes("spark.executor.memory", "1g");
            int cores = sc.getConf().getInt("spark.executor.cores", 1);
            if (cores * task > EXECUTOR_SHARE * executor) {
                throw new IllegalArgumentException(sizes(plan) + " needs about " + MemoryPlan.gigabytes(task)
                        + " per task, " + cores + " tasks at once on an executor of "
                        + MemoryPlan.gigabytes(executor) + ": raise spark.executor.memory, use more partitions, or"
                        + " lower model.hiddenSize");
            }
        }
        int arriving = resultsAtTheDriver(partitions, depth);
        long results = arriving * plan.resultBytes();
        long maxResults = sc.getConf().getSizeAsBytes("spark.driver.maxResultSize", "1g");
        if (!inProcess && maxResults > 0 && results > maxResults) {
            // Spark would abort the first pass; say so before it starts, with the setting that fits.
            throw new IllegalArgumentException(sizes(plan) + " sends about " + MemoryPlan.gigabytes(results)
                    + " to the driver in each pass (" + arriving + " results of "
                    + MemoryPlan.gigabytes(plan.resultBytes()) + "), above spark.driver.maxResultSize = "
                    + MemoryPlan.gigabytes(maxResults) + ": set spark.driver.maxResultSize to at least "
                    + (long) Math.ceil(results * 1.25 / (1L << 30)) + "g (0: no limit), or lower model.hiddenSize");
        }
    }

    /**
     * How many partial results {@code treeReduce} sends to the driver: Spark's treeAggregate merges the
     * partitions in levels of {@code scale = max(ceil(P^(1/depth)), 2)} while that saves a level.
     */
    static int resultsAtTheDriver(int partitions, int depth) {
        int n = partitions;
        int scale = Math.max((int) Math.ceil(Math.pow(n, 1.0 / Math.max(1, depth))), 2);
        while (n > scale + Math.ceil((double) n / scale)) {
            n /= scale; // as Spark's RDD.treeAggregate does
        }
        return n;
    }

    private static void requireDriver(MemoryPlan plan, long bytes, String what) {
        long heap = Runtime.getRuntime().maxMemory();
        if (bytes > HEAP_SHARE * heap) {
            throw new IllegalArgumentException(what + " needs about " + MemoryPlan.gigabytes(bytes)
                    + " on the driver (" + plan.largest() + "); the driver has " + MemoryPlan.gigabytes(heap)
                    + ": lower model.hiddenSize" + (plan.solver() == Solver.GRADIENT ? "" : " or use solver = gradient")
                    + ", or give the driver more memory (IDL_DRIVER_MEMORY, spark.driver.memory)");
        }
    }

    private static String sizes(MemoryPlan plan) {
        return "hiddenSize = " + plan.hidden() + " with " + plan.inputs() + " inputs (bias included) and "
                + plan.outputs() + " outputs, solver = " + plan.solver().spec();
    }
}
