package dev.quiesce.notify;

import dev.quiesce.home.IsoTimes;
import dev.quiesce.marker.DrainMarkerStore;
import dev.quiesce.marker.MarkerJudge;
import dev.quiesce.marker.MarkerJudgement;
import dev.quiesce.marker.MarkerStatus;
import dev.quiesce.notify.Notification.Kind;
import dev.quiesce.notify.NotifyReport.HomeBroadcast;
import dev.quiesce.pipeline.TurnInfo;
import dev.quiesce.testing.SettableClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The shutdown notifications of SPEC §7 with a recording sink, real marker files and a temp home. */
class ShutdownNotifierTest {

    private static final String EPOCH = "boot-1:1000";
    private static final String HOME_CHANNEL = "ops-alerts";
    private static final Duration MIN_INTERVAL = Duration.ofMinutes(10);

    @TempDir
    Path home;

    private final SettableClock clock = new SettableClock(Instant.parse("2026-11-23T10:00:00Z"));
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final RecordingSink sink = new RecordingSink();
    /** Released when the test ends, for sinks that block. */
    private final CountDownLatch testOver = new CountDownLatch(1);

    @AfterEach
    void releaseBlockedSinks() {
        testOver.countDown();
    }

    /** Records every notification and answers as {@link #delivers} says (true by default). */
    static final class RecordingSink implements NotificationSink {
        final List<Notification> sent = new CopyOnWriteArrayList<>();
        volatile Predicate<Notification> delivers = n -> true;

        @Override
        public boolean send(Notification notification, Instant deadline) {
            sent.add(notification);
            return delivers.test(notification);
        }

        List<Notification> ofKind(Kind kind) {
            return sent.stream().filter(n -> n.kind() == kind).toList();
        }
    }

    private ShutdownNotifier notifier(NotificationSink to, Optional<String> homeChannel, Clock at) {
        HomeBroadcastPolicy policy = new HomeBroadcastPolicy(home, homeChannel, MIN_INTERVAL, at);
        return new ShutdownNotifier(to, policy, Duration.ofSeconds(10), at, registry);
    }

    private ShutdownNotifier notifier() {
        return notifier(sink, Optional.of(HOME_CHANNEL), clock);
    }

    private NotifyReport notifyShutdown(ShutdownNotifier notifier, List<TurnInfo> turns, MarkerJudgement marker) {
        return notifier.notifyShutdown(turns, marker, clock.instant().plusSeconds(10));
    }

    private TurnInfo turn(String session, String channel) {
        return new TurnInfo("t-" + session, session, channel, clock.instant().minusSeconds(30), false, 3);
    }

    /** Writes {@code body} as the drain marker and judges it as the drain state bean would. */
    private MarkerJudgement marker(String body) throws IOException {
        DrainMarkerStore store = new DrainMarkerStore(home);
        Files.writeString(store.path(), body, StandardCharsets.UTF_8);
        // Written "a minute ago" on the test's clock: the age of a file without requested_at.
        Files.setLastModifiedTime(store.path(), FileTime.from(clock.instant().minusSeconds(60)));
        return new MarkerJudge(EPOCH, Duration.ofHours(1)).judge(store.read(), clock.instant());
    }

    private MarkerJudgement activeMarker(boolean suppress) throws IOException {
        return marker("""
                {"action": "drain", "requested_at": "%s", "principal": "nas", "epoch": "%s",
                 "suppress_notification": %s, "drain_id": "d-1", "lease_expires_at": "%s"}"""
                .formatted(IsoTimes.format(clock.instant().minusSeconds(60)), EPOCH, suppress,
                        IsoTimes.format(clock.instant().plusSeconds(600))));
    }

    private double counted(Kind kind, String result) {
        return registry.get("quiesce_notifications_total")
                .tag("kind", kind.wireName()).tag("result", result).counter().count();
    }

    @Test
    void everyInterruptedSessionIsPingedOnItsOwnChannelWithTheResumeHint() {
        NotifyReport report = notifyShutdown(notifier(),
                List.of(turn("s-1", "C-one"), turn("s-2", "C-two")), MarkerJudgement.ABSENT);

        assertThat(sink.ofKind(Kind.SESSION_INTERRUPTED)).containsExactlyInAnyOrder(
                new Notification(Kind.SESSION_INTERRUPTED, "C-one", "s-1", ShutdownNotifier.RESUME_HINT),
                new Notification(Kind.SESSION_INTERRUPTED, "C-two", "s-2", ShutdownNotifier.RESUME_HINT));
        assertThat(report.sessionPingsSent()).isEqualTo(2);
        assertThat(report.sessionPingsFailed()).isZero();
    }

