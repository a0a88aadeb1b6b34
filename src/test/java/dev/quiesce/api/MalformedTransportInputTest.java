package dev.quiesce.api;

import dev.quiesce.testing.FloodProfile;
import dev.quiesce.testing.LogRecorder;
import dev.quiesce.testing.RawH2;
import dev.quiesce.testing.RawHttp;
import dev.quiesce.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed input that needs no token, sent 50 times each over raw sockets to the running
 * application: every caller still gets its answer, and the whole log (every category, WARN and up)
 * gets one line per kind of malformed input, from {@link MalformedInputLog}; before it, Quarkus
 * logged each compressed-flag message as an ERROR with a 60-line stack trace, and Vert.x each
 * connection that did not start with SETTINGS as an ERROR line. Every other kind of bad transport
 * input is answered without a line at all.
 *
 * <p>In an application start of its own ({@link FloodProfile}), so no earlier test has used up a
 * cause's interval.
 */
@QuarkusTest
@TestProfile(FloodProfile.class)
class MalformedTransportInputTest {

    private static final String HEALTH_CHECK = "grpc.health.v1.Health/Check";
    private static final String GET_STATE = "quiesce.v1.DrainControl/GetState";
    private static final int REPEATS = 50;
    /** The HTTP/2 error codes of a GOAWAY. */
    private static final long PROTOCOL_ERROR = 1, FRAME_SIZE_ERROR = 6, COMPRESSION_ERROR = 9;

    @Test
    void aFloodOfMalformedInputIsAnsweredEveryTimeAndLoggedOncePerKind() {
        List<String> logged;
        try (LogRecorder log = LogRecorder.of("")) {
            for (int i = 0; i < REPEATS; i++) {
                assertThat(compressedWithoutEncoding(HEALTH_CHECK, Map.of()).grpcStatus()).isEqualTo("3");
                assertThat(compressedWithoutEncoding(GET_STATE, Map.of("authorization", TestTokens.READER.bearer()))
                        .grpcStatus()).isEqualTo("3");
                assertThat(RawH2.exchange(port(), firstFrameNotSettings()).goAwayCode()).isEqualTo(PROTOCOL_ERROR);
            }
            logged = log.lines(Level.WARNING);
        }

        assertThat(logged).as("every WARN and ERROR line, of every category").hasSize(2);
        assertThat(logged).anySatisfy(line -> assertThat(line).startsWith(MalformedInputLog.class.getName()
                + " WARN Malformed input from a client: a gRPC message with the compressed flag and no grpc-encoding"));
        assertThat(logged).anySatisfy(line -> assertThat(line).startsWith(MalformedInputLog.class.getName()
                + " WARN Malformed input from a client: an HTTP/2 connection whose first frame is not SETTINGS"));
    }

    @Test
    void otherMalformedTransportInputIsAnsweredWithoutALogLine() {
        byte[] requestHeaders = RawH2.requestHeaders(port(), HEALTH_CHECK, Map.of());
        List<String> logged;
        try (LogRecorder log = LogRecorder.of("")) {
            for (int i = 0; i < REPEATS / 5; i++) {
                // a message whose length prefix says 100 bytes, and the stream ends after 3
                assertThat(RawH2.exchange(port(), concat(RawH2.preface(), requestHeaders,
                        RawH2.frame(RawH2.DATA, RawH2.END_STREAM, RawH2.STREAM, new byte[] {0, 0, 0, 0, 100, 0x0a, 0, 0})))
                        .grpcStatus()).isEqualTo("3");
                // a message prefix cut short
                assertThat(RawH2.exchange(port(), concat(RawH2.preface(), requestHeaders,
                        RawH2.frame(RawH2.DATA, RawH2.END_STREAM, RawH2.STREAM, new byte[] {0, 0, 0})))
                        .grpcStatus()).isEqualTo("3");
                assertThat(RawH2.call(port(), HEALTH_CHECK, Map.of(), false, new byte[300 * 1024]).grpcStatus())
                        .as("a message over the size limit").isEqualTo("8");
                assertThat(RawH2.call(port(), HEALTH_CHECK, Map.of("grpc-encoding", "gzip"), true, new byte[] {1, 2, 3})
                        .grpcStatus()).as("gzip that does not inflate").isEqualTo("3");
                assertThat(RawH2.exchange(port(), concat(RawH2.preface(),
                        RawH2.frame(RawH2.DATA, RawH2.END_STREAM, 0, new byte[] {1, 2, 3}))).goAwayCode())
                        .as("DATA on stream 0").isEqualTo(PROTOCOL_ERROR);
                assertThat(RawH2.exchange(port(), concat(RawH2.preface(), RawH2.frame(RawH2.HEADERS, RawH2.END_HEADERS,
                        RawH2.STREAM, new byte[] {-1, -1, -1, -1}))).goAwayCode()).as("bad HPACK")
                        .isEqualTo(COMPRESSION_ERROR);
                assertThat(RawH2.exchange(port(), concat(RawH2.preface(), requestHeaders, oversizedFrameHeader()))
                        .goAwayCode()).as("a frame over SETTINGS_MAX_FRAME_SIZE").isEqualTo(FRAME_SIZE_ERROR);
                if (i < 3) {
                    assertThat(RawHttp.request("POST", "/api/messages").header("content-type", "application/json")
                            .body(new byte[11 << 20]).send(port()).status()).as("a REST body over the size limit")
                            .isEqualTo(413);
                }
                assertThat(RawHttp.request("GET", "/api/gateway/state").header("content-length", "abc")
                        .send(port()).status()).as("a malformed content-length").isEqualTo(400);
                garbage(i);
            }
            logged = log.lines(Level.WARNING);
        }

        assertThat(logged).as("every WARN and ERROR line, of every category").isEmpty();
    }

    private static RawH2.Answer compressedWithoutEncoding(String method, Map<String, String> headers) {
        return RawH2.call(port(), method, headers, true, new byte[] {0x0a, 0x00});
    }

    /** The preface, then a PING where the client's SETTINGS belongs. */
    private static byte[] firstFrameNotSettings() {
        return concat("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                RawH2.frame(RawH2.PING, 0, 0, new byte[8]));
    }

    /** The header of a DATA frame of 20,000 bytes, more than the 16,384 the server allows. */
    private static byte[] oversizedFrameHeader() {
        byte[] header = RawH2.frame(RawH2.DATA, 0, RawH2.STREAM, new byte[0]);
        header[0] = 0;
        header[1] = (byte) (20_000 >>> 8);
        header[2] = (byte) 20_000;
        return concat(header, new byte[100]);
    }

    /** 64 random bytes and an empty line instead of a request; the server answers 400 or closes the connection. */
    private static void garbage(int seed) {
        byte[] noise = new byte[64];
        new Random(seed).nextBytes(noise);
        byte[] bytes = concat(noise, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            in.readAllBytes();
        } catch (IOException e) {
            if (!(e instanceof SocketException)) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static int port() {
        return RestAssured.port;
    }
}
