package dev.quiesce.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One gRPC call over a hand-written HTTP/2 (h2c, prior knowledge) connection to a loopback port.
 * Unlike a real client it sends what the server's settings forbid: a header block over the
 * advertised SETTINGS_MAX_HEADER_LIST_SIZE, header values with any bytes, a compressed-flag
 * message without an encoding. A new connection per call, so a server that answers with GOAWAY
 * harms no other test. HPACK is Netty's (the encoder told to ignore the peer's header list limit).
 */
public final class RawH2 {

    private static final int DATA = 0x0, HEADERS = 0x1, RST_STREAM = 0x3, SETTINGS = 0x4, PING = 0x6, GOAWAY = 0x7,
            CONTINUATION = 0x9;
    private static final int END_STREAM = 0x1, END_HEADERS = 0x4, ACK = 0x1;
    private static final int MAX_FRAME = 16_384;
    private static final int STREAM = 1;

    private RawH2() {}

    /**
     * How the server ended the call.
     *
     * @param headers the response header blocks in order (response headers, then trailers), as
     *     name → value (the last value of a repeated name)
     * @param resetCode the RST_STREAM error code, or -1
     * @param goAwayCode the GOAWAY error code, or -1
     */
    public record Answer(List<Map<String, String>> headers, long resetCode, long goAwayCode) {

        /** The grpc-status of the trailers (or a trailers-only answer), or null. */
        public String grpcStatus() {
            return last("grpc-status");
        }

        /** The grpc-message, or null. */
        public String grpcMessage() {
            return last("grpc-message");
        }

        /** The HTTP :status of the first header block, or null. */
        public String httpStatus() {
            return headers.isEmpty() ? null : headers.get(0).get(":status");
        }

        private String last(String name) {
            for (int i = headers.size() - 1; i >= 0; i--) {
                if (headers.get(i).containsKey(name)) {
                    return headers.get(i).get(name);
                }
            }
            return null;
        }
    }

