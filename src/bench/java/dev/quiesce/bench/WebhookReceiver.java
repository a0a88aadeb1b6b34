package dev.quiesce.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real local receiver for the gateway's {@code webhook} notification sink (README, "Sinks"): it
 * answers every POST 200 and records each notification's kind, session, {@code message_id} and
 * the {@link System#nanoTime()} it was read at, so the harness can time {@code deferred_reply}
 * arrivals and count them per message. Thread-safe.
 */
final class WebhookReceiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One notification as it arrived. */
    record Arrival(String kind, String sessionId, String messageId, long atNanos) {}

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "bench-webhook");
        t.setDaemon(true);
        return t;
    });
    /** Guards {@link #received}. */
    private final Object lock = new Object();
    private final List<Arrival> received = new ArrayList<>();

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            try (exchange) {
                JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
                long at = System.nanoTime();
                synchronized (lock) {
                    received.add(new Arrival(body.path("kind").asText(), body.path("session_id").asText(),
                            body.path("message_id").asText(), at));
                    lock.notifyAll();
                }
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.setExecutor(threads);
        server.start();
    }

    /** Where the gateway's {@code quiesce.notify.webhook.url} should point. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** The notifications of {@code kind} about one of {@code sessions}, in their order of arrival. */
    List<Arrival> arrivals(String kind, Collection<String> sessions) {
        Set<String> wanted = Set.copyOf(sessions);
        synchronized (lock) {
            return received.stream().filter(a -> a.kind().equals(kind) && wanted.contains(a.sessionId())).toList();
        }
    }

    /**
     * Waits until a notification of {@code kind} has arrived for each of {@code sessions}.
     *
     * @return false when some had none within {@code atMost}
     */
    boolean awaitEach(String kind, Collection<String> sessions, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        synchronized (lock) {
            while (arrivals(kind, sessions).stream().map(Arrival::sessionId).distinct().count() < sessions.size()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
