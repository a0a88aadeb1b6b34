package dev.quiesce.api.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Duration;
import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.CancelDrainRequest;
import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.drain.BeginDrainCommand;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.testing.GatewayState;
import dev.quiesce.testing.RawGrpc;
import dev.quiesce.testing.RawH2;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input over gRPC, table-driven, against the running application: every case, once while the
 * gateway runs and once while it drains, gets its documented status with a description, never
 * INTERNAL or UNKNOWN, and leaves the state as it was (version, phase, in flight, marker bytes).
 *
 * <p>Calls go through a real grpc-java channel with raw-byte requests ({@link RawGrpc}), so a
 * request can be any bytes at all, or through a hand-written HTTP/2 connection ({@link RawH2}) for
 * what grpc-java refuses to send (header blocks over the server's limit, non-ASCII metadata,
 * compressed-flag messages).
 */
@QuarkusTest
@WithTestResource(TestHome.class)
class BadInputGrpcTest {

    private static final String BEGIN = "quiesce.v1.DrainControl/BeginDrain";
    private static final String CANCEL = "quiesce.v1.DrainControl/CancelDrain";
    private static final String GET = "quiesce.v1.DrainControl/GetState";
    private static final String WATCH = "quiesce.v1.DrainControl/WatchState";
    private static final String HANDLE = "quiesce.v1.MessageGateway/HandleMessage";

    /** What a transport that drops the connection or answers 431 looks like in this table. */
    static final String TRANSPORT_REFUSED = "TRANSPORT_REFUSED";

    @GrpcClient("drain")
    Channel channel;

    @Inject
    DrainStateBean state;

    @Inject
    QuiesceHome home;

    /** How one call ended: a status name (or {@link #TRANSPORT_REFUSED}) and its description. */
    record Outcome(String code, String description) {}

    /** A call under test, given the channel and the HTTP port. */
    interface Call extends Function<Channel, Outcome> {}

    enum Phase { RUNNING, DRAINING }

