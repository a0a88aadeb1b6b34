package dev.quiesce.api.grpc;

import com.google.protobuf.Duration;
import com.google.protobuf.util.Durations;
import dev.quiesce.api.DrainStateMapper;
import dev.quiesce.api.InboxPages;
import dev.quiesce.api.Refusal;
import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.CancelDrainRequest;
import dev.quiesce.api.v1.DrainControl;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.GetStateRequest;
import dev.quiesce.api.v1.ListInboxRequest;
import dev.quiesce.api.v1.ListInboxResponse;
import dev.quiesce.api.v1.WatchStateRequest;
import dev.quiesce.drain.BeginDrainCommand;
import dev.quiesce.drain.DrainRefusedException;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.inbox.Inbox;
import dev.quiesce.inbox.InboxUnavailableException;
import io.grpc.Status;
import io.quarkus.arc.ClientProxy;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/**
 * {@code quiesce.v1.DrainControl}: validates requests, takes the principal from the caller's token
 * (never from the request), calls the drain state bean and answers its refusals with their
 * {@link Refusal} rows' gRPC statuses.
 * Begin and Cancel run on a worker thread because they fsync the marker.
 */
@GrpcService
public class DrainControlGrpcService implements DrainControl {

    private final DrainStateBean state;
    private final DrainStateWatchHub hub;
    private final Inbox inbox;

    @Inject
    public DrainControlGrpcService(DrainStateBean state, DrainStateWatchHub hub, Inbox inbox) {
        // GetState is called tens of thousands of times a second: the bean itself, no proxy lookup per call.
        this.state = ClientProxy.unwrap(state);
        this.hub = hub;
        this.inbox = inbox;
    }

    @Override
    @Blocking
    public Uni<DrainState> beginDrain(BeginDrainRequest request) {
        return Uni.createFrom().item(() -> {
            java.time.Duration lease = lease(request);
            BeginDrainCommand command = new BeginDrainCommand(GrpcCaller.principal().name(), request.getReason(),
                    request.getSuppressNotification(), lease);
            return DrainStateMapper.toProto(call(() -> state.beginDrain(command)));
        });
    }

    @Override
    @Blocking
    public Uni<DrainState> cancelDrain(CancelDrainRequest request) {
        return Uni.createFrom().item(() -> DrainStateMapper.toProto(
                call(() -> state.cancelDrain(GrpcCaller.principal().name(), request.getDrainId()))));
    }

    @Override
    public Uni<DrainState> getState(GetStateRequest request) {
        return Uni.createFrom().item(() -> DrainStateMapper.toProto(state.current()));
    }

    @Override
    public Multi<DrainState> watchState(WatchStateRequest request) {
        return hub.watch();
    }

    @Override
    public Uni<ListInboxResponse> listInbox(ListInboxRequest request) {
        try {
            return InboxPages.page(inbox, Integer.toUnsignedLong(request.getPageSize()), request.getPageToken())
                    .onFailure(InboxUnavailableException.class)
                    .transform(e -> Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
        } catch (InboxPages.BadPageRequest e) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        }
    }

    private static java.time.Duration lease(BeginDrainRequest request) {
        if (!request.hasLease()) {
            return java.time.Duration.ZERO;
        }
        Duration lease = request.getLease();
        // Durations.isValid also bounds seconds to ±10,000 years, so the conversion below cannot
        // overflow (seconds near Long.MIN_VALUE with negative nanos would).
        if (!Durations.isValid(lease)) {
            throw Status.INVALID_ARGUMENT
                    .withDescription("lease is not a valid google.protobuf.Duration (seconds within ±315576000000, "
                            + "nanos within ±999999999 and of the same sign as seconds); send e.g. \"900s\"")
                    .asRuntimeException();
        }
        return java.time.Duration.ofSeconds(lease.getSeconds(), lease.getNanos());
    }

    private static <T> T call(java.util.function.Supplier<T> transition) {
        try {
            return transition.get();
        } catch (DrainRefusedException e) {
            throw Refusal.of(e.reason()).toGrpc(e.getMessage());
        }
    }
}
