package dev.quiesce.testing;

import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real agent backend on a local port (its own Vert.x instance) for the {@code http} turn handler.
 * It records every request, holds it until the test answers it ({@link Request#reply},
 * {@link Request#respond}, or never), and notices when the gateway drops the connection (a turn
 * cancelled by an interrupt or a timeout).
 *
 * <p>Requests are found by {@code session_id}: use a fresh session id per test. Thread-safe.
 */
public final class AgentBackend implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Vertx vertx = Vertx.vertx();
    private final List<Request> received = new CopyOnWriteArrayList<>();
    private volatile HttpServer server;
    private volatile int port;

    private AgentBackend() {}

    /** Starts a backend on a free port of 127.0.0.1. */
    public static AgentBackend start() {
        AgentBackend backend = new AgentBackend();
        backend.listenOn(0);
        return backend;
    }

    /** Where the gateway should POST turns. */
    public String url() {
        return "http://127.0.0.1:" + port + "/turns";
    }

    /** Waits (up to 10 s) for the first request of {@code sessionId}. */
    public Request awaitRequest(String sessionId) {
        return await().atMost(WAIT).until(() -> find(sessionId), Optional::isPresent).orElseThrow();
    }

    /** Every request received so far for {@code sessionId}, oldest first. */
    public List<Request> requests(String sessionId) {
        return received.stream().filter(r -> r.sessionId().equals(sessionId)).toList();
    }

    /** Answers every request still held, so no turn outlives the test that started it. */
    public void releaseAll() {
        received.forEach(r -> r.reply("released by the test"));
    }

    /** Stops listening, so new connections are refused; {@link #resumeListening()} undoes it. */
    public void stopListening() {
        join(server.close().toCompletionStage().toCompletableFuture());
    }

    /** Listens again on the same port. */
    public void resumeListening() {
        listenOn(port);
    }

    @Override
    public void close() {
        join(vertx.close().toCompletionStage().toCompletableFuture());
    }

    private Optional<Request> find(String sessionId) {
        return received.stream().filter(r -> r.sessionId().equals(sessionId)).findFirst();
    }

    private void listenOn(int wanted) {
        HttpServer created = vertx.createHttpServer().requestHandler(this::handle);
        join(created.listen(wanted, "127.0.0.1").toCompletionStage().toCompletableFuture());
        server = created;
        port = created.actualPort();
    }

    private void handle(HttpServerRequest request) {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        // One request at a time per HTTP/1.1 connection, so the connection's end is this request's end.
        request.connection().closeHandler(ignored -> closed.complete(null));
        request.body().onSuccess(body -> {
            long arrived = System.nanoTime();
            int held = 1 + (int) received.stream().filter(Request::held).count();
            received.add(new Request(request.method().name(), request.getHeader("content-type"), body.toJsonObject(),
                    request.response(), closed, arrived, held));
        });
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One request the gateway made, held until answered. */
    public static final class Request {
        private final String method;
        private final String contentType;
        private final JsonObject body;
        private final HttpServerResponse response;
        private final CompletableFuture<Void> closed;
        private final AtomicBoolean answered = new AtomicBoolean();
        private final long arrivedNanos;
        private final int heldAtArrival;

        Request(String method, String contentType, JsonObject body, HttpServerResponse response,
                CompletableFuture<Void> closed, long arrivedNanos, int heldAtArrival) {
            this.method = method;
            this.contentType = contentType;
            this.body = body;
            this.response = response;
            this.closed = closed;
            this.arrivedNanos = arrivedNanos;
            this.heldAtArrival = heldAtArrival;
        }

        /** When it arrived, by {@link System#nanoTime()}. */
        public long arrivedNanos() {
            return arrivedNanos;
        }

        /**
         * How many requests the backend held (received, not answered, connection open) when this one
         * arrived, itself included: how many turns the gateway had running on it at once.
         */
        public int heldAtArrival() {
            return heldAtArrival;
        }

        /** Received, not answered yet, and the gateway still waiting for it. */
        public boolean held() {
            return !answered.get() && !closed.isDone();
        }

        public String method() {
            return method;
        }

        public String contentType() {
            return contentType;
        }

        /** The JSON the gateway sent. */
        public JsonObject body() {
            return body;
        }

        public String sessionId() {
            return body.getString("session_id", "");
        }

        /** Answers 200 {@code {"reply": text}}. Only the first answer counts. */
        public void reply(String text) {
            respond(200, new JsonObject().put("reply", text).encode());
        }

        /** Answers with any status and body. Only the first answer counts. */
        public void respond(int status, String json) {
            if (answered.compareAndSet(false, true) && !closed.isDone()) {
                response.setStatusCode(status).putHeader("content-type", "application/json").end(json);
            }
        }

        /** Whether the gateway has closed the connection this request came on. */
        public boolean connectionClosed() {
            return closed.isDone();
        }

        /** Waits (up to 10 s) for the gateway to close the connection this request came on. */
        public void awaitConnectionClosed() {
            join(closed);
        }
    }
}
