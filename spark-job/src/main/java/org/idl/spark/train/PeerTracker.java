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
 * come, tells each the addresses of all, by rank (XGBoost's tracker plays this part). It replaces
 * {@code BarrierTaskContext.allGather}, which polls once a second and so costs up to a second per pass.
 */
public final class PeerTracker implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerTracker.class);

    private final int size;
    private final ServerSocket server;
    private final String address;
    private final Thread thread;

    /** Listens on a free port of this host, known to the tasks as {@code host}. */
    public PeerTracker(int size, String host) throws IOException {
        this.size = size;
        this.server = new ServerSocket(0);
        this.address = host + ":" + server.getLocalPort();
        this.thread = new Thread(this::serve, "idl-peer-tracker");
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
                Map<Integer, Registration> tasks = attempts.computeIfAbsent(attempt, a -> new HashMap<>());
                Registration previous = tasks.put(rank, new Registration(socket, listening));
                if (previous != null) {
                    previous.socket().close();
                }
                if (tasks.size() == size) {
                    attempts.remove(attempt);
                    // Each task answered on its own: one that cannot be reached must not strand the others.
                    for (Map.Entry<Integer, Registration> e : tasks.entrySet()) {
                        try (Socket s = e.getValue().socket()) {
                            DataOutputStream out = new DataOutputStream(s.getOutputStream());
                            out.writeInt(size);
                            for (int r = 0; r < size; r++) {
                                out.writeUTF(tasks.get(r).address());
                            }
                            out.flush();
                        } catch (IOException failed) {
                            LOG.warn("peer tracker: could not answer task {}: {}", e.getKey(), failed.getMessage());
                        }
                    }
                }
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.warn("peer tracker: a task's registration failed: {}", e.getMessage());
                }
            }
        }
    }

    /** Sends this task's listening address and returns every task's, by rank, once every task has come. */
    static String[] addresses(String tracker, int attempt, int rank, String listening, int timeoutMs)
            throws IOException {
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
            DataInputStream in = new DataInputStream(socket.getInputStream());
            String[] all = new String[in.readInt()];
            for (int r = 0; r < all.length; r++) {
                all[r] = in.readUTF();
            }
            return all;
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
