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
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The all-reduce of the tasks of one barrier stage, over TCP between the tasks themselves, as XGBoost
 * and Horovod do on Spark: each task listens on a free port, learns the other tasks' addresses from the
 * driver's {@link PeerTracker}, and connects to the partners its algorithm needs. With K tasks a sum
 * moves {@code 2 (K - 1) / K} times the array through each task's links, with no data through the
 * driver, by one of two algorithms:
 * <ul>
 *   <li>K a power of two: recursive halving, then recursive doubling (Rabenseifner's algorithm,
 *   Thakur, Rabenseifner and Gropp 2005), {@code 2 log2 K} exchanges with log2 K partners
 *   ({@code rank XOR 2^i});</li>
 *   <li>otherwise a ring: a reduce-scatter and an all-gather of K chunks around it, {@code 2 (K - 1)}
 *   exchanges with the two neighbours.</li>
 * </ul>
 * The bytes are the same; what the power of two saves is latency, {@code 2 log2 K} network round
 * trips a sum instead of {@code 2 (K - 1)} (10 instead of 62 at K = 32). Either way each value is
 * summed in an order fixed by K alone, so the result is the same for a given K and every task ends with
 * identical values.
 *
 * <p>{@link #sumInPlace} sends doubles. {@link #roundedSumInPlace}, the gradient solver's averages,
 * sends single precision where the session's {@value #CONF} is {@code float32}, or bfloat16 where it is
 * {@code bfloat16} ({@link Wire}; doubles by default): a half or a quarter of the bytes of an average,
 * the term that grows with K. Each task keeps its sums in double and rounds what it sends; before the
 * all-gather the owner of a chunk rounds its finished sums too, so every task ends with the same values:
 * the exact sum to about K x 6e-8 (float32) or K x 4e-3 (bfloat16) of the magnitudes summed. The
 * values the caller marks as an exact tail (the counts that divide an average) travel as doubles.
 */
public final class PeerAllReduce implements BlockStore.AllReduce, Closeable {
    /** How long a task waits for a partner: longer than any task's steps between two averages. */
    private static final int TIMEOUT_MS = 30 * 60 * 1000;

    /** One TCP connection to a partner, both ways. */
    private record Link(Socket socket, DataOutputStream out, DataInputStream in) {
        static Link of(Socket socket) throws IOException {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(TIMEOUT_MS);
            return new Link(socket, new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16)),
                    new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16)));
        }
    }

    /** What a rounded sum sends for each value: the session's {@value #CONF}, {@code float64} unless set. */
    public enum Wire {
        /** The top 16 bits of a float: its sign, 8 exponent bits and 7 of mantissa, rounded to nearest even. */
        BFLOAT16(2), FLOAT32(4), FLOAT64(8);

        public final int bytes;

        Wire(int bytes) {
            this.bytes = bytes;
        }

        public static Wire parse(String v) {
            return switch (v) {
                case "bfloat16" -> BFLOAT16;
                case "float32" -> FLOAT32;
                case "float64" -> FLOAT64;
                default -> throw new IllegalArgumentException(CONF + " must be bfloat16, float32 or float64, got '"
                        + v + "'");
            };
        }

        /** {@code v} as this wire carries it. */
        public double round(double v) {
            return switch (this) {
                case BFLOAT16 -> fromBfloat16Bits(bfloat16Bits(v));
                case FLOAT32 -> (float) v;
                case FLOAT64 -> v;
            };
        }

        /** The 16 bits of {@code v} in bfloat16 (in the low half of the int). */
        static int bfloat16Bits(double v) {
            int bits = Float.floatToRawIntBits((float) v);
            if (Float.isNaN(Float.intBitsToFloat(bits))) {
                return bits >>> 16 | 0x40; // a quiet NaN stays a NaN
            }
            return (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
        }

        /** The number whose bfloat16 bits are the low 16 of {@code bits}. */
        static double fromBfloat16Bits(int bits) {
            return Float.intBitsToFloat((bits & 0xFFFF) << 16);
        }
    }

    public static final String CONF = "spark.idl.allReduceWire";

    private final int rank;
    private final int size;
    /** The wire of {@link #roundedSumInPlace}. */
    private final Wire wire;
    /** Power of two: the partner of step i ({@code rank XOR 2^i}). Ring: [next, previous]. */
    private final Link[] links;
    private final ExecutorService sender;
    private byte[] sendBuffer = new byte[0];
    private byte[] receiveBuffer = new byte[0];
    /** Scratch for float32 values on their way to or from the wire (free again once a send is encoded). */
    private float[] floats = new float[0];
    /** Scratch for bfloat16 values, likewise. */
    private short[] shorts = new short[0];
    /** The sums taken, the seconds in them and their CPU seconds. */
    private final AllReduceClock clock = new AllReduceClock();

    private PeerAllReduce(int rank, int size, Link[] links, Wire wire) {
        this.rank = rank;
        this.size = size;
        this.wire = wire;
        this.links = links;
        this.sender = size == 1 ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "idl-allreduce-send-" + rank);
            t.setDaemon(true);
            return t;
        });
    }

    /** Whether K tasks sum by recursive halving and doubling (else around a ring). */
    public static boolean isPowerOfTwo(int k) {
        return k > 0 && (k & (k - 1)) == 0;
    }

    /** Connects the tasks of the current barrier stage through the tracker; every task of the stage must call it. */
    public static PeerAllReduce connect(BarrierTaskContext context, String tracker, Wire wire) {
        int size = context.getTaskInfos().length;
        int rank = context.partitionId();
        if (size == 1) {
            return new PeerAllReduce(0, 1, new Link[0], wire);
        }
        try (ServerSocket server = new ServerSocket(0, Math.max(50, 2 * size))) {
            server.setSoTimeout(TIMEOUT_MS);
            String host = SparkEnv.get().blockManager().blockManagerId().host();
            String[] addresses = PeerTracker.addresses(tracker, context.stageAttemptNumber(), rank,
                    host + ":" + server.getLocalPort(), TIMEOUT_MS);
            if (addresses.length != size) {
                throw new IOException("the tracker gave " + addresses.length + " addresses for " + size + " tasks");
            }
            return new PeerAllReduce(rank, size, links(rank, size, addresses, server), wire);
        } catch (IOException e) {
            throw new UncheckedIOException("task " + rank + " of " + size + " could not connect to the other tasks"
                    + " for the all-reduce: " + e.getMessage(), e);
        }
    }

    /**
     * The links this task needs: to each partner of higher rank this task connects (and says its rank);
     * from each of lower rank it accepts. The connections complete in the listeners' backlogs, so every
     * task connects first and accepts after, and no order among the tasks is needed. On a failure the links
     * already open are closed, so that the partners fail at once instead of waiting for their timeout.
     */
    private static Link[] links(int rank, int size, String[] addresses, ServerSocket server) throws IOException {
        int[] partners;
        if (isPowerOfTwo(size)) {
            partners = new int[Integer.numberOfTrailingZeros(size)];
            for (int i = 0; i < partners.length; i++) {
                partners[i] = rank ^ (1 << i);
            }
        } else {
            // K >= 3 here (2 is a power of two), so the two neighbours are different tasks.
            partners = new int[]{(rank + 1) % size, (rank - 1 + size) % size};
        }
        Link[] links = new Link[partners.length];
        try {
            List<Integer> waiting = new ArrayList<>();
            for (int i = 0; i < partners.length; i++) {
                if (partners[i] > rank) {
                    String address = addresses[partners[i]];
                    int colon = address.lastIndexOf(':');
                    Socket socket = new Socket();
                    try {
                        socket.connect(new InetSocketAddress(address.substring(0, colon),
                                Integer.parseInt(address.substring(colon + 1))), TIMEOUT_MS);
                        links[i] = Link.of(socket);
                    } catch (IOException | RuntimeException e) {
                        socket.close();
                        throw e;
                    }
                    links[i].out().writeInt(rank);
                    links[i].out().flush();
                } else {
                    waiting.add(i);
                }
            }
            for (int accepted = 0; accepted < waiting.size(); accepted++) {
                Socket socket = server.accept();
                Link link;
                try {
                    link = Link.of(socket);
                } catch (IOException | RuntimeException e) {
                    socket.close();
                    throw e;
                }
                int slot = -1;
                try {
                    int from = link.in().readInt();
                    for (int i : waiting) {
                        if (partners[i] == from && links[i] == null) {
                            slot = i;
                            break;
                        }
                    }
                    if (slot < 0) {
                        throw new IOException("task " + rank + " was connected to by task " + from
                                + ", not one of its partners");
                    }
                } catch (IOException | RuntimeException e) {
                    socket.close();
                    throw e;
                }
                links[slot] = link;
            }
            return links;
        } catch (IOException | RuntimeException e) {
            closeAll(links);
            throw e;
        }
    }

    private static void closeAll(Link[] links) {
        for (Link link : links) {
            if (link != null) {
                try {
                    link.socket().close();
                } catch (IOException ignored) {
                    // closing after a failure or at the end of the stage: nothing left to lose
                }
            }
        }
    }

    @Override
    public void sumInPlace(double[] values) {
        sum(values, 0);
    }

    @Override
    public void roundedSumInPlace(double[] values, int exactTail) {
        if (exactTail < 0 || exactTail > values.length) {
            throw new IllegalArgumentException("exactTail must be in [0, " + values.length + "], got " + exactTail);
        }
        sum(values, wire == Wire.FLOAT64 ? 0 : values.length - exactTail);
    }

    /** Sums {@code values} over the tasks: those below {@code rounded} on the {@link #wire}, the rest as doubles. */
    private void sum(double[] values, int rounded) {
        if (size == 1) {
            return;
        }
        clock.time(() -> {
            try {
                if (isPowerOfTwo(size)) {
                    halvingDoubling(values, rounded);
                } else {
                    ring(values, rounded);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("the all-reduce of task " + rank + " of " + size + " failed: "
                        + e.getMessage(), e);
            }
        });
    }

    /**
     * Recursive halving: at step i this task and {@code rank XOR 2^i} split the chunks they both still
     * hold, each keeps one half and adds the partner's copy of it; after log2 K steps each task holds the
     * full sum of K / 2^log2K = one chunk. Recursive doubling then retraces the steps, swapping halves.
     */
    private void halvingDoubling(double[] values, int rounded) throws IOException {
        int steps = links.length;
        int[] from = new int[steps + 1];
        int[] to = new int[steps + 1];
        from[0] = 0;
        to[0] = size;
        for (int i = 0; i < steps; i++) {
            int mid = (from[i] + to[i]) / 2;
            boolean lower = (rank & (1 << i)) == 0;
            from[i + 1] = lower ? from[i] : mid;
            to[i + 1] = lower ? mid : to[i];
            int giveFrom = lower ? mid : from[i];
            int giveTo = lower ? to[i] : mid;
            exchange(links[i], values, giveFrom, giveTo, from[i + 1], to[i + 1], true, rounded);
        }
        roundAsSent(values, from[steps], to[steps], rounded);
        for (int i = steps - 1; i >= 0; i--) {
            boolean lower = (rank & (1 << i)) == 0;
            int mid = (from[i] + to[i]) / 2;
            int getFrom = lower ? mid : from[i];
            int getTo = lower ? to[i] : mid;
            exchange(links[i], values, from[i + 1], to[i + 1], getFrom, getTo, false, rounded);
        }
    }

    /** The ring: a reduce-scatter (after K - 1 steps this task holds the sum of chunk rank + 1), then an all-gather. */
    private void ring(double[] values, int rounded) throws IOException {
        Link next = links[0];
        Link previous = links[1];
        for (int s = 0; s < size - 1; s++) {
            int send = chunk(rank - s);
            int receive = chunk(rank - s - 1);
            exchange(next, previous, values, send, send + 1, receive, receive + 1, true, rounded);
        }
        roundAsSent(values, chunk(rank + 1), chunk(rank + 1) + 1, rounded);
        for (int s = 0; s < size - 1; s++) {
            int send = chunk(rank - s + 1);
            int receive = chunk(rank - s);
            exchange(next, previous, values, send, send + 1, receive, receive + 1, false, rounded);
        }
    }

    private float[] floats(int n) {
        if (floats.length < n) {
            floats = new float[n];
        }
        return floats;
    }

    private short[] shorts(int n) {
        if (shorts.length < n) {
            shorts = new short[n];
        }
        return shorts;
    }

    /** This task's finished chunks, rounded as the all-gather will send them, so that every task holds the same values. */
    private void roundAsSent(double[] values, int fromChunk, int toChunk, int rounded) {
        for (int i = start(values.length, fromChunk), end = Math.min(rounded, start(values.length, toChunk)); i < end;
             i++) {
            values[i] = wire.round(values[i]);
        }
    }

    private void exchange(Link partner, double[] values, int sendFrom, int sendTo, int receiveFrom, int receiveTo,
                          boolean add, int rounded) throws IOException {
        exchange(partner, partner, values, sendFrom, sendTo, receiveFrom, receiveTo, add, rounded);
    }

    /**
     * Sends chunks {@code [sendFrom, sendTo)} to {@code to} while receiving chunks {@code [receiveFrom, receiveTo)}
     * from {@code from}, added to or replacing this task's values.
     */
    private void exchange(Link to, Link from, double[] values, int sendFrom, int sendTo, int receiveFrom, int receiveTo,
                          boolean add, int rounded) throws IOException {
        int sendStart = start(values.length, sendFrom);
        int sendLength = start(values.length, sendTo) - sendStart;
        int receiveStart = start(values.length, receiveFrom);
        int receiveLength = start(values.length, receiveTo) - receiveStart;
        // The values below `rounded` first, on the wire, then the others as doubles.
        int sendRounded = Math.max(0, Math.min(sendLength, rounded - sendStart));
        int receiveRounded = Math.max(0, Math.min(receiveLength, rounded - receiveStart));
        int sendBytes = wire.bytes * sendRounded + 8 * (sendLength - sendRounded);
        int receiveBytes = wire.bytes * receiveRounded + 8 * (receiveLength - receiveRounded);
        if (sendBuffer.length < sendBytes) {
            sendBuffer = new byte[sendBytes];
        }
        // Little-endian, as the machines Spark runs on: the bulk copies below are then plain copies.
        ByteBuffer out = ByteBuffer.wrap(sendBuffer).order(ByteOrder.LITTLE_ENDIAN);
        if (wire == Wire.FLOAT32) {
            float[] narrow = floats(sendRounded);
            for (int i = 0; i < sendRounded; i++) {
                narrow[i] = (float) values[sendStart + i];
            }
            out.asFloatBuffer().put(narrow, 0, sendRounded);
        } else if (wire == Wire.BFLOAT16) {
            short[] narrow = shorts(sendRounded);
            for (int i = 0; i < sendRounded; i++) {
                narrow[i] = (short) Wire.bfloat16Bits(values[sendStart + i]);
            }
            out.asShortBuffer().put(narrow, 0, sendRounded);
        }
        out.position(wire.bytes * sendRounded);
        out.slice().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().put(values, sendStart + sendRounded,
                sendLength - sendRounded);
        byte[] outgoing = sendBuffer;
        // Both partners send at once: writing on another thread keeps full socket buffers from deadlocking them.
        Future<?> sent = sender.submit(() -> {
            to.out().write(outgoing, 0, sendBytes);
            to.out().flush();
            return null;
        });
        if (receiveBuffer.length < receiveBytes) {
            receiveBuffer = new byte[receiveBytes];
        }
        from.in().readFully(receiveBuffer, 0, receiveBytes);
        ByteBuffer incoming = ByteBuffer.wrap(receiveBuffer, 0, receiveBytes).order(ByteOrder.LITTLE_ENDIAN);
        if (wire == Wire.FLOAT32) {
            float[] got = floats(receiveRounded);
            incoming.asFloatBuffer().get(got, 0, receiveRounded);
            for (int i = 0; i < receiveRounded; i++) {
                values[receiveStart + i] = add ? values[receiveStart + i] + got[i] : got[i];
            }
        } else if (wire == Wire.BFLOAT16) {
            short[] got = shorts(receiveRounded);
            incoming.asShortBuffer().get(got, 0, receiveRounded);
            for (int i = 0; i < receiveRounded; i++) {
                double v = Wire.fromBfloat16Bits(got[i]);
                values[receiveStart + i] = add ? values[receiveStart + i] + v : v;
            }
        }
        incoming.position(wire.bytes * receiveRounded);
        DoubleBuffer doubles = incoming.slice().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
        int exact = receiveStart + receiveRounded;
        if (add) {
            for (int i = 0; i < receiveLength - receiveRounded; i++) {
                values[exact + i] += doubles.get(i);
            }
        } else {
            doubles.get(values, exact, receiveLength - receiveRounded);
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

    /** The sums this task took so far, and their seconds. */
    AllReduceClock clock() {
        return clock;
    }

    @Override
    public void close() {
        if (sender != null) {
            sender.shutdownNow();
        }
        closeAll(links);
    }
}