    /**
     * Calls {@code fullMethodName} with {@code extraHeaders} (after the gRPC pseudo-headers and
     * {@code content-type}/{@code te}) and one message frame: {@code compressedFlag} and
     * {@code message} as given.
     */
    public static Answer call(int port, String fullMethodName, Map<String, String> extraHeaders, boolean compressedFlag,
            byte[] message) {
        Http2Headers request = new DefaultHttp2Headers()
                .method("POST").scheme("http").path("/" + fullMethodName).authority("localhost:" + port);
        request.add("content-type", "application/grpc");
        request.add("te", "trailers");
        extraHeaders.forEach(request::add);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            sent.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            frame(sent, SETTINGS, 0, 0, new byte[0]);
            byte[] block = encode(request);
            for (int at = 0; at < block.length; at += MAX_FRAME) {
                byte[] part = java.util.Arrays.copyOfRange(block, at, Math.min(block.length, at + MAX_FRAME));
                boolean last = at + MAX_FRAME >= block.length;
                frame(sent, at == 0 ? HEADERS : CONTINUATION, last ? END_HEADERS : 0, STREAM, part);
            }
            ByteArrayOutputStream grpc = new ByteArrayOutputStream();
            grpc.write(compressedFlag ? 1 : 0);
            grpc.writeBytes(new byte[] {(byte) (message.length >>> 24), (byte) (message.length >>> 16),
                (byte) (message.length >>> 8), (byte) message.length});
            grpc.writeBytes(message);
            byte[] data = grpc.toByteArray();
            for (int at = 0; at < data.length; at += MAX_FRAME) {
                boolean last = at + MAX_FRAME >= data.length;
                frame(sent, DATA, last ? END_STREAM : 0, STREAM,
                        java.util.Arrays.copyOfRange(data, at, Math.min(data.length, at + MAX_FRAME)));
            }
            try {
                out.write(sent.toByteArray());
                out.flush();
            } catch (SocketException e) {
                // The server may have answered and closed already; read what it said.
            }
            return read(new DataInputStream(socket.getInputStream()), out);
        } catch (IOException e) {
            throw new UncheckedIOException("HTTP/2 call to localhost:" + port + " failed", e);
        }
    }

    private static Answer read(DataInputStream in, OutputStream out) throws IOException {
        List<Map<String, String>> blocks = new ArrayList<>();
        DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
        ByteArrayOutputStream pending = null;
        boolean pendingEnd = false;
        long reset = -1;
        long goAway = -1;
        while (true) {
            int length;
            try {
                length = (in.readUnsignedShort() << 8) | in.readUnsignedByte();
            } catch (EOFException e) {
                break;
            }
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7fffffff;
            byte[] payload = in.readNBytes(length);
            if (type == SETTINGS && (flags & ACK) == 0) {
                try {
                    ByteArrayOutputStream ack = new ByteArrayOutputStream();
                    frame(ack, SETTINGS, ACK, 0, new byte[0]);
                    out.write(ack.toByteArray());
                } catch (SocketException ignored) {
                    // closed by the server
                }
            } else if (type == GOAWAY) {
                goAway = ((payload[4] & 0xffL) << 24) | ((payload[5] & 0xff) << 16) | ((payload[6] & 0xff) << 8)
                        | (payload[7] & 0xff);
                break;
            } else if (stream == STREAM && type == RST_STREAM) {
                reset = ((payload[0] & 0xffL) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8)
                        | (payload[3] & 0xff);
                break;
            } else if (stream == STREAM && (type == HEADERS || type == CONTINUATION)) {
                if (type == HEADERS) {
                    pending = new ByteArrayOutputStream();
                    pendingEnd = (flags & END_STREAM) != 0;
                    payload = stripHeadersPadding(payload, flags);
                }
                pending.writeBytes(payload);
                if ((flags & END_HEADERS) != 0) {
                    blocks.add(decode(decoder, pending.toByteArray()));
                    if (pendingEnd) {
                        break;
                    }
                }
            } else if (stream == STREAM && type == DATA && (flags & END_STREAM) != 0) {
                break;
            } else if (type == PING) {
                continue;
            }
        }
        return new Answer(blocks, reset, goAway);
    }

    private static byte[] stripHeadersPadding(byte[] payload, int flags) {
        int start = 0;
        int end = payload.length;
        if ((flags & 0x8) != 0) { // PADDED
            end -= payload[0] & 0xff;
            start = 1;
        }
        if ((flags & 0x20) != 0) { // PRIORITY
            start += 5;
        }
        return java.util.Arrays.copyOfRange(payload, start, end);
    }

    private static byte[] encode(Http2Headers headers) {
        DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, true);
        ByteBuf buffer = Unpooled.buffer();
        try {
            encoder.encodeHeaders(STREAM, headers, buffer);
            byte[] bytes = new byte[buffer.readableBytes()];
            buffer.readBytes(bytes);
            return bytes;
        } catch (Http2Exception e) {
            throw new IllegalStateException(e);
        } finally {
            buffer.release();
        }
    }

    private static Map<String, String> decode(DefaultHttp2HeadersDecoder decoder, byte[] block) {
        ByteBuf buffer = Unpooled.wrappedBuffer(block);
        try {
            Map<String, String> decoded = new java.util.LinkedHashMap<>();
            decoder.decodeHeaders(STREAM, buffer).forEach(h -> decoded.put(h.getKey().toString(), h.getValue().toString()));
            return decoded;
        } catch (Http2Exception e) {
            throw new IllegalStateException("the server's header block did not decode", e);
        } finally {
            buffer.release();
        }
    }

    private static void frame(ByteArrayOutputStream out, int type, int flags, int stream, byte[] payload) {
        out.write(payload.length >>> 16);
        out.write(payload.length >>> 8);
        out.write(payload.length);
        out.write(type);
        out.write(flags);
        out.write(stream >>> 24);
        out.write(stream >>> 16);
        out.write(stream >>> 8);
        out.write(stream);
        out.writeBytes(payload);
    }
}
