package dev.quiesce.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real agent backend on a free loopback port for the gateway's {@code http} turn handler (README,
 * "Turn handlers"): it answers every turn POSTed to it with {@code 200 {"reply": ...}}, either at once
 * or, after {@link #hold()}, only once {@link #answerAtOnce()} is called — so a gateway's turns stay
 * running until the harness stops it. Each request is served on its own thread (a held request blocks
 * one), and recorded with its {@code message_id} and {@code resumed} flag. Thread-safe.
 */
final class AgentStub implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A held request is answered at the latest after this, so no thread outlives a run. */
    private static final Duration LONGEST_HOLD = Duration.ofMinutes(5);

    /** One turn the gateway ran on this backend. */
    record Request(String sessionId, String messageId, boolean resumed) {}

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bench-agent-stub");
        t.setDaemon(true);
        return t;
    });
    /** Guards {@link #requests}, {@link #held} and {@link #release}. */
    private final Object lock = new Object();
    private final List<Request> requests = new ArrayList<>();
    /** Requests waiting for {@link #release} since the last {@link #hold()}. */
    private int held;
    /** Counted down to answer the held requests; null while answering at once. */
    private CountDownLatch release;

    AgentStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/turns", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** Where the gateway's {@code quiesce.turn.http.url} should point. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/turns";
    }

    /** From now on every request waits for {@link #answerAtOnce()} before it is answered. */
    void hold() {
        synchronized (lock) {
            held = 0;
            release = new CountDownLatch(1);
        }
    }

    /** Answers the held requests (a gateway that hung up on one gets nothing) and every later one at once. */
    void answerAtOnce() {
        synchronized (lock) {
            if (release != null) {
                release.countDown();
                release = null;
            }
        }
    }

    /**
     * Waits until {@code count} requests are held since the last {@link #hold()}.
     *
     * @return false when fewer arrived within {@code atMost}
     */
    boolean awaitHeld(int count, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        synchronized (lock) {
            while (held < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    /** Every request received so far, oldest first. */
    List<Request> requests() {
        synchronized (lock) {
            return List.copyOf(requests);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            CountDownLatch wait;
            synchronized (lock) {
                requests.add(new Request(body.path("session_id").asText(), body.path("message_id").asText(),
                        body.path("resumed").asBoolean(false)));
                wait = release;
                if (wait != null) {
                    held++;
                    lock.notifyAll();
                }
            }
            if (wait != null) {
                wait.await(LONGEST_HOLD.toSeconds(), TimeUnit.SECONDS);
            }
            byte[] reply = JSON.writeValueAsBytes(JSON.createObjectNode().put("reply", "done: "
                    + body.path("text").asText()));
            exchange.getResponseHeaders().set("content-type", "application/json");
            exchange.sendResponseHeaders(200, reply.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply);
            }
        } catch (IOException e) {
            // the gateway hung up on a held turn (it interrupted it): nobody to answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        answerAtOnce();
        server.stop(0);
        threads.shutdownNow();
    }
}
