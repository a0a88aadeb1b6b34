package dev.quiesce.drain;

import dev.quiesce.home.IsoTimes;
import dev.quiesce.marker.DrainMarker;
import dev.quiesce.marker.DrainMarkerStore;
import dev.quiesce.marker.IgnoredReason;
import dev.quiesce.marker.MarkerJudge;
import dev.quiesce.marker.MarkerRead;
import dev.quiesce.marker.MarkerStatus;
import dev.quiesce.pipeline.Admission;
import dev.quiesce.pipeline.TurnControl;
import dev.quiesce.pipeline.TurnInfo;
import dev.quiesce.testing.LogRecorder;
import dev.quiesce.testing.SettableClock;
import dev.quiesce.testing.UnwritableDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The state machine of SPEC §3 against a real marker file in a temp home, with a settable clock. */
class DrainStateBeanTest {

    private static final String EPOCH = "boot-1:1000";

    @TempDir
    Path home;

    private final SettableClock clock = new SettableClock(Instant.parse("2026-11-23T10:00:00Z"));
    private final List<DrainSnapshot> seen = new CopyOnWriteArrayList<>();
    private final List<DrainEvent> events = new CopyOnWriteArrayList<>();
    private final List<DrainRefusal> refusals = new CopyOnWriteArrayList<>();
    private DrainMarkerStore store;
    private DrainStateBean bean;

    @BeforeEach
    void setUp() {
        store = new DrainMarkerStore(home);
        bean = newBean();
    }

    private DrainStateBean newBean() {
        DrainListener recorder = new DrainListener() {
            @Override
            public void onChange(DrainSnapshot snapshot) {
                seen.add(snapshot);
            }

            @Override
            public void onEvent(DrainEvent event) {
                events.add(event);
            }

            @Override
            public void onRefusal(DrainRefusal refusal) {
                refusals.add(refusal);
            }
        };
        DrainStateBean created = new DrainStateBean(store, new MarkerJudge(EPOCH, Duration.ofHours(1)), clock,
                Duration.ofHours(1), Duration.ofHours(24), List.of(recorder));
        created.start();
        return created;
    }

    private static BeginDrainCommand begin(String reason) {
        return new BeginDrainCommand("alice", reason, false, Duration.ZERO);
    }

    @Test
    void startsRunningWhenNoMarkerExists() {
        assertThat(bean.current().phase()).isEqualTo(Phase.RUNNING);
        assertThat(bean.current().marker().status()).isEqualTo(MarkerStatus.ABSENT);
    }

    @Test
    void beginDrainPersistsTheMarkerAndDrainsBeforeReturning() {
        DrainSnapshot after = bean.beginDrain(begin("image migration"));

        assertThat(after.phase()).isEqualTo(Phase.DRAINING);
        assertThat(after.drained()).isTrue();
        assertThat(after.drain().principal()).isEqualTo("alice");
        assertThat(after.drain().leaseExpiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
        MarkerRead read = store.read();
        assertThat(read).isInstanceOf(MarkerRead.Present.class);
        DrainMarker marker = ((MarkerRead.Present) read).marker();
        assertThat(marker.drainId()).isEqualTo(after.drain().drainId());
        assertThat(marker.epoch()).isEqualTo(EPOCH);
        assertThat(marker.reason()).isEqualTo("image migration");
        assertThat(events).extracting(DrainEvent::kind).containsExactly(DrainEvent.Kind.BEGIN);
    }

    @Test
    void beginWhileDrainingKeepsTheIdAndRenewsLeaseReasonAndFlag() {
        DrainSnapshot first = bean.beginDrain(begin("one"));
        clock.advance(Duration.ofMinutes(10));

        DrainSnapshot second = bean.beginDrain(new BeginDrainCommand("bob", "two", true, Duration.ofMinutes(30)));

        assertThat(second.drain().drainId()).isEqualTo(first.drain().drainId());
        assertThat(second.drain().reason()).isEqualTo("two");
        assertThat(second.drain().suppressNotification()).isTrue();
        assertThat(second.drain().leaseExpiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(30)));
        assertThat(second.version()).isGreaterThan(first.version());
        assertThat(((MarkerRead.Present) store.read()).marker().suppressNotification()).isTrue();
        assertThat(events).extracting(DrainEvent::kind).containsExactly(DrainEvent.Kind.BEGIN, DrainEvent.Kind.RENEW);
    }

