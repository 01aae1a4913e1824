package org.idl.spark.train;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the tasks of a collective pass find each other: a socket on the driver to which each task
 * sends its rank and the address it listens on, and which, once all K tasks of a stage attempt have
 * come, tells each the address of the next one in the ring (XGBoost's tracker plays this part). It
 * replaces {@code BarrierTaskContext.allGather}, which polls once a second and so costs up to a
 * second per pass.
 */
public final class RingTracker implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(RingTracker.class);

    private final int size;
    private final ServerSocket server;
    private final String address;
    private final Thread thread;

    /** Listens on a free port of this host, known to the tasks as {@code host}. */
    public RingTracker(int size, String host) throws IOException {
        this.size = size;
        this.server = new ServerSocket(0);
        this.address = host + ":" + server.getLocalPort();
        this.thread = new Thread(this::serve, "idl-ring-tracker");
        thread.setDaemon(true);
        thread.start();
    }

    /** {@code host:port}, for the tasks. */
    public String address() {
        return address;
    }

    private record Registration(Socket socket, String address) {
    }

    private void serve() {
        // Per stage attempt (a failed barrier stage is retried whole), the tasks registered so far, by rank.
        Map<Integer, Map<Integer, Registration>> attempts = new HashMap<>();
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                DataInputStream in = new DataInputStream(socket.getInputStream());
                int attempt = in.readInt();
                int rank = in.readInt();
                String listening = in.readUTF();
                Map<Integer, Registration> ring = attempts.computeIfAbsent(attempt, a -> new HashMap<>());
                Registration previous = ring.put(rank, new Registration(socket, listening));
                if (previous != null) {
                    previous.socket().close();
                }
                if (ring.size() == size) {
                    attempts.remove(attempt);
                    for (Map.Entry<Integer, Registration> e : ring.entrySet()) {
                        try (Socket s = e.getValue().socket()) {
                            DataOutputStream out = new DataOutputStream(s.getOutputStream());
                            out.writeUTF(ring.get((e.getKey() + 1) % size).address());
                            out.flush();
                        }
                    }
                }
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.warn("ring tracker: a task's registration failed: {}", e.getMessage());
                }
            }
        }
    }

    /** Sends this task's listening address and returns the next task's, once every task has come. */
    static String neighbour(String tracker, int attempt, int rank, String listening, int timeoutMs) throws IOException {
        int colon = tracker.lastIndexOf(':');
        try (Socket socket = new Socket()) {
            socket.connect(new java.net.InetSocketAddress(tracker.substring(0, colon),
                    Integer.parseInt(tracker.substring(colon + 1))), timeoutMs);
            socket.setSoTimeout(timeoutMs);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(attempt);
            out.writeInt(rank);
            out.writeUTF(listening);
            out.flush();
            return new DataInputStream(socket.getInputStream()).readUTF();
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // the pass is over; nothing waits on the tracker any more
        }
    }
}
