package dev.quiesce.api;

import dev.quiesce.home.OncePerInterval;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps what any client can provoke at any rate, without a token, from flooding the log: the
 * transport's reports of malformed input become one WARN line per {@link Cause} per
 * {@link #INTERVAL}, which says how many like it were not logged since the line before. The client
 * still gets its answer (an INVALID_ARGUMENT, a GOAWAY); only the log changes.
 *
 * <p>Two reports are malformed input, found by sending the port every kind of bad byte (bad HTTP/2
 * frames, bad HPACK, oversized frames, truncated or oversized gRPC messages, bad compression, a
 * body over the size limit, garbage): the others are answered without a line at INFO or above.
 * <ul>
 *   <li>A gRPC message with the compressed flag and no {@code grpc-encoding}: Vert.x's
 *       {@code io.vertx.grpc.common.impl.GrpcReadStreamBase#handle} throws
 *       {@code UnsupportedOperationException("Handle me")}, which reaches the Vert.x exception
 *       handler, and the one Quarkus installs ({@code VertxCoreRecorder}) logs it as an ERROR
 *       with a 60-line stack trace. {@link #install} puts {@link #handler} in its place: it takes
 *       that exception and hands every other one to Quarkus' handler unchanged. (The call is still
 *       answered INVALID_ARGUMENT, by {@code GrpcCallGuard}'s undecodable-request check.)
 *   <li>An HTTP/2 connection whose first frame is not SETTINGS: Vert.x's
 *       {@code io.vertx.core.net.impl.ConnectionBase} logs Netty's connection error as an ERROR
 *       line of its own, with no exception handler to go to; {@link #install} sets
 *       {@link #filter} on that category's logger, which takes that line and lets every other
 *       through.
 * </ul>
 *
 * <p>Thread-safe: the event loops report concurrently; the counting is {@link OncePerInterval}'s.
 */
@Singleton
public class MalformedInputLog {

    /** How often a cause is logged at most. */
    public static final Duration INTERVAL = Duration.ofMinutes(1);

    /** The category whose ERROR lines include the HTTP/2 preface error. */
    static final String CONNECTION_CATEGORY = "io.vertx.core.net.impl.ConnectionBase";

    private static final String GRPC_READ_STREAM = "io.vertx.grpc.common.impl.GrpcReadStreamBase";
    private static final String NOT_SETTINGS = "First received frame was not SETTINGS";

    /** The kinds of malformed input the transport reports in the log. */
    enum Cause {
        COMPRESSED_WITHOUT_ENCODING("a gRPC message with the compressed flag and no grpc-encoding header "
                + "(the call was answered INVALID_ARGUMENT)"),
        FIRST_FRAME_NOT_SETTINGS("an HTTP/2 connection whose first frame is not SETTINGS "
                + "(the connection was closed with GOAWAY PROTOCOL_ERROR)");

        private final String description;

        Cause(String description) {
            this.description = description;
        }
    }

    private final OncePerInterval<Cause> limiter;
    /** Held so the logger, and the filter set on it, stay for as long as this bean. */
    private final Logger connectionLogger = Logger.getLogger(CONNECTION_CATEGORY);
    private Handler<Throwable> replacedHandler;
    private Filter replacedFilter;

    public MalformedInputLog(Clock clock) {
        this.limiter = OncePerInterval.every(INTERVAL, clock);
    }

    /** At startup: this class's handler and filter in place of the transport's. */
    synchronized void install(@Observes StartupEvent event, Vertx vertx) {
        replacedHandler = vertx.exceptionHandler();
        vertx.exceptionHandler(handler(replacedHandler));
        replacedFilter = connectionLogger.getFilter();
        connectionLogger.setFilter(filter(replacedFilter));
    }

    /** At shutdown: the transport's own again, so a restart in the same JVM (dev mode) does not wrap them twice. */
    synchronized void uninstall(@Observes ShutdownEvent event, Vertx vertx) {
        vertx.exceptionHandler(replacedHandler);
        connectionLogger.setFilter(replacedFilter);
    }

    /**
     * A Vert.x exception handler that logs malformed input as this class does and hands every other
     * exception to {@code other} as it is (logs it as an ERROR with its stack trace when there is none).
     */
    Handler<Throwable> handler(Handler<Throwable> other) {
        return failure -> {
            Optional<Cause> cause = causeOf(failure);
            if (cause.isPresent()) {
                report(cause.get());
            } else if (other != null) {
                other.handle(failure);
            } else {
                Log.error("Uncaught exception received by Vert.x", failure);
            }
        };
    }

    /** A log filter that logs malformed input as this class does, and lets the rest through {@code other}. */
    Filter filter(Filter other) {
        return record -> {
            Optional<Cause> cause = causeOf(record);
            if (cause.isPresent()) {
                report(cause.get());
                return false;
            }
            return other == null || other.isLoggable(record);
        };
    }

    static Optional<Cause> causeOf(Throwable failure) {
        StackTraceElement[] trace = failure.getStackTrace();
        if (failure instanceof UnsupportedOperationException && trace.length > 0
                && trace[0].getClassName().equals(GRPC_READ_STREAM)) {
            return Optional.of(Cause.COMPRESSED_WITHOUT_ENCODING);
        }
        return Optional.empty();
    }

    static Optional<Cause> causeOf(LogRecord record) {
        String message = record.getMessage();
        return message != null && message.startsWith(NOT_SETTINGS)
                ? Optional.of(Cause.FIRST_FRAME_NOT_SETTINGS) : Optional.empty();
    }

    private void report(Cause cause) {
        OptionalLong heldBack = limiter.admit(cause);
        if (heldBack.isEmpty()) {
            return;
        }
        Log.warnf("Malformed input from a client: %s; %s", cause.description,
                limiter.heldBackNote(heldBack.getAsLong()));
    }
}