    @Test
    void cancelRemovesTheMarkerAndResumes() {
        DrainSnapshot drained = bean.beginDrain(begin("x"));

        DrainSnapshot after = bean.cancelDrain("alice", drained.drain().drainId());

        assertThat(after.phase()).isEqualTo(Phase.RUNNING);
        assertThat(after.drain()).isNull();
        assertThat(store.read()).isInstanceOf(MarkerRead.Absent.class);
    }

    @Test
    void cancelWhileRunningIsANoOpSuccess() {
        DrainSnapshot before = bean.current();

        DrainSnapshot after = bean.cancelDrain("alice", "");

        assertThat(after.phase()).isEqualTo(Phase.RUNNING);
        assertThat(after.version()).isEqualTo(before.version());
    }

    @Test
    void cancelWithAnotherDrainIdIsRefusedNamingTheActiveOne() {
        DrainSnapshot drained = bean.beginDrain(begin("x"));

        assertThatThrownBy(() -> bean.cancelDrain("alice", "d-someoneelse"))
                .isInstanceOf(DrainRefusedException.class)
                .hasMessageContaining(drained.drain().drainId())
                .extracting(e -> ((DrainRefusedException) e).reason())
                .isEqualTo(DrainRefusedException.Reason.WRONG_DRAIN_ID);
        assertThat(bean.current().phase()).isEqualTo(Phase.DRAINING);
        assertThat(store.read()).isInstanceOf(MarkerRead.Present.class);
    }

    @Test
    void invalidReasonAndLeasesAreRefusedWithoutChange() {
        long version = bean.current().version();

        assertRefused(() -> bean.beginDrain(begin("x".repeat(257))), DrainRefusedException.Reason.INVALID_REQUEST);
        assertRefused(() -> bean.beginDrain(new BeginDrainCommand("a", "", false, Duration.ofSeconds(-1))),
                DrainRefusedException.Reason.INVALID_REQUEST);
        assertRefused(() -> bean.beginDrain(new BeginDrainCommand("a", "", false, Duration.ofHours(25))),
                DrainRefusedException.Reason.INVALID_REQUEST);

        assertThat(bean.current().version()).isEqualTo(version);
        assertThat(store.exists()).isFalse();
    }

    @Test
    void beginOnAnUnwritableHomeFailsAndChangesNothing() throws IOException {
        Path fileHome = home.resolve("not-a-dir");
        Files.writeString(fileHome, "x");
        store = new DrainMarkerStore(fileHome);
        bean = newBean();
        long version = bean.current().version();

        assertRefused(() -> bean.beginDrain(begin("x")), DrainRefusedException.Reason.MARKER_UNAVAILABLE);

        assertThat(bean.current().phase()).isEqualTo(Phase.RUNNING);
        assertThat(bean.current().version()).isEqualTo(version);
    }

    @Test
    void aRenewalThatCannotBeWrittenSaysTheDrainStaysAsItWas() throws IOException {
        String drainId = bean.beginDrain(begin("x")).drain().drainId();
        try (UnwritableDirs.Frozen frozen = UnwritableDirs.freeze(home)) {
            assertThatThrownBy(() -> bean.beginDrain(begin("renew")))
                    .isInstanceOf(DrainRefusedException.class)
                    .hasMessageContaining("the drain " + drainId + " stays as it was")
                    .hasMessageNotContaining("not begun");
        }
        assertThat(bean.current().drain().reason()).isEqualTo("x");
    }

    @Test
    void cancelThatCannotRemoveTheMarkerKeepsTheDrain() throws IOException {
        bean.beginDrain(begin("x"));
        try (UnwritableDirs.Frozen frozen = UnwritableDirs.freeze(home)) {
            assertRefused(() -> bean.cancelDrain("alice", ""), DrainRefusedException.Reason.MARKER_UNAVAILABLE);
        }
        assertThat(bean.current().phase()).isEqualTo(Phase.DRAINING);
        assertThat(store.read()).isInstanceOf(MarkerRead.Present.class);
    }

