package dev.quiesce.drain;

import dev.quiesce.marker.DrainMarker;
import dev.quiesce.marker.IgnoredReason;
import dev.quiesce.marker.MarkerJudgement;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The marker file's meaning for the drain state: the drain its body describes, the marker that
 * records a drain, and what a reconcile does with a judgement. Pure functions; thread-safe.
 */
final class MarkerDrains {

    /** Who a change made on disk by another process is attributed to. */
    static final String MARKER_PRINCIPAL = "marker";

    private MarkerDrains() {}

    /**
     * The marker that records {@code drain}, stamped with this instantiation's {@code epoch}, its lease
     * granted (or renewed) at {@code grantedAt}.
     */
    static DrainMarker toMarker(ActiveDrain drain, String epoch, Instant grantedAt) {
        return new DrainMarker(DrainMarker.ACTION_DRAIN, drain.requestedAt(), drain.principal(), epoch,
                drain.suppressNotification(), drain.drainId(), drain.reason(), drain.leaseExpiresAt(), grantedAt);
    }

    /**
     * The drain an active marker describes. A marker without a drain_id (the reference's, or an
     * unparseable one) keeps the id of the drain already in force, so it stays cancellable by id.
     *
     * @param current the drain in force; null when none
     * @param newId makes an id when neither the marker nor {@code current} has one
     */
    static ActiveDrain fromMarker(MarkerJudgement judged, ActiveDrain current, Instant now, Supplier<String> newId) {
        DrainMarker body = judged.marker();
        if (body == null) {
            return current != null ? current
                    : new ActiveDrain(newId.get(), now, "", "unparseable marker file", false, null,
                            ActiveDrain.Source.MARKER);
        }
        String id = body.drainId() != null && !body.drainId().isEmpty() ? body.drainId()
                : current != null ? current.drainId() : newId.get();
        ActiveDrain.Source source = current != null && current.drainId().equals(id)
                ? current.source() : ActiveDrain.Source.MARKER;
        Instant requestedAt = body.requestedAt() != null ? body.requestedAt()
                : current != null ? current.requestedAt() : now;
        // The lease as it is honoured: capped at max-lease when the file asks for more.
        Instant leaseExpiresAt = body.leaseExpiresAt() == null ? null : judged.expiresAt();
        return new ActiveDrain(id, requestedAt, Objects.requireNonNullElse(body.principal(), ""),
                Objects.requireNonNullElse(body.reason(), ""), body.suppressNotification(), leaseExpiresAt, source);
    }

    /**
     * What a reconcile makes of {@code judged}: an active marker drains (taking its drain), a missing,
     * ignored or unreadable one ends a drain, the first reconcile leaves STARTING. During shutdown only
     * the judgement changes.
     */
    static PhaseState.Core reconciled(PhaseState.Core core, MarkerJudgement judged, Instant now) {
        Phase phase = core.phase();
        if (phase.isShuttingDown()) {
            return new PhaseState.Core(phase, core.drain(), judged);
        }
        if (judged.isActive()) {
            return new PhaseState.Core(Phase.DRAINING, fromMarker(judged, core.drain(), now, Ids::drainId), judged);
        }
        if (phase == Phase.DRAINING || phase == Phase.STARTING) {
            return new PhaseState.Core(Phase.RUNNING, null, judged);
        }
        return new PhaseState.Core(phase, core.drain(), judged);
    }

    /**
     * The audit event of a reconcile that moved the phase from {@code before} to {@code after}: a drain
     * adopted from the marker, or one ended by it (EXPIRY when its lease or max-age ran out); null for
     * any other change.
     */
    static DrainEvent eventOf(PhaseState.Core before, DrainSnapshot after, MarkerJudgement judged, String trigger,
            Instant now) {
        if (before.phase() != Phase.DRAINING && after.phase() == Phase.DRAINING) {
            ActiveDrain adopted = after.drain();
            return new DrainEvent(DrainEvent.Kind.MARKER_BEGIN, principalOf(adopted), adopted.reason(),
                    adopted.drainId(), after.inFlightCount(), "adopted",
                    "drain taken from the marker file (" + trigger + ")", now);
        }
        if (before.phase() == Phase.DRAINING && after.phase() == Phase.RUNNING) {
            ActiveDrain ended = before.drain();
            boolean expired = judged.ignoredReason() == IgnoredReason.EXPIRED;
            return new DrainEvent(expired ? DrainEvent.Kind.EXPIRY : DrainEvent.Kind.MARKER_CANCEL, MARKER_PRINCIPAL,
                    ended.reason(), ended.drainId(), after.inFlightCount(), expired ? "expired" : "cancelled",
                    describeEnd(judged), now);
        }
        return null;
    }

    /** Who began {@code drain}, for the audit log: its principal, or {@value #MARKER_PRINCIPAL}. */
    private static String principalOf(ActiveDrain drain) {
        return drain.principal().isEmpty() ? MARKER_PRINCIPAL : drain.principal();
    }

    /** Why a drain ended when the marker stopped asking for it, in a sentence for the audit log. */
    private static String describeEnd(MarkerJudgement judged) {
        return switch (judged.status()) {
            case ABSENT -> "the marker file was removed";
            case UNREADABLE -> "the marker file became unreadable: " + judged.detail();
            case IGNORED -> judged.detail();
            default -> judged.status().name();
        };
    }
}
