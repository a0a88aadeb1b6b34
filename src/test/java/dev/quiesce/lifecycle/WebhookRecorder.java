package dev.quiesce.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real local HTTP server that records every JSON notification POSTed to it and answers 200. The
 * server handles one request at a time (its default executor is the dispatcher thread), so the
 * recorded order is the order of arrival.
 */
final class WebhookRecorder implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One notification as it arrived: its body and {@link System#nanoTime()} when it was read. */
    record Arrival(JsonNode body, long atNanos) {}

    private final HttpServer server;
    private final List<Arrival> received = new CopyOnWriteArrayList<>();

    WebhookRecorder() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            try (exchange) {
                JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
                received.add(new Arrival(body, System.nanoTime()));
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    List<JsonNode> ofKind(String kind) {
        return arrivals(kind).stream().map(Arrival::body).toList();
    }

    /** The notifications of {@code kind} received so far, in their order of arrival. */
    List<Arrival> arrivals(String kind) {
        return received.stream().filter(a -> kind.equals(a.body().path("kind").asText())).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