    @Test
    void anActiveMarkerAskingForQuietSuppressesTheBroadcastButNotTheSessionPings() throws IOException {
        MarkerJudgement quiet = activeMarker(true);
        assertThat(quiet.status()).isEqualTo(MarkerStatus.ACTIVE);

        NotifyReport report = notifyShutdown(notifier(),
                List.of(turn("s-1", "C-one"), turn("s-2", "C-two")), quiet);

        assertThat(report.home()).isEqualTo(HomeBroadcast.SUPPRESSED);
        assertThat(report.homeDetail()).contains("d-1");
        assertThat(sink.ofKind(Kind.HOME_SHUTDOWN)).isEmpty();
        assertThat(sink.ofKind(Kind.SESSION_INTERRUPTED)).hasSize(2);
        assertThat(report.sessionPingsSent()).isEqualTo(2);
    }

    @Test
    void anActiveMarkerWithoutTheFlagLetsTheBroadcastThrough() throws IOException {
        NotifyReport report = notifyShutdown(notifier(), List.of(), activeMarker(false));

        assertThat(report.home()).isEqualTo(HomeBroadcast.SENT);
        assertThat(sink.ofKind(Kind.HOME_SHUTDOWN)).containsExactly(
                new Notification(Kind.HOME_SHUTDOWN, HOME_CHANNEL, "", ShutdownNotifier.HOME_SHUTDOWN_TEXT));
    }

    static Stream<Arguments> markersThatMustNotSilenceTheBroadcast() {
        String now = "2026-11-23T09:59:00+00:00";
        String later = "2026-11-23T10:10:00+00:00";
        return Stream.of(
                Arguments.of("a stale epoch (left over from before a machine restart)", MarkerStatus.IGNORED, """
                        {"action": "drain", "requested_at": "%s", "epoch": "boot-0:999",
                         "suppress_notification": true, "lease_expires_at": "%s"}""".formatted(now, later)),
                Arguments.of("an expired lease", MarkerStatus.IGNORED, """
                        {"action": "drain", "requested_at": "2026-11-23T09:00:00+00:00", "epoch": "%s",
                         "suppress_notification": true, "lease_expires_at": "2026-11-23T09:30:00+00:00"}"""
                        .formatted(EPOCH)),
                Arguments.of("no lease and older than max-age", MarkerStatus.IGNORED, """
                        {"action": "drain", "requested_at": "2026-11-23T07:00:00+00:00", "epoch": "%s",
                         "suppress_notification": true}""".formatted(EPOCH)),
                Arguments.of("an unparseable file", MarkerStatus.UNPARSEABLE_ACTIVE, "{\"suppress_notification\": true, "),
                Arguments.of("a flag that is not a literal true", MarkerStatus.ACTIVE, """
                        {"action": "drain", "requested_at": "%s", "epoch": "%s",
                         "suppress_notification": "true", "lease_expires_at": "%s"}""".formatted(now, EPOCH, later)));
    }

    @ParameterizedTest(name = "{0} does not suppress the broadcast")
    @MethodSource("markersThatMustNotSilenceTheBroadcast")
    void markersThatAreNotActiveAndExplicitlyQuietDoNotSuppress(String what, MarkerStatus judged, String body)
            throws IOException {
        MarkerJudgement marker = marker(body);
        assertThat(marker.status()).as(what).isEqualTo(judged);

        NotifyReport report = notifyShutdown(notifier(), List.of(turn("s-1", "C-one")), marker);

        assertThat(report.home()).as(what).isEqualTo(HomeBroadcast.SENT);
        assertThat(sink.ofKind(Kind.HOME_SHUTDOWN)).hasSize(1);
    }

    @Test
    void anAbsentMarkerDoesNotSuppress() {
        NotifyReport report = notifyShutdown(notifier(), List.of(), new MarkerJudge(EPOCH, Duration.ofHours(1))
                .judge(new DrainMarkerStore(home).read(), clock.instant()));

        assertThat(report.home()).isEqualTo(HomeBroadcast.SENT);
    }

