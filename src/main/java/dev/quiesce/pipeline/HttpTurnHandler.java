package dev.quiesce.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiesce.config.Durations;
import dev.quiesce.config.OutboundHttp;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a turn on an agent backend: POSTs {@code {turn_id, session_id, channel, text, internal,
 * message_id}} (plus {@code "replay": true, "deferred_id"} for a saved message run later, and {@code "resumed": true}
 * for a turn a shutdown cut off, run again after the restart) as JSON to {@code quiesce.turn.http.url} and relays the {@code reply} string of its
 * 2xx JSON answer.
 *
 * <p>Bounded by {@code quiesce.turn.http.timeout} from the request to the last byte of the answer
 * (a backend that stalls after its headers included); a non-2xx answer, an answer without a string
 * {@code reply}, a timeout or a connection failure fails the turn with a message fit for a user.
 * Cancelling the returned Uni (an interrupt, a client leaving) aborts the HTTP exchange. Uses the
 * JDK HTTP client of {@link OutboundHttp#newClient}, created once. Thread-safe.
 */
public final class HttpTurnHandler implements TurnHandler {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final Duration timeout;
    private final HttpClient client;

    public HttpTurnHandler(URI url, Duration timeout, Duration connectTimeout) {
        this.url = url;
        this.timeout = timeout;
        this.client = OutboundHttp.newClient(connectTimeout);
    }

    @Override
    public Uni<String> run(TurnRequest turn) {
        return Uni.createFrom().emitter(emitter -> {
            HttpRequest request = HttpRequest.newBuilder(url)
                    .timeout(timeout)
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body(turn)))
                    .build();
            CompletableFuture<HttpResponse<byte[]>> exchange =
                    client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
            // The request timeout ends when the response headers arrive: a backend that sends them and
            // then stalls mid-body would hold the turn, and its in-flight slot, forever. This deadline
            // bounds the whole exchange. It is the JDK's own timer, which drops a cancelled timeout at
            // once; a Mutiny ifNoItem() timer would keep each finished turn's for the full timeout.
            CompletableFuture<Void> deadline = new CompletableFuture<Void>()
                    .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
            deadline.whenComplete((ignored, expired) -> {
                if (expired != null) {
                    emitter.fail(new TurnFailedException(timedOut()));
                    exchange.cancel(true);
                }
            });
            // Cancelling the future aborts the exchange (JDK 16+), so the backend sees the turn end.
            emitter.onTermination(() -> {
                deadline.complete(null);
                exchange.cancel(true);
            });
            exchange.whenComplete((response, failure) -> {
                deadline.complete(null);
                if (failure != null) {
                    emitter.fail(failed(failure));
                    return;
                }
                try {
                    emitter.complete(reply(response));
                } catch (TurnFailedException e) {
                    emitter.fail(e);
                }
            });
        });
    }

    private static byte[] body(TurnRequest turn) {
        ObjectNode body = JSON.createObjectNode();
        body.put("turn_id", turn.turnId());
        body.put("session_id", turn.sessionId());
        body.put("channel", turn.channel());
        body.put("text", turn.text());
        body.put("internal", turn.internal());
        body.put("message_id", turn.messageId());
        if (turn.replay()) {
            body.put("replay", true);
            body.put("deferred_id", turn.deferredId());
        }
        if (turn.resumed()) {
            body.put("resumed", true);
        }
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String reply(HttpResponse<byte[]> response) {
        if (response.statusCode() / 100 != 2) {
            throw new TurnFailedException("the agent backend answered HTTP " + response.statusCode());
        }
        JsonNode root;
        try {
            root = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new TurnFailedException("the agent backend's answer is not JSON");
        }
        JsonNode reply = root == null ? null : root.get("reply");
        if (reply == null || !reply.isTextual()) {
            throw new TurnFailedException("the agent backend's answer has no \"reply\" string");
        }
        return reply.textValue();
    }

    /**
     * The turn's failure for an exchange that failed: words for the user ({@link OutboundHttp#failure}),
     * the exception as the cause for the log.
     */
    private TurnFailedException failed(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof HttpTimeoutException && !(cause instanceof HttpConnectTimeoutException)) {
            return new TurnFailedException(timedOut(), cause);
        }
        OutboundHttp.Failure why = OutboundHttp.failure(cause);
        return new TurnFailedException(why.connecting()
                ? "the agent backend could not be reached (" + why.cause() + ")"
                : "the exchange with the agent backend failed (" + why.cause() + ")", cause);
    }

    /** The timeout as the config spells it ({@code 1s}, {@code 5m}), not {@code PT1S}: the reply goes to a user. */
    private String timedOut() {
        return "the agent backend did not answer within " + Durations.readable(timeout);
    }
}
