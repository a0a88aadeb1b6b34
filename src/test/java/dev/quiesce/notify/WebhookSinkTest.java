package dev.quiesce.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.quiesce.marker.MarkerJudgement;
import dev.quiesce.notify.Notification.Kind;
import dev.quiesce.notify.NotifyReport.HomeBroadcast;
import dev.quiesce.testing.LogRecorder;
import dev.quiesce.testing.SettableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The webhook sink against a real HTTP server on the loopback interface. */
class WebhookSinkTest {

    /** Like a Slack webhook, the path holds a secret that must never reach the log. */
    private static final String SECRET_PATH = "/services/T0001/B0001/s3cr3t-t0ken";

    private static final Duration SHORT_BACKOFF = Duration.ofMillis(10);

    private final Clock clock = Clock.systemUTC();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    /** The status of each next answer; 200 once empty. */
    private final Queue<Integer> statuses = new ConcurrentLinkedQueue<>();
    /** How many of the next requests get no answer until the test ends. */
    private final AtomicInteger requestsToHang = new AtomicInteger();
    private final CountDownLatch testOver = new CountDownLatch(1);
    private ExecutorService handlers;
    private HttpServer server;

    private record Received(String method, String path, String contentType, byte[] body) {}

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        handlers = Executors.newCachedThreadPool();
        server.setExecutor(handlers);
        server.start();
    }

    @AfterEach
    void stopServer() {
        testOver.countDown();
        server.stop(0);
        handlers.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                exchange.getRequestHeaders().getFirst("content-type"), exchange.getRequestBody().readAllBytes()));
        if (requestsToHang.getAndDecrement() > 0) {
            try {
                testOver.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Integer status = statuses.poll();
        exchange.sendResponseHeaders(status == null ? 200 : status, -1);
        exchange.close();
    }

    private URI webhookUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + SECRET_PATH);
    }

    private WebhookSink sink(Duration timeout, int attempts) {
        return new WebhookSink(WebhookEndpoint.of(webhookUrl()), timeout, attempts, SHORT_BACKOFF, clock);
    }

    private static Notification ping() {
        return new Notification(Kind.SESSION_INTERRUPTED, "C024BE91L", "session-7", ShutdownNotifier.RESUME_HINT);
    }

    private Instant inSeconds(long seconds) {
        return clock.instant().plusSeconds(seconds);
    }

    @Test
    void postsTheNotificationAsJsonWithExactlyKindChannelSessionIdAndText() throws IOException {
        boolean delivered = sink(Duration.ofSeconds(2), 3).send(ping(), inSeconds(10));

        assertThat(delivered).isTrue();
        assertThat(received).hasSize(1);
        Received request = received.get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo(SECRET_PATH);
        assertThat(request.contentType()).isEqualTo("application/json");
        JsonNode body = new ObjectMapper().readTree(request.body());
        List<String> fields = new ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactlyInAnyOrder("kind", "channel", "session_id", "text");
        assertThat(body.get("kind").textValue()).isEqualTo("session_interrupted");
        assertThat(body.get("channel").textValue()).isEqualTo("C024BE91L");
        assertThat(body.get("session_id").textValue()).isEqualTo("session-7");
        assertThat(body.get("text").textValue()).isEqualTo(ShutdownNotifier.RESUME_HINT);
    }

    @Test
    void homeBroadcastIsPostedWithItsKindAndAnEmptySessionId() throws IOException {
        Notification home = new Notification(Kind.HOME_SHUTDOWN, "ops", "", ShutdownNotifier.HOME_SHUTDOWN_TEXT);

        assertThat(sink(Duration.ofSeconds(2), 1).send(home, inSeconds(10))).isTrue();

        JsonNode body = new ObjectMapper().readTree(received.get(0).body());
        assertThat(body.get("kind").textValue()).isEqualTo("home_shutdown");
        assertThat(body.get("session_id").textValue()).isEmpty();
        assertThat(body.get("text").textValue()).isEqualTo(ShutdownNotifier.HOME_SHUTDOWN_TEXT);
    }

    @Test
    void aServerErrorIsRetriedAndTheRetryDelivers() {
        statuses.add(500);

        boolean delivered = sink(Duration.ofSeconds(2), 3).send(ping(), inSeconds(10));

        assertThat(delivered).isTrue();
        assertThat(received).hasSize(2);
    }

    @Test
    void aServerThatKeepsFailingIsTriedExactlyAttemptsTimesThenReportedOnceWithoutTheSecret() {
        for (int i = 0; i < 10; i++) {
            statuses.add(500);
        }
        WebhookSink sink = sink(Duration.ofSeconds(2), 3);

        boolean delivered;
        List<String> warnings;
        try (LogRecorder log = LogRecorder.of(WebhookSink.class)) {
            delivered = sink.send(ping(), inSeconds(10));
            warnings = log.messages(Level.WARNING);
        }

        assertThat(delivered).isFalse();
        assertThat(received).hasSize(3);
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0))
                .contains("http://127.0.0.1:" + server.getAddress().getPort())
                .contains("not delivered to channel 'C024BE91L' (session 'session-7'): 3 attempts failed: "
                        + "the webhook answered HTTP 500")
                .doesNotContain("s3cr3t")
                .doesNotContain("/services");
    }

    @Test
    void eachAttemptIsCutOffAtTheWebhookTimeoutLeavingTimeToRetry() {
        requestsToHang.set(1);
        WebhookSink sink = sink(Duration.ofSeconds(1), 2);

        boolean delivered = sink.send(ping(), inSeconds(30));

        // Had the first attempt waited for the deadline, no second one could have delivered.
        assertThat(delivered).isTrue();
        assertThat(received).hasSize(2);
    }

    @Test
    void aServerThatNeverAnswersMakesItGiveUpByTheDeadline() {
        requestsToHang.set(Integer.MAX_VALUE);
        WebhookSink sink = sink(Duration.ofSeconds(30), 3);
        Instant deadline = inSeconds(1);

        boolean delivered = sink.send(ping(), deadline);
        Instant returned = clock.instant();

        assertThat(delivered).isFalse();
        assertThat(received).isNotEmpty();
        assertThat(returned).isBefore(deadline.plusSeconds(2));
    }

    @Test
    void refusedConnectionsAreReportedAsWhatHappenedNotAsTheDeadline() throws IOException {
        WebhookSink sink = new WebhookSink(closedPort(), Duration.ofSeconds(2), 3, SHORT_BACKOFF, clock);
        Instant deadline = inSeconds(10);

        Delivered result = deliverQuietly(sink, deadline);

        assertThat(clock.instant()).isBefore(deadline);
        assertThat(result.delivery())
                .isEqualTo(Delivery.failed("3 attempts failed: could not connect (connection refused)"));
        assertThat(result.warnings()).singleElement().asString()
                .contains("not delivered to channel 'C024BE91L' (session 'session-7'): 3 attempts failed: "
                        + "could not connect (connection refused)")
                .contains("java.net.ConnectException")
                .doesNotContain("deadline")
                .doesNotContain("s3cr3t");
    }

    @Test
    void aWebhookThatStallsPastTheDeadlineIsReportedAsStoppedByTheDeadline() {
        requestsToHang.set(Integer.MAX_VALUE);
        Delivered result = deliverQuietly(sink(Duration.ofSeconds(30), 3), clock.instant().plusMillis(700));

        assertThat(result.delivery().byDeadline()).isTrue();
        assertThat(result.delivery().why()).startsWith("1 attempt made, the last: no answer within ");
        assertThat(result.warnings()).singleElement().asString()
                .contains("not delivered to channel 'C024BE91L' (session 'session-7') before the deadline "
                        + "(1 attempt made, the last: no answer within");
        assertThat(received).hasSize(1);
    }

    @Test
    void aWebhookWhoseEveryAttemptTimesOutWellInsideTheDeadlineIsNotBlamedOnTheDeadline() {
        requestsToHang.set(Integer.MAX_VALUE);
        Delivered result = deliverQuietly(sink(Duration.ofMillis(200), 2), inSeconds(30));

        assertThat(result.delivery()).isEqualTo(Delivery.failed("2 attempts failed: no answer within 200 ms"));
    }

    @Test
    void theShutdownSummaryOfABroadcastToARefusingWebhookNamesTheCause(@TempDir Path home) throws IOException {
        WebhookSink sink = new WebhookSink(closedPort(), Duration.ofSeconds(2), 3, SHORT_BACKOFF, clock);

        NotifyReport report = broadcastQuietly(sink, home, inSeconds(10));

        assertThat(report.home()).isEqualTo(HomeBroadcast.FAILED);
        assertThat(report.homeDetail())
                .isEqualTo("not delivered to #ops: 3 attempts failed: could not connect (connection refused)");
    }

    @Test
    void theShutdownSummaryOfABroadcastToAStallingWebhookNamesTheDeadline(@TempDir Path home) {
        requestsToHang.set(Integer.MAX_VALUE);

        NotifyReport report = broadcastQuietly(sink(Duration.ofSeconds(30), 3), home, clock.instant().plusMillis(700));

        assertThat(report.home()).isEqualTo(HomeBroadcast.FAILED);
        assertThat(report.homeDetail()).startsWith("not delivered to #ops before the deadline (1 attempt made, "
                + "the last: no answer within ");
    }

    /** What a sink made of a notification, and the warnings it logged. */
    private record Delivered(Delivery delivery, List<String> warnings) {}

    /** {@code sink} delivers {@link #ping()} by {@code deadline}; its expected warning is kept off the console. */
    private static Delivered deliverQuietly(WebhookSink sink, Instant deadline) {
        try (LogRecorder log = LogRecorder.expecting(WebhookSink.class)) {
            Delivery delivery = sink.deliver(ping(), deadline);
            return new Delivered(delivery, log.messages(Level.WARNING));
        }
    }

    /** A shutdown with no interrupted turns, whose home broadcast to {@code #ops} goes to {@code sink}. */
    private NotifyReport broadcastQuietly(WebhookSink sink, Path home, Instant deadline) {
        ShutdownNotifier notifier = PlainNotifier.of(sink, home, Optional.of("#ops"), Duration.ofMinutes(10),
                Duration.ofSeconds(10), clock, new SimpleMeterRegistry());
        try (LogRecorder log = LogRecorder.expecting(WebhookSink.class)) {
            return notifier.notifyShutdown(List.of(), MarkerJudgement.ABSENT, deadline);
        }
    }

    /** A webhook URL on a port nothing listens on: every connection is refused. */
    private static WebhookEndpoint closedPort() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        return WebhookEndpoint.of(URI.create("http://127.0.0.1:" + closedPort + SECRET_PATH));
    }

    @Test
    void noRetryStartsOnceTheDeadlineHasPassed() {
        statuses.add(500);
        SettableClock jumpy = new SettableClock(Instant.parse("2026-11-23T10:00:00Z"));
        Instant deadline = jumpy.instant().plusSeconds(10);
        // The wall clock passes the deadline while the first attempt is being answered.
        server.removeContext("/");
        server.createContext("/", exchange -> {
            jumpy.advance(Duration.ofMinutes(1));
            handle(exchange);
        });
        WebhookSink sink =
                new WebhookSink(WebhookEndpoint.of(webhookUrl()), Duration.ofSeconds(2), 3, SHORT_BACKOFF, jumpy);

        boolean delivered;
        List<String> warnings;
        try (LogRecorder log = LogRecorder.of(WebhookSink.class)) {
            delivered = sink.send(ping(), deadline);
            warnings = log.messages(Level.WARNING);
        }

        assertThat(delivered).isFalse();
        assertThat(received).hasSize(1);
        assertThat(warnings).singleElement().asString()
                .contains("before the deadline (1 attempt made, the last: the webhook answered HTTP 500)");
    }

    @Test
    void aDeadlineThatHasPassedSendsNothing() {
        boolean delivered = sink(Duration.ofSeconds(2), 3).send(ping(), clock.instant().minusSeconds(1));

        assertThat(delivered).isFalse();
        assertThat(received).isEmpty();
    }

    @Test
    void aRedirectIsNotFollowedAndCountsAsAFailure() {
        statuses.add(302);

        boolean delivered = sink(Duration.ofSeconds(2), 1).send(ping(), inSeconds(10));

        assertThat(delivered).isFalse();
        assertThat(received).hasSize(1);
    }

    @Test
    void aTimeoutOrAnAttemptCountThatCannotWorkIsRefusedNamingItsProperty() {
        WebhookEndpoint endpoint = WebhookEndpoint.of(webhookUrl());

        assertThatThrownBy(() -> new WebhookSink(endpoint, Duration.ZERO, 1, clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quiesce.notify.webhook.timeout");
        assertThatThrownBy(() -> new WebhookSink(endpoint, Duration.ofSeconds(1), 0, clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quiesce.notify.webhook.attempts");
    }

    @Test
    void theSinkNamesItsEndpointWithoutTheSecret() {
        assertThat(sink(Duration.ofSeconds(2), 1).endpoint())
                .isEqualTo("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Test
    void warmingUpNeverTouchesTheWebhook() throws InterruptedException {
        WebhookSink sink = sink(Duration.ofSeconds(2), 1);

        Thread warmUp = sink.warmUpInBackground();
        warmUp.join(TimeUnit.SECONDS.toMillis(10));

        assertThat(warmUp.isAlive()).isFalse();
        assertThat(received).isEmpty();
        assertThat(sink.send(ping(), inSeconds(10))).isTrue();
    }
}
