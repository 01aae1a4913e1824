package org.idl.bench.perf;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import org.idl.bench.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per Spark job: its description (the pass it ran), and what its tasks sent on: the serialised task
 * results that reach the driver ({@code taskMetrics.resultSize} of the result tasks, which is the
 * whole {@code DirectTaskResult}: the value plus the task's accumulator updates) and the shuffle
 * bytes written by an intermediate {@code treeReduce} level, if any. Read it after the context has
 * stopped, when the listener bus has delivered every event.
 */
public final class ResultBytesListener extends SparkListener {

    public static final class Job {
        public final int id;
        public final String description;
        public int resultTasks;
        public long resultBytes;
        public long maxResultBytes;
        public int shuffleTasks;
        public long shuffleBytes;

        Job(int id, String description) {
            this.id = id;
            this.description = description;
        }

        public Map<String, Object> json() {
            return Json.object("job", id, "pass", description, "resultTasks", resultTasks, "resultBytes", resultBytes,
                    "shuffleTasks", shuffleTasks, "shuffleBytesWritten", shuffleBytes);
        }
    }

    private final Map<Integer, Job> jobs = new LinkedHashMap<>();
    private final Map<Integer, Integer> stageToJob = new LinkedHashMap<>();

    @Override
    public synchronized void onJobStart(SparkListenerJobStart start) {
        String d = start.properties() == null ? null : start.properties().getProperty("spark.job.description");
        Job job = new Job(start.jobId(), d == null ? "(none)" : d);
        jobs.put(start.jobId(), job);
        scala.collection.Iterator<StageInfo> it = start.stageInfos().iterator();
        while (it.hasNext()) {
            stageToJob.put(it.next().stageId(), start.jobId());
        }
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        Integer jobId = stageToJob.get(end.stageId());
        if (jobId == null || end.taskMetrics() == null) {
            return;
        }
        Job job = jobs.get(jobId);
        if ("ResultTask".equals(end.taskType())) {
            job.resultTasks++;
            long size = end.taskMetrics().resultSize();
            job.resultBytes += size;
            job.maxResultBytes = Math.max(job.maxResultBytes, size);
        } else {
            job.shuffleTasks++;
            job.shuffleBytes += end.taskMetrics().shuffleWriteMetrics().bytesWritten();
        }
    }

    public synchronized List<Job> jobs() {
        return new ArrayList<>(jobs.values());
    }
}
