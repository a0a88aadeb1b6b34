package dev.quiesce.notify;

import dev.quiesce.marker.DrainMarker;
import dev.quiesce.marker.IgnoredReason;
import dev.quiesce.marker.MarkerJudgement;
import dev.quiesce.marker.MarkerStatus;
import dev.quiesce.notify.HomeBroadcastPolicy.Decision;
import dev.quiesce.notify.HomeBroadcastPolicy.Outcome;
import dev.quiesce.notify.NotifyReport.HomeBroadcast;
import dev.quiesce.testing.LogRecorder;
import dev.quiesce.testing.SettableClock;
import dev.quiesce.testing.UnwritableDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The home-broadcast decision of SPEC §7 and its record in a real temp home. */
class HomeBroadcastPolicyTest {

    private static final String CHANNEL = "ops-alerts";
    private static final Duration MIN_INTERVAL = Duration.ofMinutes(10);

    @TempDir
    Path home;

    private final SettableClock clock = new SettableClock(Instant.parse("2026-11-23T10:00:00Z"));

    private HomeBroadcastPolicy policy() {
        return new HomeBroadcastPolicy(home, Optional.of(CHANNEL), MIN_INTERVAL, clock);
    }

    private HomeBroadcastLedger ledger() {
        return new HomeBroadcastLedger(home);
    }

    /** An ACTIVE judgement whose marker says {@code suppress_notification} as given. */
    private MarkerJudgement active(boolean suppress, String drainId) {
        DrainMarker marker = new DrainMarker(DrainMarker.ACTION_DRAIN, clock.instant().minusSeconds(60), "nas",
                "boot-1:1000", suppress, drainId, "", clock.instant().plusSeconds(600));
        return new MarkerJudgement(MarkerStatus.ACTIVE, IgnoredReason.NONE, marker, "");
    }

    private static Outcome skipped(Decision decision) {
        assertThat(decision).isInstanceOf(Decision.Skip.class);
        return ((Decision.Skip) decision).outcome();
    }

    @Test
    void withNothingRecordedItSendsToTheHomeChannel() {
        assertThat(policy().decide(MarkerJudgement.ABSENT)).isEqualTo(new Decision.Send(CHANNEL));
        assertThat(policy().decide(null)).isEqualTo(new Decision.Send(CHANNEL));
    }

    @Test
    void anUnsetOrBlankHomeChannelMeansNoBroadcastWhateverTheMarkerSays() {
        for (Optional<String> none : List.of(Optional.<String>empty(), Optional.of("  "))) {
            HomeBroadcastPolicy policy = new HomeBroadcastPolicy(home, none, MIN_INTERVAL, clock);

            assertThat(skipped(policy.decide(active(true, "d-1"))).result()).isEqualTo(HomeBroadcast.NO_CHANNEL);
        }
    }

    @Test
    void theChannelIsTakenWithoutSurroundingBlanks() {
        HomeBroadcastPolicy policy = new HomeBroadcastPolicy(home, Optional.of(" ops-alerts\n"), MIN_INTERVAL, clock);

        assertThat(policy.decide(MarkerJudgement.ABSENT)).isEqualTo(new Decision.Send(CHANNEL));
    }

    @Test
    void anActiveMarkerAskingForQuietSuppressesItAndTheDetailNamesTheDrain() {
        Outcome quiet = skipped(policy().decide(active(true, "d-1")));
        Outcome anonymous = skipped(policy().decide(active(true, "")));

        assertThat(quiet.result()).isEqualTo(HomeBroadcast.SUPPRESSED);
        assertThat(quiet.detail()).contains("of drain d-1").contains("suppress_notification=true");
        assertThat(anonymous.detail()).doesNotContain("of drain");
    }

    @Test
    void anActiveMarkerWithoutTheFlagOrAnIgnoredOneDoesNotSuppress() {
        MarkerJudgement ignoredButQuiet = new MarkerJudgement(MarkerStatus.IGNORED, IgnoredReason.EXPIRED,
                active(true, "d-1").marker(), "expired");

        assertThat(policy().decide(active(false, "d-1"))).isInstanceOf(Decision.Send.class);
        assertThat(policy().decide(ignoredButQuiet)).isInstanceOf(Decision.Send.class);
    }

    @Test
    void aDeliveryIsRecordedAndDeduplicatesTheNextBroadcastWithinTheInterval() {
        HomeBroadcastPolicy policy = policy();
        Decision.Send send = (Decision.Send) policy.decide(MarkerJudgement.ABSENT);

        Outcome sent = policy.afterSend(send, Delivery.DELIVERED);
        clock.advance(MIN_INTERVAL.minusSeconds(1));
        Outcome again = skipped(policy.decide(MarkerJudgement.ABSENT));

        assertThat(sent).isEqualTo(new Outcome(HomeBroadcast.SENT, "sent to " + CHANNEL));
        assertThat(ledger().read()).isEqualTo(new HomeBroadcastLedger.Read.Sent(
                Instant.parse("2026-11-23T10:00:00Z"), CHANNEL));
        assertThat(again.result()).isEqualTo(HomeBroadcast.DEDUPLICATED);
        assertThat(again.detail()).contains("2026-11-23T10:00:00").contains(CHANNEL);
    }