    @Test
    void aRestartLoopWithinTheIntervalBroadcastsOnlyOnce() {
        NotifyReport first = notifyShutdown(notifier(), List.of(), MarkerJudgement.ABSENT);
        clock.advance(Duration.ofMinutes(3));
        NotifyReport second = notifyShutdown(notifier(), List.of(), MarkerJudgement.ABSENT);

        assertThat(first.home()).isEqualTo(HomeBroadcast.SENT);
        assertThat(second.home()).isEqualTo(HomeBroadcast.DEDUPLICATED);
        assertThat(second.homeDetail()).contains("2026-11-23T10:00:00");
        assertThat(sink.ofKind(Kind.HOME_SHUTDOWN)).hasSize(1);
    }

    @Test
    void onceTheIntervalHasPassedItBroadcastsAgain() {
        notifyShutdown(notifier(), List.of(), MarkerJudgement.ABSENT);
        clock.advance(MIN_INTERVAL);

        NotifyReport again = notifyShutdown(notifier(), List.of(), MarkerJudgement.ABSENT);

        assertThat(again.home()).isEqualTo(HomeBroadcast.SENT);
        assertThat(sink.ofKind(Kind.HOME_SHUTDOWN)).hasSize(2);
    }

    @Test
    void aDeduplicatedBroadcastStillPingsTheInterruptedSessions() {
        notifyShutdown(notifier(), List.of(), MarkerJudgement.ABSENT);

        NotifyReport report = notifyShutdown(notifier(), List.of(turn("s-1", "C-one")), MarkerJudgement.ABSENT);

        assertThat(report.home()).isEqualTo(HomeBroadcast.DEDUPLICATED);
        assertThat(report.sessionPingsSent()).isEqualTo(1);
    }

    @Test
    void withoutAHomeChannelThereIsNoBroadcast() {
        NotifyReport report = notifyShutdown(notifier(sink, Optional.of("  "), clock),
                List.of(turn("s-1", "C-one")), MarkerJudgement.ABSENT);

        assertThat(report.home()).isEqualTo(HomeBroadcast.NO_CHANNEL);
        assertThat(sink.ofKind(Kind.HOME_SHUTDOWN)).isEmpty();
        assertThat(report.sessionPingsSent()).isEqualTo(1);
    }

    @Test
    void aFailedBroadcastIsReportedAndNotRemembered() {
        sink.delivers = n -> n.kind() != Kind.HOME_SHUTDOWN;

        NotifyReport failed = notifyShutdown(notifier(), List.of(turn("s-1", "C-one")), MarkerJudgement.ABSENT);

        assertThat(failed.home()).isEqualTo(HomeBroadcast.FAILED);
        assertThat(failed.sessionPingsSent()).isEqualTo(1);
        assertThat(home.resolve(HomeBroadcastLedger.FILE_NAME)).doesNotExist();

        sink.delivers = n -> true;
        clock.advance(Duration.ofMinutes(1));
        assertThat(notifyShutdown(notifier(), List.of(), MarkerJudgement.ABSENT).home()).isEqualTo(HomeBroadcast.SENT);
    }

    @Test
    void aTurnWithoutAChannelGetsNoPingAndCountsAsFailed() {
        NotifyReport report = notifyShutdown(notifier(),
                List.of(turn("s-1", ""), turn("s-2", "C-two")), MarkerJudgement.ABSENT);

        assertThat(sink.ofKind(Kind.SESSION_INTERRUPTED)).extracting(Notification::sessionId).containsExactly("s-2");
        assertThat(report.sessionPingsSent()).isEqualTo(1);
        assertThat(report.sessionPingsFailed()).isEqualTo(1);
    }

    @Test
    void undeliveredPingsAreCountedAsFailed() {
        sink.delivers = n -> !n.channel().equals("C-down");

        NotifyReport report = notifyShutdown(notifier(),
                List.of(turn("s-1", "C-down"), turn("s-2", "C-two")), MarkerJudgement.ABSENT);

        assertThat(report.sessionPingsSent()).isEqualTo(1);
        assertThat(report.sessionPingsFailed()).isEqualTo(1);
    }

