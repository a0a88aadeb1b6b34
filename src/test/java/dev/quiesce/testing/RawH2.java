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

    /** Frame types. */
    public static final int DATA = 0x0, HEADERS = 0x1, RST_STREAM = 0x3, SETTINGS = 0x4, PING = 0x6, GOAWAY = 0x7,
            CONTINUATION = 0x9;
    /** Frame flags. */
    public static final int END_STREAM = 0x1, END_HEADERS = 0x4, ACK = 0x1;
    /** The stream every call here uses. */
    public static final int STREAM = 1;
    private static final int MAX_FRAME = 16_384;

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
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        sent.writeBytes(preface());
        sent.writeBytes(requestHeaders(port, fullMethodName, extraHeaders));
        ByteArrayOutputStream grpc = new ByteArrayOutputStream();
        grpc.write(compressedFlag ? 1 : 0);
        grpc.writeBytes(new byte[] {(byte) (message.length >>> 24), (byte) (message.length >>> 16),
            (byte) (message.length >>> 8), (byte) message.length});
        grpc.writeBytes(message);
        byte[] data = grpc.toByteArray();
        for (int at = 0; at < data.length; at += MAX_FRAME) {
            boolean last = at + MAX_FRAME >= data.length;
            sent.writeBytes(frame(DATA, last ? END_STREAM : 0, STREAM,
                    java.util.Arrays.copyOfRange(data, at, Math.min(data.length, at + MAX_FRAME))));
        }
        return exchange(port, sent.toByteArray());
    }

    /**
     * The HEADERS (and CONTINUATION) frames of a gRPC call to {@code fullMethodName} on stream 1: the
     * pseudo-headers, {@code content-type}, {@code te}, then {@code extraHeaders}.
     */
    public static byte[] requestHeaders(int port, String fullMethodName, Map<String, String> extraHeaders) {
        Http2Headers request = new DefaultHttp2Headers()
                .method("POST").scheme("http").path("/" + fullMethodName).authority("localhost:" + port);
        request.add("content-type", "application/grpc");
        request.add("te", "trailers");
        extraHeaders.forEach(request::add);
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        byte[] block = encode(request);
        for (int at = 0; at < block.length; at += MAX_FRAME) {
            byte[] part = java.util.Arrays.copyOfRange(block, at, Math.min(block.length, at + MAX_FRAME));
            boolean last = at + MAX_FRAME >= block.length;
            frames.writeBytes(frame(at == 0 ? HEADERS : CONTINUATION, last ? END_HEADERS : 0, STREAM, part));
        }
        return frames.toByteArray();
    }

    /** What an HTTP/2 client sends first: the connection preface and an empty SETTINGS frame. */
    public static byte[] preface() {
        ByteArrayOutputStream preface = new ByteArrayOutputStream();
        preface.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        preface.writeBytes(frame(SETTINGS, 0, 0, new byte[0]));
        return preface.toByteArray();
    }

    /**
     * Writes {@code bytes} as they are to a new connection (a test that writes the connection by
     * hand starts them with {@link #preface()} and {@link #frame}s, or not) and reads how the server
     * answered stream 1, or the connection.
     */
    public static Answer exchange(int port, byte[] bytes) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(bytes);
                out.flush();
            } catch (SocketException e) {
                // The server may have answered and closed already; read what it said.
            }
            return read(new DataInputStream(socket.getInputStream()), out);
        } catch (IOException e) {
            throw new UncheckedIOException("HTTP/2 exchange with localhost:" + port + " failed", e);
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
                    out.write(frame(SETTINGS, ACK, 0, new byte[0]));
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

    /** One HTTP/2 frame: its 9-byte header and {@code payload}. */
    public static byte[] frame(int type, int flags, int stream, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(9 + payload.length);
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
        return out.toByteArray();
    }
}
