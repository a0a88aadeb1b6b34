package dev.quiesce.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain loopback socket, byte for byte as the test writes it: header values with
 * non-ASCII bytes, headers of any size, no content type at all, bodies that are not UTF-8. What
 * ordinary clients refuse to send is exactly what a bad-input test needs. One request per
 * connection ({@code connection: close}); the answer is read to the end of the stream.
 */
public final class RawHttp {

    private RawHttp() {}

    /** An answer: status code, reason phrase, headers (names lowercased; the last value wins) and body. */
    public record Answer(int status, String reason, Map<String, String> headers, byte[] body) {

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            String text = bodyText();
            return status + " " + reason + " " + headers + " " + (text.length() > 300 ? text.substring(0, 300) + "…" : text);
        }
    }

    /**
     * A request under construction. Header values are sent as ISO-8859-1 bytes, unchecked. The body
     * gets a content-length unless a transfer-encoding header was set (then it is sent as given).
     */
    public static final class Request {
        private final String method;
        private final String path;
        private final List<String[]> headers = new ArrayList<>();
        private byte[] body;

        private Request(String method, String path) {
            this.method = method;
            this.path = path;
        }

        public Request header(String name, String value) {
            headers.add(new String[] {name, value});
            return this;
        }

        public Request body(byte[] body) {
            this.body = body;
            return this;
        }

        public Request body(String body) {
            return body(body.getBytes(StandardCharsets.UTF_8));
        }

        /** Sends the request to {@code localhost:port} and reads the whole answer. */
        public Answer send(int port) {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            write(head, method + " " + path + " HTTP/1.1\r\nhost: localhost:" + port + "\r\nconnection: close\r\n");
            for (String[] header : headers) {
                write(head, header[0] + ": " + header[1] + "\r\n");
            }
            boolean chunked = headers.stream().anyMatch(h -> h[0].equalsIgnoreCase("transfer-encoding"));
            if (body != null && !chunked) {
                write(head, "content-length: " + body.length + "\r\n");
            }
            write(head, "\r\n");
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                try {
                    out.write(head.toByteArray());
                    if (body != null) {
                        out.write(body);
                    }
                    out.flush();
                } catch (SocketException e) {
                    // The server may answer and close before it has read everything (431, 413):
                    // what it answered is still in the receive buffer.
                }
                return parse(socket.getInputStream().readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException("no HTTP answer from localhost:" + port, e);
            }
        }
    }

    public static Request request(String method, String path) {
        return new Request(method, path);
    }

    private static void write(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    static Answer parse(byte[] raw) throws IOException {
        int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 0);
        if (end < 0) {
            throw new IOException("no complete HTTP answer head in " + raw.length + " bytes: "
                    + new String(raw, StandardCharsets.ISO_8859_1));
        }
        String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        int status = Integer.parseInt(statusLine[1]);
        String reason = statusLine.length > 2 ? statusLine[2] : "";
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        byte[] rest = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            rest = dechunk(rest);
        } else if (headers.containsKey("content-length")) {
            rest = java.util.Arrays.copyOf(rest, Math.min(rest.length, Integer.parseInt(headers.get("content-length"))));
        }
        return new Answer(status, reason, headers, rest);
    }

    private static byte[] dechunk(byte[] chunked) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int at = 0;
        while (true) {
            int lineEnd = indexOf(chunked, new byte[] {'\r', '\n'}, at);
            if (lineEnd < 0) {
                throw new IOException("truncated chunked body");
            }
            String size = new String(chunked, at, lineEnd - at, StandardCharsets.ISO_8859_1).split(";")[0].strip();
            int length = Integer.parseInt(size, 16);
            if (length == 0) {
                return body.toByteArray();
            }
            body.write(chunked, lineEnd + 2, length);
            at = lineEnd + 2 + length + 2;
        }
    }

    private static int indexOf(byte[] data, byte[] needle, int from) {
        outer:
        for (int i = from; i <= data.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
