package dev.quiesce.api.grpc;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * What reaches a gRPC client as a status description ({@code grpc-message}). A call the gRPC
 * transport ends by itself without a {@code grpc-message} (a request message over
 * {@code quarkus.grpc.server.max-inbound-message-size}: RESOURCE_EXHAUSTED) gets one added to its
 * trailers-only answer, by a Vert.x filter that runs ahead of every gRPC call, since the
 * transport's refusal never reaches a gRPC interceptor. Stateless and thread-safe.
 */
@Singleton
public class GrpcDescriptions {

    /** The same place among the Vert.x filters as {@code RestBodyLimit}'s; the two never act on the same request. */
    private static final int PRIORITY = 10;

    private static final String GRPC_STATUS = "grpc-status";
    private static final String GRPC_MESSAGE = "grpc-message";

    void register(@Observes Filters filters) {
        filters.register(GrpcDescriptions::filter, PRIORITY);
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
        // Percent-encoding (gRPC's grpc-message rules) is not needed: the texts are plain ASCII.
        response.putHeader(GRPC_MESSAGE, switch (status) {
            case "8" -> "the request message is larger than the gateway accepts "
                    + "(quarkus.grpc.server.max-inbound-message-size; a message's text is at most 64 KiB)";
            default -> "the gRPC transport refused the call (status " + status + ") without saying why";
        });
    }
}
