package dev.quiesce.api.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.Prioritized;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What reaches a gRPC client as a status description ({@code grpc-message}): readable by every
 * client, and present on the transport's own refusals too.
 *
 * <p><b>Readable.</b> On the unified port, Vert.x's gRPC server writes a description with
 * {@code io.vertx.grpc.common.impl.Utils#utf8PercentEncode} (called by
 * {@code io.vertx.grpc.server.impl.GrpcServerResponseImpl#writeMessage} when the call ends): a
 * {@link java.net.URLEncoder} that escapes everything but letters, digits and {@code .-_}. The gRPC
 * spec (PROTOCOL-HTTP2.md, Status-Message) escapes only bytes outside 0x20–0x7E and {@code %}
 * itself. grpc-java and the C core (Python) decode any escape, but grpc-js decodes with
 * {@code decodeURI}, which leaves the escapes of URI-reserved characters: a Node client read
 * {@code missing bearer token%3A send 'authorization%3A Bearer <token>' (see %2Ftmp%2F…}. So this
 * interceptor, the outermost of all (every close passes through it), ends a refused call with the
 * description taken out of its {@code Status} and put, escaped as the spec says ({@link #encode}),
 * into the trailers as {@code grpc-message}; with no description left, Vert.x writes none of its
 * own, and it copies the trailers into the answer whichever form that takes (trailers after
 * headers, or a trailers-only answer). Only on the unified port: the separate server
 * ({@code quarkus.grpc.server.use-separate-server=true}) is grpc-java's own transport, which
 * escapes as the spec says and would drop a {@code grpc-message} found in the trailers.
 *
 * <p><b>Present.</b> A call the transport ends by itself without a {@code grpc-message} (a request
 * message over {@code quarkus.grpc.server.max-inbound-message-size}: RESOURCE_EXHAUSTED) never
 * reaches an interceptor; a Vert.x filter ahead of every gRPC call adds one to that trailers-only
 * answer.
 *
 * <p>Stateless and thread-safe.
 */
@Singleton
@GlobalInterceptor
public class GrpcDescriptions implements ServerInterceptor, Prioritized {

    /** The same place among the Vert.x filters as {@code RestBodyLimit}'s; the two never act on the same request. */
    private static final int FILTER_PRIORITY = 10;

    private static final String GRPC_STATUS = "grpc-status";
    private static final String GRPC_MESSAGE = "grpc-message";
    private static final Metadata.Key<String> GRPC_MESSAGE_KEY =
            Metadata.Key.of(GRPC_MESSAGE, Metadata.ASCII_STRING_MARSHALLER);
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final boolean separateServer;

    public GrpcDescriptions(
            @ConfigProperty(name = "quarkus.grpc.server.use-separate-server", defaultValue = "true")
            boolean separateServer) {
        this.separateServer = separateServer;
    }

    /** Outermost: Quarkus runs the interceptor of the highest priority first, so it wraps every other's call. */
    @Override
    public int getPriority() {
        return Integer.MAX_VALUE;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        return next.startCall(separateServer ? call : new Described<>(call), headers);
    }

    /**
     * {@code description} as a {@code grpc-message} value: UTF-8, with each byte outside 0x20–0x7E
     * and each {@code %} written {@code %XX} (upper-case hex), the rest as it is.
     */
    static String encode(String description) {
        byte[] bytes = description.getBytes(StandardCharsets.UTF_8);
        StringBuilder encoded = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(HEX[c >>> 4]).append(HEX[c & 0xf]);
            }
        }
        return encoded.toString();
    }

    void register(@Observes Filters filters) {
        filters.register(GrpcDescriptions::filter, FILTER_PRIORITY);
    }

    private static void filter(RoutingContext context) {
        String contentType = context.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (contentType != null && contentType.startsWith("application/grpc")) {
            HttpServerResponse response = context.response();
            context.addHeadersEndHandler(ignored -> describeTransportRefusal(response));
        }
        context.next();
    }

    /** Adds a grpc-message to a trailers-only error answer that has none. */
    private static void describeTransportRefusal(HttpServerResponse response) {
        String status = response.headers().get(GRPC_STATUS);
        if (status == null || status.equals("0") || response.headers().contains(GRPC_MESSAGE)) {
            return;
        }
        // Written as they are: printable ASCII without a '%', so encode() would leave them alone.
        response.putHeader(GRPC_MESSAGE, switch (status) {
            case "8" -> "the request message is larger than the gateway accepts "
                    + "(quarkus.grpc.server.max-inbound-message-size; a message's text is at most 64 KiB)";
            default -> "the gRPC transport refused the call (status " + status + ") without saying why";
        });
    }

    /** A call whose refusal carries its description in the trailers, escaped by {@link #encode}. */
    private static final class Described<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {

        Described(ServerCall<Q, R> delegate) {
            super(delegate);
        }

        @Override
        public void close(Status status, Metadata trailers) {
            String description = status.getDescription();
            if (status.isOk() || description == null) {
                super.close(status, trailers);
                return;
            }
            trailers.discardAll(GRPC_MESSAGE_KEY);
            trailers.put(GRPC_MESSAGE_KEY, encode(description));
            super.close(status.withDescription(null), trailers);
        }
    }
}
