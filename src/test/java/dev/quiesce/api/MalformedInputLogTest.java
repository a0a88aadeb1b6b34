package dev.quiesce.api;

import dev.quiesce.testing.LogRecorder;
import dev.quiesce.testing.SettableClock;
import io.vertx.core.Handler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MalformedInputLogTest {

    private final SettableClock clock = new SettableClock(Instant.parse("2026-05-01T10:00:00Z"));
    private final MalformedInputLog log = new MalformedInputLog(clock);
    private final List<Throwable> delegated = new ArrayList<>();
    private final Handler<Throwable> handler = log.handler(delegated::add);

    @Test
    void theCompressedFlagFailureIsLoggedOncePerIntervalWithTheCountOfTheRest() {
        try (LogRecorder recorder = LogRecorder.expecting(MalformedInputLog.class)) {
            for (int i = 0; i < 50; i++) {
                handler.handle(handleMe());
            }
            clock.advance(MalformedInputLog.INTERVAL);
            handler.handle(handleMe());

            assertThat(recorder.messages(Level.WARNING)).containsExactly(
                    "Malformed input from a client: a gRPC message with the compressed flag and no grpc-encoding "
                            + "header (the call was answered INVALID_ARGUMENT); more like it within 1 min are "
                            + "counted, not logged",
                    "Malformed input from a client: a gRPC message with the compressed flag and no grpc-encoding "
                            + "header (the call was answered INVALID_ARGUMENT); 49 more like it since the last such "
                            + "line were not logged");
        }
        assertThat(delegated).isEmpty();
    }

    @Test
    void everyOtherExceptionGoesToTheHandlerItReplacedUnchanged() {
        UnsupportedOperationException elsewhere = new UnsupportedOperationException("Handle me");
        IllegalStateException bug = new IllegalStateException("a bug");

        try (LogRecorder recorder = LogRecorder.expecting(MalformedInputLog.class)) {
            handler.handle(elsewhere);
            handler.handle(bug);

            assertThat(recorder.all()).isEmpty();
        }
        assertThat(delegated).containsExactly(elsewhere, bug);
    }

    @Test
    void theConnectionErrorLineIsTakenAndEveryOtherLineLetThrough() {
        List<LogRecord> asked = new ArrayList<>();
        Filter filter = log.filter(asked::add);
        LogRecord preface = new LogRecord(Level.SEVERE, "First received frame was not SETTINGS. Hex dump for first 5 "
                + "bytes: 0000080600");
        LogRecord other = new LogRecord(Level.SEVERE, "Connection reset by peer");

        try (LogRecorder recorder = LogRecorder.expecting(MalformedInputLog.class)) {
            assertThat(filter.isLoggable(preface)).isFalse();
            assertThat(filter.isLoggable(preface)).isFalse();
            assertThat(filter.isLoggable(other)).isTrue();

            assertThat(recorder.messages(Level.WARNING)).singleElement().asString()
                    .startsWith("Malformed input from a client: an HTTP/2 connection whose first frame is not SETTINGS");
        }
        assertThat(asked).containsExactly(other);
    }

    /** What Vert.x's gRPC reader throws for a compressed-flag message without an encoding. */
    private static UnsupportedOperationException handleMe() {
        UnsupportedOperationException thrown = new UnsupportedOperationException("Handle me");
        thrown.setStackTrace(new StackTraceElement[] {
            new StackTraceElement("io.vertx.grpc.common.impl.GrpcReadStreamBase", "handle", "GrpcReadStreamBase.java", 155),
            new StackTraceElement("io.vertx.core.impl.ContextInternal", "dispatch", "ContextInternal.java", 270)});
        return thrown;
    }
}