    @Test
    void shutdownWinsOverBeginAndCancelAndLeavesTheMarker() {
        bean.beginDrain(new BeginDrainCommand("alice", "x", true, Duration.ZERO));
        bean.enterStopping();
        byte[] marker = readMarkerBytes();

        assertRefused(() -> bean.cancelDrain("alice", ""), DrainRefusedException.Reason.SHUTTING_DOWN);
        assertRefused(() -> bean.beginDrain(begin("y")), DrainRefusedException.Reason.SHUTTING_DOWN);
        store.remove();
        bean.reconcile("test");

        assertThat(bean.current().phase()).isEqualTo(Phase.STOPPING);
        assertThat(bean.enterStopping().phase()).isEqualTo(Phase.STOPPING);
        assertThat(bean.markStopped().phase()).isEqualTo(Phase.STOPPED);
        assertThat(marker).isNotEmpty();
    }

    @Test
    void everyRefusalIsToldToTheListenersOnceWithItsCallAndPrincipalAndIsNoEvent() throws IOException {
        bean.beginDrain(begin("x"));
        assertRefused(() -> bean.beginDrain(begin("x".repeat(257))), DrainRefusedException.Reason.INVALID_REQUEST);
        assertRefused(() -> bean.cancelDrain("bob", "d-other"), DrainRefusedException.Reason.WRONG_DRAIN_ID);
        try (UnwritableDirs.Frozen frozen = UnwritableDirs.freeze(home)) {
            assertRefused(() -> bean.cancelDrain("carol", ""), DrainRefusedException.Reason.MARKER_UNAVAILABLE);
        }
        bean.enterStopping();
        assertRefused(() -> bean.beginDrain(begin("y")), DrainRefusedException.Reason.SHUTTING_DOWN);

        assertThat(refusals).extracting(refusal -> refusal.principal() + " " + refusal.call() + " " + refusal.refusal())
                .containsExactly("alice BeginDrain invalid_request", "bob CancelDrain wrong_drain_id",
                        "carol CancelDrain marker_unavailable", "alice BeginDrain shutting_down");
        assertThat(refusals.get(1).description()).contains("'d-other' is not the active drain");
        assertThat(events).extracting(DrainEvent::kind).containsExactly(DrainEvent.Kind.BEGIN, DrainEvent.Kind.SHUTDOWN);
    }

    @Test
    void gateAdmitsInRunningOnlyInternalInDrainingAndNothingWhenStopping() {
        assertThat(bean.tryAdmit("s1", "c", false, TurnControl.none())).isInstanceOf(Admission.Admitted.class);
        bean.beginDrain(begin("x"));
        assertThat(bean.tryAdmit("s2", "c", false, TurnControl.none())).extracting(a -> ((Admission.Refused) a).why()).isEqualTo(Admission.Why.DRAINING);
        assertThat(bean.tryAdmit("s3", "c", true, TurnControl.none())).isInstanceOf(Admission.Admitted.class);
        assertThat(bean.current().inFlightCount()).isEqualTo(2);
        bean.enterStopping();
        assertThat(bean.tryAdmit("s4", "c", true, TurnControl.none())).extracting(a -> ((Admission.Refused) a).why()).isEqualTo(Admission.Why.STOPPING);
    }

    @Test
    void secondTurnForABusySessionIsRefused() {
        assertThat(bean.tryAdmit("s1", "c", false, TurnControl.none())).isInstanceOf(Admission.Admitted.class);
        assertThat(bean.tryAdmit("s1", "c", false, TurnControl.none())).extracting(a -> ((Admission.Refused) a).why()).isEqualTo(Admission.Why.BUSY);
    }

    @Test
    void drainedBecomesTrueWhenTheLastTurnIsReleasedAndReleaseIsIdempotent() {
        TurnInfo turn = ((Admission.Admitted) bean.tryAdmit("s1", "c", false, TurnControl.none())).turn();
        assertThat(bean.beginDrain(begin("x")).drained()).isFalse();

        assertThat(bean.release(turn)).isTrue();
        assertThat(bean.release(turn)).isFalse();

        assertThat(bean.current().drained()).isTrue();
        assertThat(bean.current().inFlightCount()).isZero();
    }

