package org.idl.bench.perf;

import org.idl.bench.Json;
import org.idl.linalg.Matrix;

import java.util.Map;
import java.util.Random;

/**
 * The dgemm rate through {@link Matrix#gemm} (netlib's BLAS: native OpenBLAS where installed), at a
 * given shape: {@code C (a x b) = op(A) op(B)} with inner dimension k, repeated for at least
 * {@code minSeconds} of wall time after one warm-up call. GFLOP/s = 2abk per call over wall time,
 * over this thread's CPU time and over the process's CPU time.
 */
public final class DgemmRate {

    public record Rate(String shape, int a, int b, int k, boolean transB, int calls, double gflopsWall,
                       double gflopsThreadCpu, double gflopsProcessCpu) {
        public Map<String, Object> json() {
            return Json.object("shape", shape, "m", a, "n", b, "k", k, "transB", transB, "calls", calls,
                    "gflopsWall", round(gflopsWall), "gflopsThreadCpu", round(gflopsThreadCpu),
                    "gflopsProcessCpu", round(gflopsProcessCpu));
        }
    }

    private DgemmRate() {
    }

    /** {@code C (a x b) = A (a x k) * op(B)}, with B stored k x b, or b x k when {@code transB}. */
    public static Rate measure(String shape, int a, int b, int k, boolean transB, double minSeconds) {
        Random r = new Random(1);
        Matrix x = Matrix.gaussian(a, k, 1, r);
        Matrix y = transB ? Matrix.gaussian(b, k, 1, r) : Matrix.gaussian(k, b, 1, r);
        Matrix c = Matrix.zeros(a, b);
        Matrix.gemm(1.0, x, false, y, transB, 0.0, c);
        int calls = 0;
        Clock.Reading start = Clock.now();
        Clock.Span span;
        do {
            Matrix.gemm(1.0, x, false, y, transB, 0.0, c);
            calls++;
            span = Clock.now().since(start);
        } while (span.wall() < minSeconds);
        double flop = calls * Flops.gemm(a, b, k);
        return new Rate(shape, a, b, k, transB, calls, flop / span.wall() / 1e9, flop / span.threadCpu() / 1e9,
                flop / span.processCpu() / 1e9);
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