    @Test
    void onceTheIntervalHasPassedItSendsAgain() throws IOException {
        ledger().record(CHANNEL, clock.instant());
        clock.advance(MIN_INTERVAL);

        assertThat(policy().decide(MarkerJudgement.ABSENT)).isEqualTo(new Decision.Send(CHANNEL));
    }

    @Test
    void aFailedDeliveryIsNotRecorded() throws IOException {
        ledger().record(CHANNEL, clock.instant().minus(Duration.ofHours(1)));
        HomeBroadcastLedger.Read before = ledger().read();

        Outcome failed = policy().afterSend(new Decision.Send(CHANNEL),
                Delivery.failed("3 attempts failed: could not connect (connection refused)"));

        assertThat(failed.result()).isEqualTo(HomeBroadcast.FAILED);
        assertThat(failed.detail())
                .isEqualTo("not delivered to " + CHANNEL + ": 3 attempts failed: could not connect "
                        + "(connection refused)");
        assertThat(ledger().read()).isEqualTo(before);
    }

    @Test
    void aBroadcastTheDeadlineStoppedSaysSo() {
        Outcome failed = policy().afterSend(new Decision.Send(CHANNEL),
                Delivery.stoppedByDeadline("1 attempt made, the last: no answer within 900 ms"));

        assertThat(failed.detail()).isEqualTo("not delivered to " + CHANNEL
                + " before the deadline (1 attempt made, the last: no answer within 900 ms)");
    }

    @Test
    void aBroadcastToAnotherChannelDoesNotDeduplicateThisOne() throws IOException {
        ledger().record("old-channel", clock.instant().minusSeconds(60));

        assertThat(policy().decide(MarkerJudgement.ABSENT)).isEqualTo(new Decision.Send(CHANNEL));
    }

    @Test
    void aRecordedTimeInTheFutureDoesNotSilenceTheBroadcastAndIsLogged() throws IOException {
        ledger().record(CHANNEL, clock.instant().plus(Duration.ofMinutes(5)));

        Decision decision;
        List<String> warnings;
        try (LogRecorder log = LogRecorder.of(HomeBroadcastPolicy.class)) {
            decision = policy().decide(MarkerJudgement.ABSENT);
            warnings = log.messages(Level.WARNING);
        }

        assertThat(decision).isEqualTo(new Decision.Send(CHANNEL));
        assertThat(warnings).singleElement().asString().contains("in the future");
    }

    @Test
    void aCorruptRecordMeansBroadcastAndIsReplacedByTheNextDelivery() throws IOException {
        Files.writeString(home.resolve(HomeBroadcastLedger.FILE_NAME), "{\"last_sent_at\": ");
        HomeBroadcastPolicy policy = policy();

        Decision decision;
        List<String> warnings;
        try (LogRecorder log = LogRecorder.of(HomeBroadcastPolicy.class)) {
            decision = policy.decide(MarkerJudgement.ABSENT);
            warnings = log.messages(Level.WARNING);
        }
        policy.afterSend((Decision.Send) decision, Delivery.DELIVERED);

        assertThat(warnings).singleElement().asString().contains("cannot be trusted");
        assertThat(ledger().read()).isEqualTo(new HomeBroadcastLedger.Read.Sent(clock.instant(), CHANNEL));
    }

    @Test
    void theRecordIsReadableByTheOwnerOnly() throws IOException {
        policy().afterSend(new Decision.Send(CHANNEL), Delivery.DELIVERED);

        assertThat(PosixFilePermissions.toString(
                Files.getPosixFilePermissions(home.resolve(HomeBroadcastLedger.FILE_NAME)))).isEqualTo("rw-------");
    }

    @Test
    void aDeliveryThatCannotBeRecordedIsStillSentAndTheNextShutdownBroadcastsAgain() {
        HomeBroadcastPolicy policy = policy();

        Outcome sent;
        List<String> warnings;
        try (UnwritableDirs.Frozen frozen = UnwritableDirs.freeze(home);
                LogRecorder log = LogRecorder.of(HomeBroadcastPolicy.class)) {
            sent = policy.afterSend(new Decision.Send(CHANNEL), Delivery.DELIVERED);
            warnings = log.messages(Level.WARNING);
        }

        assertThat(sent.result()).isEqualTo(HomeBroadcast.SENT);
        assertThat(warnings).singleElement().asString().contains("may broadcast again");
        assertThat(policy.decide(MarkerJudgement.ABSENT)).isEqualTo(new Decision.Send(CHANNEL));
    }
}
