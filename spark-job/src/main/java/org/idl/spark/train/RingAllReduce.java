package org.idl.spark.train;

import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.idl.train.BlockStore;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The all-reduce of the tasks of one barrier stage, over TCP between the tasks themselves, as
 * XGBoost and Horovod do on Spark: each task listens on a free port, learns the next partition's
 * task's address from the driver's {@link RingTracker}, and connects to it, closing a ring. A sum then moves {@code 2 (K - 1) / K} times the array through
 * each task's links in {@code 2 (K - 1)} steps (a reduce-scatter and an all-gather of K chunks), the
 * same bytes per task for any number of tasks K, with no data through the driver.
 * Chunk c is summed in ring order from task c on, so the result is the same for a given K and every
 * task ends with identical values.
 */
public final class RingAllReduce implements BlockStore.AllReduce, Closeable {
    /** How long a task waits for its neighbour: longer than any task's steps between two averages. */
    private static final int TIMEOUT_MS = 30 * 60 * 1000;

    private final int rank;
    private final int size;
    private final Socket right;
    private final Socket left;
    private final DataOutputStream out;
    private final DataInputStream in;
    private final ExecutorService sender;
    private byte[] sendBuffer = new byte[0];
    private byte[] receiveBuffer = new byte[0];
    /** Seconds spent in {@link #sumInPlace}, waiting for the neighbours included, and the number of sums. */
    private double seconds;
    private int sums;

    private RingAllReduce(int rank, int size, Socket right, Socket left) throws IOException {
        this.rank = rank;
        this.size = size;
        this.right = right;
        this.left = left;
        this.out = right == null ? null : new DataOutputStream(new BufferedOutputStream(right.getOutputStream(), 1 << 16));
        this.in = left == null ? null : new DataInputStream(new BufferedInputStream(left.getInputStream(), 1 << 16));
        this.sender = right == null ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "idl-allreduce-send-" + rank);
            t.setDaemon(true);
            return t;
        });
    }

    /** Connects the tasks of the current barrier stage through the tracker; every task of the stage must call it. */
    public static RingAllReduce connect(BarrierTaskContext context, String tracker) {
        int size = context.getTaskInfos().length;
        int rank = context.partitionId();
        if (size == 1) {
            try {
                return new RingAllReduce(0, 1, null, null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try (ServerSocket server = new ServerSocket(0)) {
            server.setSoTimeout(TIMEOUT_MS);
            String host = SparkEnv.get().blockManager().blockManagerId().host();
            String next = RingTracker.neighbour(tracker, context.stageAttemptNumber(), rank,
                    host + ":" + server.getLocalPort(), TIMEOUT_MS);
            int colon = next.lastIndexOf(':');
            Socket right = new Socket();
            right.connect(new InetSocketAddress(next.substring(0, colon), Integer.parseInt(next.substring(colon + 1))),
                    TIMEOUT_MS);
            Socket left = server.accept();
            for (Socket s : new Socket[]{right, left}) {
                s.setTcpNoDelay(true);
                s.setSoTimeout(TIMEOUT_MS);
            }
            return new RingAllReduce(rank, size, right, left);
        } catch (IOException e) {
            throw new UncheckedIOException("task " + rank + " of " + size + " could not join the all-reduce ring: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void sumInPlace(double[] values) {
        if (size == 1) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            // Reduce-scatter: after K - 1 steps this task holds the full sum of chunk rank + 1.
            for (int s = 0; s < size - 1; s++) {
                exchange(values, chunk(rank - s), chunk(rank - s - 1), true);
            }
            // All-gather: pass the summed chunks around the ring.
            for (int s = 0; s < size - 1; s++) {
                exchange(values, chunk(rank - s + 1), chunk(rank - s), false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the all-reduce of task " + rank + " of " + size + " failed: "
                    + e.getMessage(), e);
        }
        seconds += (System.nanoTime() - t0) / 1e9;
        sums++;
    }

    /** Sends chunk {@code send} to the next task while receiving chunk {@code receive} from the previous one. */
    private void exchange(double[] values, int send, int receive, boolean add) throws IOException {
        int sendFrom = start(values.length, send);
        int sendLength = start(values.length, send + 1) - sendFrom;
        int receiveFrom = start(values.length, receive);
        int receiveLength = start(values.length, receive + 1) - receiveFrom;
        if (sendBuffer.length < 8 * sendLength) {
            sendBuffer = new byte[8 * sendLength];
        }
        ByteBuffer.wrap(sendBuffer).asDoubleBuffer().put(values, sendFrom, sendLength);
        byte[] outgoing = sendBuffer;
        // Both neighbours send at once: writing on another thread keeps full socket buffers from deadlocking the ring.
        Future<?> sent = sender.submit(() -> {
            out.write(outgoing, 0, 8 * sendLength);
            out.flush();
            return null;
        });
        if (receiveBuffer.length < 8 * receiveLength) {
            receiveBuffer = new byte[8 * receiveLength];
        }
        in.readFully(receiveBuffer, 0, 8 * receiveLength);
        java.nio.DoubleBuffer incoming = ByteBuffer.wrap(receiveBuffer, 0, 8 * receiveLength).asDoubleBuffer();
        for (int i = 0; i < receiveLength; i++) {
            double v = incoming.get(i);
            values[receiveFrom + i] = add ? values[receiveFrom + i] + v : v;
        }
        try {
            sent.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    private int chunk(int c) {
        return Math.floorMod(c, size);
    }

    /** Where chunk {@code c} of K near-equal chunks of {@code length} values starts. */
    private int start(int length, int c) {
        return (int) ((long) length * c / size);
    }

    public double seconds() {
        return seconds;
    }

    public int sums() {
        return sums;
    }

    @Override
    public void close() {
        if (sender != null) {
            sender.shutdownNow();
        }
        for (Socket s : new Socket[]{right, left}) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing at the end of the stage: nothing left to lose
                }
            }
        }
    }
}
