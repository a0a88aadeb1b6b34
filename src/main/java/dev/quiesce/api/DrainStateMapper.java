package dev.quiesce.api;

import com.google.protobuf.Timestamp;
import dev.quiesce.api.v1.Drain;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.IgnoredReason;
import dev.quiesce.api.v1.InFlightTurn;
import dev.quiesce.api.v1.InboxInfo;
import dev.quiesce.api.v1.MarkerInfo;
import dev.quiesce.api.v1.MarkerStatus;
import dev.quiesce.api.v1.Phase;
import dev.quiesce.drain.ActiveDrain;
import dev.quiesce.drain.DrainSnapshot;
import dev.quiesce.drain.InboxSummary;
import dev.quiesce.pipeline.TurnInfo;
import java.time.Instant;

/** Domain snapshots to their wire form. Stateless and thread-safe. */
public final class DrainStateMapper {

    private DrainStateMapper() {}

    public static DrainState toProto(DrainSnapshot snapshot) {
        DrainState.Builder state = DrainState.newBuilder()
                .setPhase(phase(snapshot.phase()))
                .setInFlight(snapshot.inFlightCount())
                .setDrained(snapshot.drained())
                .setEpoch(snapshot.epoch())
                .setVersion(snapshot.version())
                .setChangedAt(timestamp(snapshot.changedAt()))
                .setMarker(MarkerInfo.newBuilder()
                        .setStatus(markerStatus(snapshot.marker().status()))
                        .setIgnoredReason(ignoredReason(snapshot.marker().ignoredReason()))
                        .setPath(snapshot.markerPath())
                        .setDetail(snapshot.marker().detail()));
        InboxSummary inbox = snapshot.inbox();
        InboxInfo.Builder box = InboxInfo.newBuilder().setWaiting(inbox.waiting()).setReplaying(inbox.replaying())
                .setError(inbox.error());
        if (inbox.oldestReceivedAt() != null) {
            box.setOldestReceivedAt(timestamp(inbox.oldestReceivedAt()));
        }
        state.setInbox(box);
        ActiveDrain drain = snapshot.drain();
        if (drain != null) {
            Drain.Builder wire = Drain.newBuilder()
                    .setDrainId(drain.drainId())
                    .setPrincipal(drain.principal())
                    .setReason(drain.reason())
                    .setSuppressNotification(drain.suppressNotification())
                    .setSource(drain.source().wireName());
            if (drain.requestedAt() != null) {
                wire.setRequestedAt(timestamp(drain.requestedAt()));
            }
            if (drain.leaseExpiresAt() != null) {
                wire.setLeaseExpiresAt(timestamp(drain.leaseExpiresAt()));
            }
            state.setDrain(wire);
        }
        for (TurnInfo turn : snapshot.inFlight()) {
            state.addInFlightTurns(InFlightTurn.newBuilder()
                    .setTurnId(turn.turnId())
                    .setSessionId(turn.sessionId())
                    .setChannel(turn.channel())
                    .setStartedAt(timestamp(turn.startedAt()))
                    .setInternal(turn.internal()));
        }
        return state.build();
    }

    static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    static Phase phase(dev.quiesce.drain.Phase phase) {
        return switch (phase) {
            case STARTING -> Phase.PHASE_STARTING;
            case RUNNING -> Phase.PHASE_RUNNING;
            case DRAINING -> Phase.PHASE_DRAINING;
            case STOPPING -> Phase.PHASE_STOPPING;
            case STOPPED -> Phase.PHASE_STOPPED;
        };
    }

    static MarkerStatus markerStatus(dev.quiesce.marker.MarkerStatus status) {
        return switch (status) {
            case ABSENT -> MarkerStatus.MARKER_STATUS_ABSENT;
            case ACTIVE -> MarkerStatus.MARKER_STATUS_ACTIVE;
            case UNPARSEABLE_ACTIVE -> MarkerStatus.MARKER_STATUS_UNPARSEABLE_ACTIVE;
            case UNREADABLE -> MarkerStatus.MARKER_STATUS_UNREADABLE;
            case IGNORED -> MarkerStatus.MARKER_STATUS_IGNORED;
        };
    }

    static IgnoredReason ignoredReason(dev.quiesce.marker.IgnoredReason reason) {
        return switch (reason) {
            case NONE -> IgnoredReason.IGNORED_REASON_UNSPECIFIED;
            case EPOCH_MISMATCH -> IgnoredReason.IGNORED_REASON_EPOCH_MISMATCH;
            case EXPIRED -> IgnoredReason.IGNORED_REASON_EXPIRED;
        };
    }
}
