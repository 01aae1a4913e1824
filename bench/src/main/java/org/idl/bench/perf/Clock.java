package org.idl.bench.perf;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wall time, this thread's CPU time (ThreadMXBean) and the whole JVM's CPU time, read together.
 * Thread CPU is the figure that holds up on a shared machine, and it is the whole cost of a piece
 * of work when BLAS runs in the calling thread ({@code OPENBLAS_NUM_THREADS=1}); with a threaded
 * BLAS the BLAS threads' CPU shows only in the process figure.
 */
public final class Clock {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    public record Reading(long wall, long threadCpu, long processCpu) {
        public Span since(Reading start) {
            return new Span((wall - start.wall) / 1e9, (threadCpu - start.threadCpu) / 1e9,
                    (processCpu - start.processCpu) / 1e9);
        }
    }

    /** Seconds: wall, this thread's CPU, the process's CPU. */
    public record Span(double wall, double threadCpu, double processCpu) {
        public static final Span ZERO = new Span(0, 0, 0);

        public Span plus(Span o) {
            return new Span(wall + o.wall, threadCpu + o.threadCpu, processCpu + o.processCpu);
        }

        public Span minus(Span o) {
            return new Span(wall - o.wall, threadCpu - o.threadCpu, processCpu - o.processCpu);
        }
    }

    /** Time and FLOPs summed per named segment, in first-seen order. */
    public static final class Segments {
        private final Map<String, Span> time = new LinkedHashMap<>();
        private final Map<String, Double> flops = new LinkedHashMap<>();

        public void add(String name, Span span, double flop) {
            time.merge(name, span, Span::plus);
            flops.merge(name, flop, Double::sum);
        }

        public Map<String, Span> time() {
            return time;
        }

        public Map<String, Double> flops() {
            return flops;
        }

        public Span total() {
            Span s = Span.ZERO;
            for (Span v : time.values()) {
                s = s.plus(v);
            }
            return s;
        }

        public double totalFlops() {
            double f = 0;
            for (double v : flops.values()) {
                f += v;
            }
            return f;
        }
    }

    private Clock() {
    }

    public static Reading now() {
        return new Reading(System.nanoTime(), THREADS.getCurrentThreadCpuTime(), OS.getProcessCpuTime());
    }
}
