package dev.quiesce.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import dev.quiesce.config.OutboundHttp;
import dev.quiesce.notify.WebhookAttempt.Result;
import io.quarkus.logging.Log;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The webhook sink ({@code quiesce.notify.sink=webhook}): POSTs each notification as JSON
 * {@code {"kind", "channel", "session_id", "text"}} to {@code quiesce.notify.webhook.url}. The
 * {@code text} field makes it a valid Slack incoming-webhook payload; {@code kind} is
 * {@code session_interrupted} or {@code home_shutdown}. Any 2xx answer is a delivery.
 *
 * <p><b>Bounds.</b> Up to {@code attempts} attempts with a short exponential backoff (100 ms
 * doubling, at most 1 s). Each attempt is bounded by {@code quiesce.notify.webhook.timeout} and by
 * the time left before the caller's deadline, whichever is shorter; no attempt starts and no
 * backoff waits past the deadline. A non-2xx answer, a timeout or a connection failure is retried.
 *
 * <p><b>Why Failsafe.</b> The retries are a per-call {@link RetryPolicy} of the Failsafe library
 * ({@code dev.failsafe:failsafe}): its {@code maxDuration}, set to the time left before this
 * call's deadline, stops further attempts and shortens the last backoff so it ends at the
 * deadline, and its policies are small immutable values, cheap to build per call. SmallRye Fault
 * Tolerance's programmatic {@code Guard} was the other candidate, but a guard is configured once
 * when it is built (no per-call timeout or max duration), and its synchronous timeout works by
 * interrupting the caller from a watcher thread; a deadline that differs on every call does not
 * fit it cleanly. It would also bring in a CDI extension for one call site, and plain unit tests
 * would need its separate standalone implementation. The per-attempt bound is the JDK client's own
 * request timeout plus a hard wait limit on the exchange (which also covers a server that stalls
 * mid-body).
 *
 * <p><b>Secrets.</b> A webhook URL often carries a token in its path (Slack's does). Logs name the
 * endpoint as {@code scheme://host:port} only, and exception messages are scrubbed of the URL
 * ({@link WebhookEndpoint}).
 *
 * <p><b>What it reports.</b> {@link #deliver} says what became of a notification ({@link Delivery}):
 * {@code 3 attempts failed: could not connect (connection refused)} when the attempts ran out, and
 * "before the deadline" only when the deadline is what stopped it ({@link WebhookAttempt#summary}).
 * An undelivered notification is logged once, with that sentence and the last attempt's exception.
 * The JDK HTTP client ({@link OutboundHttp#newClient}) is created once, in the constructor;
 * {@link #warmUpInBackground()} pays its first-use cost ahead of a shutdown. Neither {@link #send}
 * nor {@link #deliver} throws. Thread-safe.
 */
public final class WebhookSink implements NotificationSink {

    /** The first backoff; it doubles after each failed attempt. */
    static final Duration DEFAULT_BACKOFF = Duration.ofMillis(100);

    /** The longest backoff between two attempts. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebhookEndpoint endpoint;
    private final Duration attemptTimeout;
    private final int attempts;
    private final Duration backoff;
    private final Clock clock;
    private final HttpClient client;

    /**
     * @param endpoint where notifications are POSTed
     * @param attemptTimeout the longest one attempt may take
     * @param attempts attempts per notification, the first included; at least 1
     * @param clock the clock deadlines are measured against
     * @throws IllegalArgumentException when a parameter is unusable (the message names its property)
     */
    WebhookSink(WebhookEndpoint endpoint, Duration attemptTimeout, int attempts, Clock clock) {
        this(endpoint, attemptTimeout, attempts, DEFAULT_BACKOFF, clock);
    }

    /** As the constructor above, with the first backoff (tests use a short one). */
    WebhookSink(WebhookEndpoint endpoint, Duration attemptTimeout, int attempts, Duration backoff, Clock clock) {
        if (attemptTimeout.isNegative() || attemptTimeout.isZero()) {
            throw new IllegalArgumentException(
                    "quiesce.notify.webhook.timeout must be positive, not " + attemptTimeout);
        }
        if (attempts < 1) {
            throw new IllegalArgumentException(
                    "quiesce.notify.webhook.attempts must be at least 1, not " + attempts);
        }
        this.endpoint = endpoint;
        this.attemptTimeout = attemptTimeout;
        this.attempts = attempts;
        this.backoff = backoff;
        this.clock = clock;
        this.client = OutboundHttp.newClient(attemptTimeout);
    }

    /** The endpoint as it may be logged: {@code scheme://host:port}, never the path or query. */
    public String endpoint() {
        return endpoint.loggable();
    }

    @Override
    public boolean send(Notification notification, Instant deadline) {
        return deliver(notification, deadline).delivered();
    }

    @Override
    public Delivery deliver(Notification notification, Instant deadline) {
        AtomicReference<WebhookAttempt> lastMade = new AtomicReference<>();
        Delivery delivery;
        try {
            Duration left = timeLeft(deadline);
            byte[] body = body(notification);
            WebhookAttempt last = left.isZero() ? noTimeLeft(1)
                    : Failsafe.with(retryPolicy(left)).get(() -> attempt(body, deadline, lastMade));
            delivery = WebhookAttempt.summary(last, lastMade.get(), attempts);
        } catch (RuntimeException e) {
            lastMade.set(new WebhookAttempt(0, Result.FAILED, OutboundHttp.failure(e).sentence(), e));
            delivery = Delivery.failed("the sink failed: " + lastMade.get().problem());
        }
        if (!delivery.delivered()) {
            logFailure(notification, delivery, lastMade.get());
        }
        return delivery;
    }

    /**
     * Pays the HTTP client's first-use cost ahead of a shutdown ({@link WebhookWarmUp}), in the
     * background, and returns at once with the thread doing it (a daemon: it never holds up the
     * exit). Never throws.
     */
    public Thread warmUpInBackground() {
        return WebhookWarmUp.startInBackground(client);
    }

    /**
     * A policy for one call: up to {@code attempts} attempts, retrying undelivered ones, with
     * backoff, and no retry or wait past {@code left} from now.
     */
    private RetryPolicy<WebhookAttempt> retryPolicy(Duration left) {
        RetryPolicyBuilder<WebhookAttempt> builder = RetryPolicy.<WebhookAttempt>builder()
                .handleResultIf(attempt -> !attempt.delivered())
                .abortIf(WebhookAttempt::giveUp);
        // Failsafe requires the first delay to be shorter than maxDuration; with less time than
        // that left, one attempt is all there is room for.
        if (attempts == 1 || left.compareTo(backoff) <= 0) {
            return builder.withMaxAttempts(1).build();
        }
        Duration maxBackoff = MAX_BACKOFF.compareTo(backoff) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        return builder.withMaxAttempts(attempts)
                .withBackoff(backoff, maxBackoff)
                .withMaxDuration(left)
                .build();
    }

    /**
     * One POST, bounded by the attempt timeout and the deadline, whichever is sooner; once made, it is
     * {@code lastMade}. Never throws.
     */
    private WebhookAttempt attempt(byte[] body, Instant deadline, AtomicReference<WebhookAttempt> lastMade) {
        WebhookAttempt previous = lastMade.get();
        int number = previous == null ? 1 : previous.number() + 1;
        Duration left = timeLeft(deadline);
        if (left.isZero()) {
            return noTimeLeft(number);
        }
        WebhookAttempt made = post(body, number, left);
        lastMade.set(made);
        return made;
    }

    private WebhookAttempt post(byte[] body, int number, Duration left) {
        // Bounded by the deadline rather than by its own timeout: running out of that time is the deadline's
        // doing, not the webhook's.
        Result outOfTime = attemptTimeout.compareTo(left) < 0 ? Result.FAILED : Result.CUT_BY_DEADLINE;
        Duration timeout = outOfTime == Result.FAILED ? attemptTimeout : left;
        HttpRequest request = HttpRequest.newBuilder(endpoint.url())
                .timeout(timeout)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        CompletableFuture<HttpResponse<Void>> exchange =
                client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        try {
            // The request timeout ends at the response headers; this hard limit also covers a body
            // that never ends. Cancelling the future aborts the exchange.
            HttpResponse<Void> response = exchange.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            int status = response.statusCode();
            return status / 100 == 2 ? WebhookAttempt.delivered(number)
                    : new WebhookAttempt(number, Result.FAILED, "the webhook answered HTTP " + status, null);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            return new WebhookAttempt(number, outOfTime, "no answer within " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof HttpTimeoutException && !(cause instanceof HttpConnectTimeoutException)) {
                return new WebhookAttempt(number, outOfTime, "no answer within " + timeout.toMillis() + " ms", cause);
            }
            return new WebhookAttempt(number, cause instanceof HttpConnectTimeoutException ? outOfTime : Result.FAILED,
                    OutboundHttp.failure(cause).sentence(), cause);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            return new WebhookAttempt(number, Result.INTERRUPTED, "interrupted", e);
        }
    }

    private static WebhookAttempt noTimeLeft(int number) {
        return new WebhookAttempt(number, Result.NO_TIME_LEFT, "the deadline passed before attempt " + number, null);
    }

    private Duration timeLeft(Instant deadline) {
        Duration left = Duration.between(clock.instant(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /**
     * One WARN line: what became of the notification, then, for the operator, the last attempt's
     * exception and its causes with the URL (which may hold a token) scrubbed out.
     */
    private void logFailure(Notification notification, Delivery delivery, WebhookAttempt lastMade) {
        String session = notification.sessionId() == null || notification.sessionId().isEmpty()
                ? "" : " (session '" + notification.sessionId() + "')";
        StringBuilder thrown = new StringBuilder();
        Throwable next = lastMade == null ? null : lastMade.exception();
        for (int depth = 0; next != null && depth < 5; depth++, next = next.getCause()) {
            thrown.append(depth == 0 ? " [" : " <- ").append(endpoint.scrub(next.toString()));
        }
        Log.warnf("Webhook %s: %s notification %s%s", endpoint, notification.kind().wireName(),
                delivery.describe("to channel '" + notification.channel() + "'" + session),
                thrown.length() == 0 ? "" : thrown.append(']'));
    }

    static byte[] body(Notification notification) {
        ObjectNode body = JSON.createObjectNode();
        body.put("kind", notification.kind().wireName());
        body.put("channel", notification.channel());
        body.put("session_id", notification.sessionId());
        body.put("text", notification.text());
        if (!notification.deferredId().isEmpty()) {
            body.put("message_id", notification.messageId());
            body.put("deferred_id", notification.deferredId());
        }
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a notification as JSON", e);
        }
    }
}