    @Test
    void turnRecordsTheVersionItWasAdmittedUnder() {
        long version = bean.current().version();
        TurnInfo turn = ((Admission.Admitted) bean.tryAdmit("s1", "c", false, TurnControl.none())).turn();
        assertThat(turn.admittedVersion()).isEqualTo(version);
    }

    @Test
    void referenceMarkerWrittenByAnotherProcessDrainsAndItsRemovalResumes() throws IOException {
        Files.writeString(store.path(), """
                {"action": "drain", "requested_at": "2026-11-23T09:59:00.000000+00:00", "principal": "nas",
                 "epoch": "boot-1:1000", "suppress_notification": true}""");

        bean.reconcile("test");

        DrainSnapshot draining = bean.current();
        assertThat(draining.phase()).isEqualTo(Phase.DRAINING);
        assertThat(draining.drain().source()).isEqualTo(ActiveDrain.Source.MARKER);
        assertThat(draining.drain().principal()).isEqualTo("nas");
        assertThat(draining.drain().suppressNotification()).isTrue();
        String id = draining.drain().drainId();
        bean.reconcile("again");
        assertThat(bean.current().drain().drainId()).as("an id-less marker keeps its id").isEqualTo(id);
        assertThat(bean.current().version()).as("an unchanged marker is no change").isEqualTo(draining.version());

        Files.delete(store.path());
        bean.reconcile("test");

        assertThat(bean.current().phase()).isEqualTo(Phase.RUNNING);
        assertThat(events).extracting(DrainEvent::kind)
                .containsExactly(DrainEvent.Kind.MARKER_BEGIN, DrainEvent.Kind.MARKER_CANCEL);
    }

    @Test
    void ownMarkerReReadIsNoChange() {
        DrainSnapshot after = bean.beginDrain(begin("x"));
        bean.reconcile("fs-watch");
        assertThat(bean.current().version()).isEqualTo(after.version());
        assertThat(bean.current().drain().source()).isEqualTo(ActiveDrain.Source.API);
    }

    @Test
    void staleEpochMarkerIsIgnoredAndLeftOnDisk() throws IOException {
        Files.writeString(store.path(), "{\"action\":\"drain\",\"epoch\":\"boot-0:999\"}");

        bean.reconcile("test");

        assertThat(bean.current().phase()).isEqualTo(Phase.RUNNING);
        assertThat(bean.current().marker().status()).isEqualTo(MarkerStatus.IGNORED);
        assertThat(bean.current().marker().ignoredReason()).isEqualTo(IgnoredReason.EPOCH_MISMATCH);
        assertThat(store.exists()).isTrue();
    }

    @Test
    void expiredLeaseEndsTheDrainAsExpired() {
        bean.beginDrain(new BeginDrainCommand("alice", "x", false, Duration.ofSeconds(30)));
        clock.advance(Duration.ofSeconds(31));

        bean.reconcile("tick");

        assertThat(bean.current().phase()).isEqualTo(Phase.RUNNING);
        assertThat(bean.current().marker().ignoredReason()).isEqualTo(IgnoredReason.EXPIRED);
        assertThat(events).extracting(DrainEvent::outcome).containsExactly("began", "expired");
        assertThat(store.exists()).as("an expired marker is left for the operator").isTrue();
    }

    @Test
    void aHandWrittenMarkerLeasedUntil2099EndsMaxLeaseAfterItsRequestAndTheStateSaysWhy() throws IOException {
        Files.writeString(store.path(), "{\"action\": \"drain\", \"epoch\": \"" + EPOCH + "\", \"requested_at\": \""
                + IsoTimes.format(clock.instant()) + "\", \"lease_expires_at\": \"2099-01-01T00:00:00+00:00\"}");

        bean.reconcile("test");
        assertThat(bean.current().phase()).isEqualTo(Phase.DRAINING);
        assertThat(bean.current().drain().leaseExpiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(24)));
        assertThat(bean.current().marker().detail()).contains("more than max-lease PT24H", "capped at");

        clock.advance(Duration.ofHours(24).plusSeconds(1));
        bean.reconcile("tick");