    static Stream<Arguments> cases() {
        List<Object[]> table = new ArrayList<>();
        String op = TestTokens.OPERATOR.bearer();
        byte[] empty = new byte[0];
        // --- tokens
        row(table, "no authorization metadata", grpc(BEGIN, null, empty), "UNAUTHENTICATED", "missing bearer token");
        row(table, "an empty authorization value", grpc(BEGIN, "", empty), "UNAUTHENTICATED", "missing bearer token");
        row(table, "the bare word Bearer", grpc(BEGIN, "Bearer", empty), "UNAUTHENTICATED", "empty bearer token");
        row(table, "Basic credentials", grpc(BEGIN, "Basic x", empty), "UNAUTHENTICATED", "not a bearer token");
        row(table, "a valid token without the Bearer scheme", grpc(BEGIN, TestTokens.OPERATOR.token, empty),
                "UNAUTHENTICATED", "not a bearer token");
        row(table, "two words after Bearer", grpc(BEGIN, "Bearer a b", empty), "UNAUTHENTICATED", "malformed bearer token");
        row(table, "an unknown token", grpc(BEGIN, "Bearer qsc_unknown", empty), "UNAUTHENTICATED", "unknown bearer token");
        row(table, "a valid token with one character more", grpc(BEGIN, op + "x", empty), "UNAUTHENTICATED",
                "unknown bearer token");
        row(table, "a 10 KB token", grpc(BEGIN, "Bearer " + "t".repeat(10 * 1024), empty), "UNAUTHENTICATED",
                "unknown bearer token");
        row(table, "a token with non-ASCII bytes", h2(BEGIN, Map.of("authorization", "Bearer t\u00e9st\u00ff"), false,
                empty), "UNAUTHENTICATED", "unknown bearer token");
        row(table, "a 64 KB header block", h2(BEGIN, Map.of("authorization", op, "x-padding", "p".repeat(64 * 1024)),
                false, empty), TRANSPORT_REFUSED, "");
        // --- scopes
        row(table, "BeginDrain with a read-only token", grpc(BEGIN, TestTokens.READER.bearer(), empty),
                "PERMISSION_DENIED", "lacks scope 'drain'");
        row(table, "CancelDrain with a read-only token", grpc(CANCEL, TestTokens.READER.bearer(), empty),
                "PERMISSION_DENIED", "lacks scope 'drain'");
        row(table, "GetState with an ingest-only token", grpc(GET, TestTokens.INGESTER.bearer(), empty),
                "PERMISSION_DENIED", "lacks scope 'read'");
        row(table, "WatchState with an ingest-only token", grpc(WATCH, TestTokens.INGESTER.bearer(), empty),
                "PERMISSION_DENIED", "lacks scope 'read'");
        row(table, "HandleMessage with a drain token", grpc(HANDLE, TestTokens.DRAINER.bearer(),
                message("s", "hi").toByteArray()), "PERMISSION_DENIED", "lacks scope 'ingest'");
        row(table, "an internal message without scope internal", grpc(HANDLE, TestTokens.INGESTER.bearer(),
                message("s", "hi").toBuilder().setInternal(true).build().toByteArray()), "PERMISSION_DENIED",
                "lacks scope 'internal'");
        row(table, "a method the service does not have", grpc("quiesce.v1.DrainControl/Restart", op, empty),
                "UNIMPLEMENTED", "Method not found");
        // --- sizes and ranges
        row(table, "a 257-character reason", grpc(BEGIN, op, begin("r".repeat(257), null)), "INVALID_ARGUMENT",
                "at most 256");
        row(table, "a 200,000-character reason", grpc(BEGIN, op, begin("r".repeat(200_000), null)), "INVALID_ARGUMENT",
                "reason is 200000 characters");
        row(table, "a negative lease", grpc(BEGIN, op, begin("", lease(-5, 0))), "INVALID_ARGUMENT", "negative");
        row(table, "a lease of minus one nanosecond", grpc(BEGIN, op, begin("", lease(0, -1))), "INVALID_ARGUMENT",
                "negative");
        row(table, "a lease over the maximum", grpc(BEGIN, op, begin("", lease(25 * 3600, 0))), "INVALID_ARGUMENT",
                "maximum");
        row(table, "a lease of Long.MAX_VALUE seconds", grpc(BEGIN, op, begin("", lease(Long.MAX_VALUE, 999_999_999))),
                "INVALID_ARGUMENT", "not a valid google.protobuf.Duration");
        row(table, "a lease of Long.MIN_VALUE seconds", grpc(BEGIN, op, begin("", lease(Long.MIN_VALUE, -999_999_999))),
                "INVALID_ARGUMENT", "not a valid google.protobuf.Duration");
        row(table, "a lease with a billion nanos", grpc(BEGIN, op, begin("", lease(10, 1_000_000_000))),
                "INVALID_ARGUMENT", "not a valid google.protobuf.Duration");
        row(table, "a lease whose seconds and nanos differ in sign", grpc(BEGIN, op, begin("", lease(600, -1))),
                "INVALID_ARGUMENT", "same sign");
        row(table, "a 257-character drain_id", grpc(CANCEL, op, cancel("d".repeat(257))), "INVALID_ARGUMENT",
                "at most 256");
        row(table, "a 100,000-character drain_id", grpc(CANCEL, op, cancel("d".repeat(100_000))), "INVALID_ARGUMENT",
                "drain_id is 100000 characters");
        table.add(new Object[] {"a drain_id that is not the active drain", grpc(CANCEL, op, cancel("d-not-active")),
            Map.of(Phase.RUNNING, "OK", Phase.DRAINING, "FAILED_PRECONDITION"), "is not the active drain"});
        String id256 = "x".repeat(256);
        row(table, "an empty session_id", grpc(HANDLE, op, message("", "hi").toByteArray()), "INVALID_ARGUMENT",
                "session_id is required");
        row(table, "a blank session_id", grpc(HANDLE, op, message("  ", "hi").toByteArray()), "INVALID_ARGUMENT",
                "session_id is required");
        row(table, "an empty text", grpc(HANDLE, op, message("s", "").toByteArray()), "INVALID_ARGUMENT",
                "text is required");
        row(table, "a text of 64 KiB and one byte", grpc(HANDLE, op, message("s", "a".repeat(65_537)).toByteArray()),
                "INVALID_ARGUMENT", "at most 65536");
        row(table, "a text over 64 KiB in two-byte characters", grpc(HANDLE, op,
                message("s", "\u00e9".repeat(32 * 1024 + 1)).toByteArray()), "INVALID_ARGUMENT", "65538 bytes");
        row(table, "a 257-character session_id", grpc(HANDLE, op, message(id256 + "x", "hi").toByteArray()),
                "INVALID_ARGUMENT", "session_id is 257 characters");
        row(table, "a 257-character channel", grpc(HANDLE, op,
                message("s", "hi").toBuilder().setChannel(id256 + "x").build().toByteArray()), "INVALID_ARGUMENT",
                "channel is 257 characters");
        row(table, "a 257-character message_id", grpc(HANDLE, op,
                message("s", "hi").toBuilder().setMessageId(id256 + "x").build().toByteArray()), "INVALID_ARGUMENT",
                "message_id is 257 characters");
        row(table, "a 300 KB message", grpc(HANDLE, op, message("s", "a".repeat(300 * 1024)).toByteArray()),
                "RESOURCE_EXHAUSTED", "larger than the gateway accepts");
        // --- bytes that are not the request message
        row(table, "an invalid wire type", grpc(BEGIN, op, bytes(0x0F)), "INVALID_ARGUMENT", "could not be decoded");
        row(table, "a truncated varint", grpc(BEGIN, op, bytes(0x08, 0xFF)), "INVALID_ARGUMENT", "could not be decoded");
        row(table, "a length past the end", grpc(BEGIN, op, bytes(0x12, 0x10, 'a')), "INVALID_ARGUMENT",
                "could not be decoded");
        row(table, "a reason that is not UTF-8", grpc(BEGIN, op, bytes(0x12, 0x02, 0xC3, 0x28)), "INVALID_ARGUMENT",
                "could not be decoded as a quiesce.v1.BeginDrainRequest");
        row(table, "a lease that is not a Duration", grpc(BEGIN, op, bytes(0x1A, 0x02, 0xFF, 0xFF)), "INVALID_ARGUMENT",
                "could not be decoded");
        row(table, "field number zero", grpc(BEGIN, op, bytes(0x00)), "INVALID_ARGUMENT", "could not be decoded");
        row(table, "a group that never ends", grpc(BEGIN, op, bytes(0x1B)), "INVALID_ARGUMENT", "could not be decoded");
        byte[] nested = new byte[300];
        Arrays.fill(nested, (byte) 0x0B);
        row(table, "groups nested 300 deep", grpc(BEGIN, op, nested), "INVALID_ARGUMENT", "could not be decoded");
        row(table, "a drain_id that is not UTF-8", grpc(CANCEL, op, bytes(0x0A, 0x01, 0xFF)), "INVALID_ARGUMENT",
                "could not be decoded as a quiesce.v1.CancelDrainRequest");
        row(table, "a session_id that is not UTF-8", grpc(HANDLE, op, bytes(0x0A, 0x02, 0xC3, 0x28)),
                "INVALID_ARGUMENT", "could not be decoded as a quiesce.v1.InboundMessage");
        row(table, "a GetState request of garbage", grpc(GET, op, bytes(0x0F, 0x0F)), "INVALID_ARGUMENT",
                "could not be decoded");
        row(table, "a compressed message without an encoding", h2(BEGIN, Map.of("authorization", op), true,
                bytes(1, 2, 3)), "INVALID_ARGUMENT", "could not be decoded");
        row(table, "a compressed message in an unknown encoding", h2(BEGIN, Map.of("authorization", op,
                "grpc-encoding", "bogus"), true, bytes(1, 2, 3)), "INVALID_ARGUMENT", "could not be decoded");
        row(table, "gzip that does not inflate", h2(BEGIN, Map.of("authorization", op, "grpc-encoding", "gzip"), true,
                bytes(1, 2, 3)), "INVALID_ARGUMENT", "could not be decoded");
        // --- unknown fields and enum numbers the request types do not have: ignored, as proto3 says
        row(table, "GetState with unknown fields and an unknown enum number", grpc(GET, op, unknownFields()), "OK", "");
        return table.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("cases")
    void badInputGetsItsDocumentedStatusWithADescriptionAndChangesNothing(String name, Call call,
            Map<Phase, String> expected, String fragment) throws IOException {
        for (Phase phase : Phase.values()) {
            enter(phase);
            GatewayState before = GatewayState.of(state, marker());

            Outcome outcome = call.apply(channel);

            assertThat(outcome.code()).as("%s while %s: %s", name, phase, outcome).isEqualTo(expected.get(phase));
            if (!outcome.code().equals("OK") && !outcome.code().equals(TRANSPORT_REFUSED)) {
                assertThat(outcome.description()).as("%s while %s", name, phase).isNotBlank().contains(fragment);
            }
            assertThat(GatewayState.of(state, marker())).as("%s while %s", name, phase).isEqualTo(before);
        }
        // Whatever the case did to its connection, the server still answers a good call.
        assertThat(grpc(GET, TestTokens.READER.bearer(), new byte[0]).apply(channel).code()).isEqualTo("OK");
    }

    @AfterEach
    void leaveItRunning() {
        state.cancelDrain("bad-input-test", "");
    }

    private void enter(Phase phase) {
        if (phase == Phase.RUNNING) {
            state.cancelDrain("bad-input-test", "");
        } else if (state.current().drain() == null) {
            state.beginDrain(new BeginDrainCommand("bad-input-test", "bad input table", false, java.time.Duration.ofHours(1)));
        }
    }

    private java.nio.file.Path marker() {
        return home.resolveFile(".drain_request.json");
    }

    private static void row(List<Object[]> table, String name, Call call, String code, String fragment) {
        table.add(new Object[] {name, call, Map.of(Phase.RUNNING, code, Phase.DRAINING, code), fragment});
    }

    static Call grpc(String method, String authorization, byte[] request) {
        return channel -> {
            try {
                RawGrpc.call(channel, method, authorization, request);
                return new Outcome("OK", "");
            } catch (StatusRuntimeException e) {
                return new Outcome(e.getStatus().getCode().name(), e.getStatus().getDescription());
            }
        };
    }

    static Call h2(String method, Map<String, String> headers, boolean compressed, byte[] message) {
        return channel -> {
            RawH2.Answer answer = RawH2.call(RestAssured.port, method, headers, compressed, message);
            if (answer.goAwayCode() >= 0 || "431".equals(answer.httpStatus())) {
                return new Outcome(TRANSPORT_REFUSED, "GOAWAY " + answer.goAwayCode() + ", :status " + answer.httpStatus());
            }
            String status = answer.grpcStatus();
            if (status == null) {
                return new Outcome("NO_STATUS " + answer, "");
            }
            String description = answer.grpcMessage() == null ? ""
                    : URLDecoder.decode(answer.grpcMessage().replace("+", "%2B"), StandardCharsets.UTF_8);
            return new Outcome(Status.fromCodeValue(Integer.parseInt(status)).getCode().name(), description);
        };
    }

    private static InboundMessage message(String session, String text) {
        return InboundMessage.newBuilder().setSessionId(session).setText(text).build();
    }

    private static byte[] begin(String reason, Duration lease) {
        BeginDrainRequest.Builder request = BeginDrainRequest.newBuilder().setReason(reason);
        if (lease != null) {
            request.setLease(lease);
        }
        return request.build().toByteArray();
    }

    private static Duration lease(long seconds, int nanos) {
        return Duration.newBuilder().setSeconds(seconds).setNanos(nanos).build();
    }

    private static byte[] cancel(String drainId) {
        return CancelDrainRequest.newBuilder().setDrainId(drainId).build().toByteArray();
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    /** Field 7 as an enum-sized varint 999, field 15 a string, field 99 a fixed64. */
    private static byte[] unknownFields() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CodedOutputStream coded = CodedOutputStream.newInstance(out);
            coded.writeEnum(7, 999);
            coded.writeBytes(15, ByteString.copyFromUtf8("principal: mallory"));
            coded.writeFixed64(99, -1L);
            coded.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