    @Test
    void notificationsAreSentConcurrently() {
        // Each send waits until all three are in flight at once; one at a time, none would deliver.
        CountDownLatch allInFlight = new CountDownLatch(3);
        NotificationSink waitsForTheOthers = (notification, deadline) -> {
            allInFlight.countDown();
            try {
                return allInFlight.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return false;
            }
        };

        NotifyReport report = notifier(waitsForTheOthers, Optional.of(HOME_CHANNEL), Clock.systemUTC())
                .notifyShutdown(List.of(turn("s-1", "C-one"), turn("s-2", "C-two")), MarkerJudgement.ABSENT,
                        Instant.now().plusSeconds(30));

        assertThat(report.sessionPingsSent()).isEqualTo(2);
        assertThat(report.home()).isEqualTo(HomeBroadcast.SENT);
    }

    @Test
    void aSinkThatOverstaysTheDeadlineIsCountedAsFailedAndDoesNotHoldTheCallerUp() {
        NotificationSink stuck = (notification, deadline) -> {
            try {
                testOver.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return true;
        };
        Instant deadline = Instant.now().plusMillis(300);

        NotifyReport report = notifier(stuck, Optional.of(HOME_CHANNEL), Clock.systemUTC())
                .notifyShutdown(List.of(turn("s-1", "C-one")), MarkerJudgement.ABSENT, deadline);

        assertThat(Instant.now()).isBefore(deadline.plus(DeadlineFanOut.COLLECT_GRACE).plusSeconds(2));
        assertThat(report.sessionPingsFailed()).isEqualTo(1);
        assertThat(report.home()).isEqualTo(HomeBroadcast.FAILED);
        assertThat(home.resolve(HomeBroadcastLedger.FILE_NAME)).doesNotExist();
    }

    @Test
    void aSinkThatThrowsCountsAsAFailureAndNothingEscapes() {
        NotificationSink broken = (notification, deadline) -> {
            throw new IllegalStateException("sink bug");
        };

        NotifyReport report = notifyShutdown(notifier(broken, Optional.of(HOME_CHANNEL), clock),
                List.of(turn("s-1", "C-one")), MarkerJudgement.ABSENT);

        assertThat(report.sessionPingsFailed()).isEqualTo(1);
        assertThat(report.home()).isEqualTo(HomeBroadcast.FAILED);
    }

    @Test
    void missingArgumentsMeanNoTurnsNoSuppressionAndTheConfiguredBudget() {
        NotifyReport report = notifier().notifyShutdown(null, null, null);

        assertThat(report.home()).isEqualTo(HomeBroadcast.SENT);
        assertThat(report.sessionPingsSent()).isZero();
        assertThat(report.sessionPingsFailed()).isZero();
    }

    @Test
    void notificationsAreCountedByKindAndResult() throws IOException {
        sink.delivers = n -> !n.channel().equals("C-down");
        ShutdownNotifier notifier = notifier();

        notifyShutdown(notifier, List.of(turn("s-1", "C-one"), turn("s-2", "C-down"), turn("s-3", "")),
                MarkerJudgement.ABSENT);
        notifyShutdown(notifier, List.of(), MarkerJudgement.ABSENT);
        notifyShutdown(notifier, List.of(), activeMarker(true));
        notifyShutdown(notifier(sink, Optional.empty(), clock), List.of(), MarkerJudgement.ABSENT);

        assertThat(counted(Kind.SESSION_INTERRUPTED, "sent")).isEqualTo(1);
        assertThat(counted(Kind.SESSION_INTERRUPTED, "failed")).isEqualTo(1);
        assertThat(counted(Kind.SESSION_INTERRUPTED, "no_channel")).isEqualTo(1);
        assertThat(counted(Kind.HOME_SHUTDOWN, "sent")).isEqualTo(1);
        assertThat(counted(Kind.HOME_SHUTDOWN, "deduplicated")).isEqualTo(1);
        assertThat(counted(Kind.HOME_SHUTDOWN, "suppressed")).isEqualTo(1);
        assertThat(counted(Kind.HOME_SHUTDOWN, "no_channel")).isEqualTo(1);
        assertThat(counted(Kind.HOME_SHUTDOWN, "failed")).isZero();
    }
}