        assertThat(bean.current().phase()).isEqualTo(Phase.RUNNING);
        assertThat(bean.current().marker().ignoredReason()).isEqualTo(IgnoredReason.EXPIRED);
        assertThat(bean.current().marker().detail()).contains("which has passed");
        assertThat(events).extracting(DrainEvent::outcome).containsExactly("adopted", "expired");
    }

    @Test
    void renewalsKeepADrainOnPastMaxLeaseInAll() {
        bean.beginDrain(new BeginDrainCommand("alice", "long job", false, Duration.ofHours(20)));
        for (int day = 0; day < 3; day++) {
            clock.advance(Duration.ofHours(19));
            bean.beginDrain(new BeginDrainCommand("alice", "long job", false, Duration.ofHours(20)));
            bean.reconcile("tick");
            assertThat(bean.current().phase()).as("after %d renewals", day + 1).isEqualTo(Phase.DRAINING);
        }
        assertThat(bean.current().drain().leaseExpiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(20)));
        assertThat(bean.current().marker().detail()).isEmpty();
    }

    @Test
    void corruptMarkerDrainsUntilItsMtimeIsOlderThanMaxAge() throws IOException {
        Files.writeString(store.path(), "{not json");
        Files.setLastModifiedTime(store.path(), FileTime.from(clock.instant()));

        bean.reconcile("test");
        assertThat(bean.current().phase()).isEqualTo(Phase.DRAINING);
        assertThat(bean.current().marker().status()).isEqualTo(MarkerStatus.UNPARSEABLE_ACTIVE);

        clock.advance(Duration.ofMinutes(61));
        bean.reconcile("tick");
        assertThat(bean.current().phase()).isEqualTo(Phase.RUNNING);
        assertThat(bean.current().marker().ignoredReason()).isEqualTo(IgnoredReason.EXPIRED);
    }

    @Test
    void restartWithAnActiveSameEpochMarkerStartsDraining() {
        bean.beginDrain(begin("before restart"));

        DrainStateBean restarted = newBean();

        assertThat(restarted.current().phase()).isEqualTo(Phase.DRAINING);
        assertThat(restarted.tryAdmit("s1", "c", false, TurnControl.none())).isInstanceOf(Admission.Refused.class);
    }

    @Test
    void listenersSeeIncreasingVersions() {
        bean.beginDrain(begin("x"));
        bean.tryAdmit("s", "c", true, TurnControl.none());
        bean.cancelDrain("a", "");
        List<Long> versions = new ArrayList<>(seen.stream().map(DrainSnapshot::version).toList());
        assertThat(versions).isSorted().doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void aFailingListenerDoesNotBreakTheTransition() {
        DrainStateBean withBadListener = new DrainStateBean(store, new MarkerJudge(EPOCH, Duration.ofHours(1)), clock,
                Duration.ofHours(1), Duration.ofHours(24), List.of(new DrainListener() {
                    @Override
                    public void onChange(DrainSnapshot snapshot) {
                        throw new IllegalStateException("boom");
                    }
                }));
        try (LogRecorder log = LogRecorder.expecting(ListenerFanOut.class)) {
            withBadListener.start();
            assertThat(withBadListener.beginDrain(begin("x")).phase()).isEqualTo(Phase.DRAINING);
            assertThat(log.messages(Level.SEVERE)).isNotEmpty()
                    .allMatch(line -> line.contains("failed on version"));
        }
    }

    @Test
    void renewalsAndReconcilesOfALongDrainKeepOneLeaseCheckPending() {
        bean.beginDrain(begin("long"));
        for (int i = 0; i < 1_000; i++) {
            bean.beginDrain(begin("renewed " + i));
            bean.reconcile("tick");
        }

        // Each replaced the pending check; a cancelled one must not wait in the queue for its hour.
        assertThat(bean.pendingLeaseChecks()).isEqualTo(1);
    }

    private byte[] readMarkerBytes() {
        try {
            return Files.readAllBytes(store.path());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertRefused(Runnable call, DrainRefusedException.Reason reason) {
        assertThatThrownBy(call::run).isInstanceOf(DrainRefusedException.class)
                .extracting(e -> ((DrainRefusedException) e).reason()).isEqualTo(reason);
    }
}
