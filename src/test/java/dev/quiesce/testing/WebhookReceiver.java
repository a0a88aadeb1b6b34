package dev.quiesce.testing;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real local HTTP server for the webhook notification sink: records every JSON POST (with when it
 * arrived, by {@link System#nanoTime()}) and answers 200, or 500 for the sessions a test marks as
 * failing ({@link #failFor}). Find records by session or deferred_id: use fresh ids per test. Thread-safe.
 */
public final class WebhookReceiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(15);

    /** One POST: its JSON body, the status it was answered with, and when it arrived. */
    public record Delivery(JsonNode body, int status, long arrivedNanos) {
        public String kind() {
            return body.path("kind").asText();
        }

        public String sessionId() {
            return body.path("session_id").asText();
        }

        public String deferredId() {
            return body.path("deferred_id").asText();
        }

        public String text() {
            return body.path("text").asText();
        }
    }

    private final HttpServer server;
    private final List<Delivery> received = new CopyOnWriteArrayList<>();
    private final Set<String> failing = ConcurrentHashMap.newKeySet();

    private WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", this::handle);
        server.start();
    }

    /** Starts a receiver on a free port of 127.0.0.1. */
    public static WebhookReceiver start() {
        try {
            return new WebhookReceiver();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            long arrived = System.nanoTime();
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            int status = failing.contains(body.path("session_id").asText()) ? 500 : 200;
            received.add(new Delivery(body, status, arrived));
            exchange.sendResponseHeaders(status, -1);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** From now on, notifications of {@code sessionId} are answered HTTP 500. */
    public void failFor(String sessionId) {
        failing.add(sessionId);
    }

    /** Every POST for {@code sessionId} so far, answered 2xx or not, oldest first. */
    public List<Delivery> attempts(String sessionId) {
        return received.stream().filter(d -> d.sessionId().equals(sessionId)).toList();
    }

    /** The notifications of {@code kind} for {@code sessionId} delivered (answered 200) so far, oldest first. */
    public List<Delivery> delivered(String kind, String sessionId) {
        return attempts(sessionId).stream().filter(d -> d.status() == 200 && d.kind().equals(kind)).toList();
    }

    /** Waits (up to 15 s) until {@code count} notifications of {@code kind} for {@code sessionId} were delivered. */
    public List<Delivery> awaitDelivered(String kind, String sessionId, int count) {
        return await().atMost(WAIT).until(() -> delivered(kind, sessionId), list -> list.size() >= count);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
