package dev.quiesce.lifecycle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP peer on 127.0.0.1 that accepts connections and then hangs: it never answers
 * ({@link Mode#SILENT}), or it answers 200 with the headers and the first bytes of a JSON body and
 * then sends nothing more ({@link Mode#HEADERS_THEN_SILENCE}). Connections are held open until
 * {@link #close()}. Counts the connections it accepted. Thread-safe.
 */
final class StallingServer implements AutoCloseable {

    enum Mode { SILENT, HEADERS_THEN_SILENCE }

    private final ServerSocket socket;
    private final Mode mode;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    StallingServer(Mode mode) throws IOException {
        this.mode = mode;
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "stalling-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + socket.getLocalPort() + path;
    }

    /** Connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                held.add(connection);
                accepted.incrementAndGet();
                if (mode == Mode.HEADERS_THEN_SILENCE) {
                    Thread answer = new Thread(() -> startAnswer(connection), "stalling-server-answer");
                    answer.setDaemon(true);
                    answer.start();
                }
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** Reads the request head, then sends a 200 head promising 100 bytes of body and only 10 of them. */
    private static void startAnswer(Socket connection) {
        try {
            InputStream in = connection.getInputStream();
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            while (matched < end.length) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                matched = b == end[matched] ? matched + 1 : b == end[0] ? 1 : 0;
            }
            OutputStream out = connection.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"reply\": ")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            // the client went away: nothing to hold
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket connection : held) {
            connection.close();
        }
    }
}
