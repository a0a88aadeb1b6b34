package dev.quiesce.api.rest;

import dev.quiesce.api.grpc.DrainStateWatchHub;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.config.QuiesceConfig;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Duration;
import java.util.Optional;
import org.jboss.resteasy.reactive.ResponseHeader;

/**
 * {@code GET /api/gateway/state/stream} (scope {@code read}): the state as Server-Sent Events, for the
 * console and for dashboards. The same stream as {@code WatchState} ({@link DrainStateWatchHub}): the
 * current state first, then every change, each event's {@code data} the JSON of
 * {@code GET /api/gateway/state} on one line; a slow reader skips to the newest state. Between changes a
 * comment line ({@code : keep-alive}) every {@code quiesce.console.keep-alive}, so an idle stream stays
 * open through proxies and a reader can tell a dead one. The stream ends when the gateway has stopped,
 * or when the reader leaves (its watch is dropped at once). Thread-safe.
 */
@Path("/api/gateway/state/stream")
public class StateStreamResource {

    private final DrainStateWatchHub hub;
    private final Duration keepAlive;

    @Inject
    public StateStreamResource(DrainStateWatchHub hub, QuiesceConfig config) {
        this.hub = hub;
        this.keepAlive = config.console().keepAlive();
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @ResponseHeader(name = "Cache-Control", value = "no-store")
    @ResponseHeader(name = "X-Accel-Buffering", value = "no")
    public Multi<OutboundSseEvent> stream(@Context Sse sse) {
        // The framework writes a comment as ':' + text: the space makes the usual ": keep-alive".
        OutboundSseEvent keepAliveLine = sse.newEventBuilder().comment(" keep-alive").build();
        // Empty marks the end of the state stream, so the keep-alive ticks end with it.
        Multi<Optional<OutboundSseEvent>> states = hub.watch()
                .map(state -> Optional.of(event(sse, state)))
                .onCompletion().continueWith(Optional.empty());
        Multi<Optional<OutboundSseEvent>> ticks = Multi.createFrom().ticks().every(keepAlive)
                .onOverflow().drop()
                .map(tick -> Optional.of(keepAliveLine));
        // One request at a time to each side: a state the socket cannot take yet waits in the hub,
        // which keeps only the newest (a larger prefetch here would queue stale states instead).
        return Multi.createBy().merging().withRequests(1).streams(states, ticks)
                .select().first(Optional::isPresent)
                .map(Optional::get);
    }

    private static OutboundSseEvent event(Sse sse, DrainState state) {
        return sse.newEventBuilder().mediaType(MediaType.TEXT_PLAIN_TYPE).data(ProtoJson.print(state)).build();
    }
}
