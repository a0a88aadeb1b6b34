package dev.quiesce.marker;

import static dev.quiesce.marker.FakeProc.BOOT_ID;
import static dev.quiesce.marker.FakeProc.OTHER_BOOT_ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarkerJudgeTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-26T08:00:00Z"), ZoneOffset.UTC);
    private static final Instant NOW = CLOCK.instant();
    private static final Duration MAX_AGE = Duration.ofHours(1);
    private static final String EPOCH = BOOT_ID + ":14";

    private final MarkerJudge judge = new MarkerJudge(EPOCH, MAX_AGE);

    // --- the restart table ----------------------------------------------------------------------

    @Test
    void markerFromBeforeAVmRebootIsIgnored(@TempDir Path proc) {
        FakeProc fake = new FakeProc(proc).bootId(BOOT_ID).pid1("init", 14);
        DrainMarker written = fresh(fake.epoch());

        fake.bootId(OTHER_BOOT_ID).pid1("init", 9);
        MarkerJudgement judgement = judgeAfterRestart(fake, written);

        assertIgnored(IgnoredReason.EPOCH_MISMATCH, judgement);
    }

    @Test
    void markerFromBeforeABootIdChangeAloneIsIgnored(@TempDir Path proc) {
        FakeProc fake = new FakeProc(proc).bootId(BOOT_ID).pid1("init", 14);
        DrainMarker written = fresh(fake.epoch());

        fake.bootId(OTHER_BOOT_ID);
        MarkerJudgement judgement = judgeAfterRestart(fake, written);

        assertIgnored(IgnoredReason.EPOCH_MISMATCH, judgement);
    }

    @Test
    void markerFromBeforeAContainerRestartIsIgnored(@TempDir Path proc) {
        FakeProc fake = new FakeProc(proc).bootId(BOOT_ID).pid1("s6-svscan", 14);
        DrainMarker written = fresh(fake.epoch());

        fake.pid1("s6-svscan", 90210);
        MarkerJudgement judgement = judgeAfterRestart(fake, written);

        assertIgnored(IgnoredReason.EPOCH_MISMATCH, judgement);
    }

    @Test
    void markerSurvivesARestartOfTheGatewayAloneUnderTheSamePid1(@TempDir Path proc) {
        FakeProc fake = new FakeProc(proc).bootId(BOOT_ID).pid1("s6-svscan", 14);
        DrainMarker written = fresh(fake.epoch());

        MarkerJudgement judgement = judgeAfterRestart(fake, written);

        assertEquals(MarkerStatus.ACTIVE, judgement.status());
        assertEquals(IgnoredReason.NONE, judgement.ignoredReason());
        assertTrue(judgement.isActive());
    }

    @Test
    void withoutProcEveryMarkerIsHonouredByPresence(@TempDir Path proc) {
        DrainMarker foreign = fresh("some-other-machine:123");
        String noEpoch = InstantiationEpoch.read(proc.resolve("absent"));

        MarkerJudgement judgement = new MarkerJudge(noEpoch, MAX_AGE).judge(present(foreign, NOW), NOW);

        assertEquals("", noEpoch);
        assertEquals(MarkerStatus.ACTIVE, judgement.status());
    }

    @Test
    void nullCurrentEpochAlsoDisablesTheCheck() {
        MarkerJudge noEpoch = new MarkerJudge(null, MAX_AGE);

        assertEquals("", noEpoch.currentEpoch());
        assertEquals(MarkerStatus.ACTIVE, noEpoch.judge(present(fresh("other:1"), NOW), NOW).status());
    }

    @Test
    void legacyMarkerWithoutAnEpochIsActive() {
        assertEquals(MarkerStatus.ACTIVE, judge.judge(present(fresh(null), NOW), NOW).status());
    }

    @Test
    void markerWithAnEmptyEpochIsActive() {
        assertEquals(MarkerStatus.ACTIVE, judge.judge(present(fresh(""), NOW), NOW).status());
    }

    @Test
    void epochIsComparedExactly() {
        assertIgnored(IgnoredReason.EPOCH_MISMATCH, judge.judge(present(fresh(EPOCH + " "), NOW), NOW));
        assertIgnored(IgnoredReason.EPOCH_MISMATCH, judge.judge(present(fresh(BOOT_ID + ":"), NOW), NOW));
    }

    @Test
    void epochMismatchOutranksAnUnexpiredLease() {
        DrainMarker marker = withLease("other:1", NOW.minusSeconds(60), NOW.plus(Duration.ofHours(2)));

        assertIgnored(IgnoredReason.EPOCH_MISMATCH, judge.judge(present(marker, NOW), NOW));
    }

    @Test
    void epochMismatchIsReportedBeforeExpiry() {
        DrainMarker marker = withLease("other:1", NOW.minus(Duration.ofDays(2)), NOW.minus(Duration.ofDays(1)));

        assertIgnored(IgnoredReason.EPOCH_MISMATCH, judge.judge(present(marker, NOW), NOW));
    }

    // --- lease ----------------------------------------------------------------------------------

    @Test
    void leaseInThePastExpiresTheMarker() {
        DrainMarker marker = withLease(EPOCH, NOW.minusSeconds(600), NOW.minusNanos(1_000));

        MarkerJudgement judgement = judge.judge(present(marker, NOW), NOW);

        assertIgnored(IgnoredReason.EXPIRED, judgement);
        assertTrue(judgement.detail().contains("lease"), judgement.detail());
    }

    @Test
    void leaseEndingExactlyNowHasExpired() {
        DrainMarker marker = withLease(EPOCH, NOW.minusSeconds(600), NOW);

        assertIgnored(IgnoredReason.EXPIRED, judge.judge(present(marker, NOW), NOW));
    }

    @Test
    void leaseInTheFutureKeepsAMarkerOlderThanMaxAgeActive() {
        DrainMarker marker = withLease(EPOCH, NOW.minus(Duration.ofHours(5)), NOW.plusNanos(1_000));

        MarkerJudgement judgement = judge.judge(present(marker, NOW.minus(Duration.ofHours(5))), NOW);

        assertEquals(MarkerStatus.ACTIVE, judgement.status());
    }

    // --- max-age ----------------------------------------------------------------------------------

    @Test
    void markerWithNoLeaseOlderThanMaxAgeExpires() {
        DrainMarker marker = requestedAt(NOW.minus(MAX_AGE).minusNanos(1_000));

        MarkerJudgement judgement = judge.judge(present(marker, NOW), NOW);

        assertIgnored(IgnoredReason.EXPIRED, judgement);
        assertTrue(judgement.detail().contains("max-age"), judgement.detail());
    }

    @Test
    void markerWithNoLeaseExactlyMaxAgeOldIsStillActive() {
        assertEquals(MarkerStatus.ACTIVE, judge.judge(present(requestedAt(NOW.minus(MAX_AGE)), NOW), NOW).status());
    }

    @Test
    void markerWithNoLeaseYoungerThanMaxAgeIsActive() {
        assertEquals(MarkerStatus.ACTIVE,
                judge.judge(present(requestedAt(NOW.minus(Duration.ofMinutes(59))), NOW), NOW).status());
    }

    @Test
    void ageComesFromRequestedAtNotFromTheMtime() {
        DrainMarker old = requestedAt(NOW.minus(Duration.ofHours(2)));
        DrainMarker recent = requestedAt(NOW.minus(Duration.ofMinutes(5)));

        assertIgnored(IgnoredReason.EXPIRED, judge.judge(present(old, NOW), NOW));
        assertEquals(MarkerStatus.ACTIVE, judge.judge(present(recent, NOW.minus(Duration.ofDays(3))), NOW).status());
    }

    @Test
    void missingRequestedAtFallsBackToTheMtime() {
        DrainMarker undated = requestedAt(null);

        assertIgnored(IgnoredReason.EXPIRED, judge.judge(present(undated, NOW.minus(Duration.ofHours(2))), NOW));
        assertEquals(MarkerStatus.ACTIVE, judge.judge(present(undated, NOW.minus(Duration.ofMinutes(5))), NOW).status());
    }

    @Test
    void requestedAtInTheFutureFallsBackToTheMtime() {
        DrainMarker skewed = requestedAt(NOW.plus(Duration.ofDays(365)));

        assertIgnored(IgnoredReason.EXPIRED, judge.judge(present(skewed, NOW.minus(Duration.ofHours(2))), NOW));
        assertEquals(MarkerStatus.ACTIVE, judge.judge(present(skewed, NOW.minus(Duration.ofMinutes(5))), NOW).status());
    }

    @Test
    void requestedAtExactlyNowIsNotInTheFuture() {
        DrainMarker justNow = requestedAt(NOW);

        assertEquals(MarkerStatus.ACTIVE, judge.judge(present(justNow, NOW.minus(Duration.ofDays(3))), NOW).status());
    }

    @Test
    void markerWithNeitherADateNorAnMtimeIsADrain() {
        assertEquals(MarkerStatus.ACTIVE, judge.judge(present(requestedAt(null), null), NOW).status());
        assertEquals(MarkerStatus.UNPARSEABLE_ACTIVE, judge.judge(new MarkerRead.Unparseable("x", null), NOW).status());
    }

    @Test
    void maxAgeIsTheConfiguredOne() {
        MarkerJudge strict = new MarkerJudge(EPOCH, Duration.ofMinutes(5));
        DrainMarker tenMinutesOld = requestedAt(NOW.minus(Duration.ofMinutes(10)));

        assertIgnored(IgnoredReason.EXPIRED, strict.judge(present(tenMinutesOld, NOW), NOW));
        assertEquals(MarkerStatus.ACTIVE, judge.judge(present(tenMinutesOld, NOW), NOW).status());
    }

    /** The three fallbacks end to end: the mtime the file system reports is the age. */
    @Test
    void unusableRequestedAtOnDiskAgesByTheFilesMtime(@TempDir Path home) throws IOException {
        DrainMarkerStore store = new DrainMarkerStore(home);
        String[] bodies = {
            "{\"action\": \"drain\", \"epoch\": \"" + EPOCH + "\"}",
            "{\"action\": \"drain\", \"requested_at\": \"last tuesday\", \"epoch\": \"" + EPOCH + "\"}",
            "{\"action\": \"drain\", \"requested_at\": \"2027-01-01T00:00:00.000000+00:00\", \"epoch\": \"" + EPOCH + "\"}",
        };
        for (String body : bodies) {
            Files.writeString(store.path(), body);

            Files.setLastModifiedTime(store.path(), FileTime.from(NOW.minus(Duration.ofMinutes(61))));
            assertIgnored(IgnoredReason.EXPIRED, judge.judge(store.read(), NOW));

            Files.setLastModifiedTime(store.path(), FileTime.from(NOW.minus(Duration.ofMinutes(59))));
            assertEquals(MarkerStatus.ACTIVE, judge.judge(store.read(), NOW).status(), body);
        }
    }

    // --- unparseable, unreadable, absent ----------------------------------------------------------

    @Test
    void unparseableMarkerYoungerThanMaxAgeIsADrain() {
        MarkerJudgement judgement =
                judge.judge(new MarkerRead.Unparseable("not valid JSON", NOW.minus(Duration.ofMinutes(59))), NOW);

        assertEquals(MarkerStatus.UNPARSEABLE_ACTIVE, judgement.status());
        assertEquals(IgnoredReason.NONE, judgement.ignoredReason());
        assertTrue(judgement.isActive());
        assertFalse(judgement.suppressesNotification());
        assertNull(judgement.marker());
        assertTrue(judgement.detail().contains("not valid JSON"), judgement.detail());
    }

    @Test
    void unparseableMarkerExactlyMaxAgeOldIsStillADrain() {
        assertEquals(MarkerStatus.UNPARSEABLE_ACTIVE,
                judge.judge(new MarkerRead.Unparseable("empty file", NOW.minus(MAX_AGE)), NOW).status());
    }

    @Test
    void unparseableMarkerOlderThanMaxAgeIsIgnoredAsExpired() {
        MarkerJudgement judgement =
                judge.judge(new MarkerRead.Unparseable("empty file", NOW.minus(Duration.ofMinutes(61))), NOW);

        assertIgnored(IgnoredReason.EXPIRED, judgement);
        assertNull(judgement.marker());
        assertTrue(judgement.detail().contains("empty file"), judgement.detail());
    }

    @Test
    void unparseableMarkerIsADrainWhateverTheEpoch() {
        MarkerJudge elsewhere = new MarkerJudge("another-machine:1", MAX_AGE);

        assertEquals(MarkerStatus.UNPARSEABLE_ACTIVE,
                elsewhere.judge(new MarkerRead.Unparseable("JSON array, not an object", NOW), NOW).status());
    }

    @Test
    void unreadableMarkerIsNotADrain() {
        MarkerJudgement judgement = judge.judge(new MarkerRead.Unreadable("could not read: EIO"), NOW);

        assertEquals(MarkerStatus.UNREADABLE, judgement.status());
        assertEquals(IgnoredReason.NONE, judgement.ignoredReason());
        assertFalse(judgement.isActive());
        assertFalse(judgement.suppressesNotification());
        assertEquals("could not read: EIO", judgement.detail());
    }

    @Test
    void absentMarkerIsNotADrain() {
        MarkerJudgement judgement = judge.judge(new MarkerRead.Absent(), NOW);

        assertSame(MarkerJudgement.ABSENT, judgement);
        assertFalse(judgement.isActive());
        assertFalse(judgement.suppressesNotification());
    }

    // --- action, suppression, what an ignored judgement keeps --------------------------------------

    @Test
    void anyActionDrainsBecauseTheReferenceKeysOffPresence() {
        DrainMarker odd = new DrainMarker("restart", NOW, "nas", EPOCH, false, null, null, null);
        DrainMarker none = new DrainMarker(null, NOW, "nas", EPOCH, false, null, null, null);

        assertEquals(MarkerStatus.ACTIVE, judge.judge(present(odd, NOW), NOW).status());
        assertEquals(MarkerStatus.ACTIVE, judge.judge(present(none, NOW), NOW).status());
    }

    @Test
    void activeMarkerAskingForQuietSuppressesTheNotification() {
        MarkerJudgement judgement = judge.judge(present(quiet(EPOCH, NOW, null), NOW), NOW);

        assertEquals(MarkerStatus.ACTIVE, judgement.status());
        assertTrue(judgement.suppressesNotification());
    }

    @Test
    void activeMarkerNotAskingForQuietDoesNotSuppress() {
        assertFalse(judge.judge(present(fresh(EPOCH), NOW), NOW).suppressesNotification());
    }

    @Test
    void staleEpochMarkerNeverSuppresses() {
        MarkerJudgement judgement = judge.judge(present(quiet("other:1", NOW, null), NOW), NOW);

        assertIgnored(IgnoredReason.EPOCH_MISMATCH, judgement);
        assertFalse(judgement.suppressesNotification());
    }

    @Test
    void expiredMarkerNeverSuppresses() {
        MarkerJudgement byLease = judge.judge(present(quiet(EPOCH, NOW.minusSeconds(60), NOW.minusSeconds(1)), NOW), NOW);
        MarkerJudgement byAge = judge.judge(present(quiet(EPOCH, NOW.minus(Duration.ofHours(2)), null), NOW), NOW);

        assertIgnored(IgnoredReason.EXPIRED, byLease);
        assertIgnored(IgnoredReason.EXPIRED, byAge);
        assertFalse(byLease.suppressesNotification());
        assertFalse(byAge.suppressesNotification());
    }

    @Test
    void ignoredMarkerKeepsItsBodyForReporting() {
        DrainMarker stale = quiet("other:1", NOW, null);

        MarkerJudgement judgement = judge.judge(present(stale, NOW), NOW);

        assertSame(stale, judgement.marker());
        assertTrue(judgement.detail().contains("other:1"), judgement.detail());
        assertTrue(judgement.detail().contains(EPOCH), judgement.detail());
    }

    @Test
    void activeJudgementCarriesTheMarkerAndNoReason() {
        DrainMarker marker = fresh(EPOCH);

        MarkerJudgement judgement = judge.judge(present(marker, NOW), NOW);

        assertSame(marker, judgement.marker());
        assertEquals(IgnoredReason.NONE, judgement.ignoredReason());
        assertEquals("", judgement.detail());
    }

    @Test
    void currentEpochIsTheOneGiven() {
        assertEquals(EPOCH, judge.currentEpoch());
    }

    // --- no marker wedges the gateway (issue 17, the reference's 3-day wedge) ----------------------

    @Test
    void aHandWrittenLeaseIn2099HoldsNoLongerThanMaxLeaseAfterItsRequest() {
        MarkerJudge capped = new MarkerJudge(EPOCH, MAX_AGE, Duration.ofHours(24));
        Instant requested = NOW.minus(Duration.ofHours(23));
        DrainMarker forever = withLease(EPOCH, requested, Instant.parse("2099-01-01T00:00:00Z"));

        MarkerJudgement now = capped.judge(present(forever, requested), NOW);
        assertEquals(MarkerStatus.ACTIVE, now.status());
        assertEquals(requested.plus(Duration.ofHours(24)), now.expiresAt(), "the cap, not 2099");
        assertTrue(now.detail().contains("capped at 2026-06-26T09:00:00.000000+00:00"), now.detail());
        assertTrue(now.detail().contains("requested_at"), now.detail());

        MarkerJudgement past = capped.judge(present(forever, requested), NOW.plus(Duration.ofHours(1)));
        assertIgnored(IgnoredReason.EXPIRED, past);
        assertTrue(past.detail().contains("max-lease PT24H"), past.detail());
    }

    @Test
    void aRenewedLeaseIsCappedFromItsRenewalNotFromTheFirstRequest() {
        MarkerJudge capped = new MarkerJudge(EPOCH, MAX_AGE, Duration.ofHours(24));
        Instant requested = NOW.minus(Duration.ofDays(3));
        Instant renewed = NOW.minus(Duration.ofMinutes(10));
        DrainMarker marker = new DrainMarker("drain", requested, "nas", EPOCH, false, "d-1", "", renewed.plus(
                Duration.ofHours(1)), renewed);

        MarkerJudgement judgement = capped.judge(present(marker, renewed), NOW);

        assertEquals(MarkerStatus.ACTIVE, judgement.status());
        assertEquals(renewed.plus(Duration.ofHours(1)), judgement.expiresAt());
        assertEquals("", judgement.detail(), "no cap applied");
    }

    @Test
    void aLeaseWhoseTimesAreAllInTheFutureIsCappedFromWhenTheGatewayFirstSawIt() {
        MarkerJudge capped = new MarkerJudge(EPOCH, MAX_AGE, Duration.ofHours(24));
        DrainMarker skewed = withLease(EPOCH, NOW.plus(Duration.ofDays(400)), Instant.parse("2099-01-01T00:00:00Z"));
        MarkerRead read = present(skewed, NOW.plus(Duration.ofDays(400)));

        MarkerJudgement first = capped.judge(read, NOW);
        MarkerJudgement later = capped.judge(read, NOW.plus(Duration.ofHours(23)));
        MarkerJudgement after = capped.judge(read, NOW.plus(Duration.ofHours(25)));

        assertEquals(NOW.plus(Duration.ofHours(24)), first.expiresAt());
        assertEquals(first.expiresAt(), later.expiresAt(), "first seen stays first seen");
        assertTrue(first.detail().contains("when this gateway first saw the file"), first.detail());
        assertTrue(first.detail().contains("is in the future"), first.detail());
        assertIgnored(IgnoredReason.EXPIRED, after);
    }

    @Test
    void aMarkerWithNoRequestTimeAndAFutureMtimeExpiresMaxAgeAfterItWasFirstSeen() {
        DrainMarker undated = requestedAt(null);
        MarkerRead read = present(undated, NOW.plus(Duration.ofDays(30)));

        MarkerJudgement first = judge.judge(read, NOW);
        assertEquals(MarkerStatus.ACTIVE, first.status());
        assertEquals(NOW.plus(MAX_AGE), first.expiresAt());
        assertTrue(first.detail().contains("the file's mtime 2026-07-26T08:00:00.000000+00:00 is in the future"),
                first.detail());

        MarkerJudgement later = judge.judge(read, NOW.plus(MAX_AGE).plusSeconds(1));
        assertIgnored(IgnoredReason.EXPIRED, later);
        assertTrue(later.detail().contains("first saw the file"), later.detail());
    }

    @Test
    void aChangedFileIsFirstSeenAgain() {
        MarkerRead before = present(requestedAt(null), NOW.plus(Duration.ofDays(1)));
        MarkerRead changed = present(requestedAt(null), NOW.plus(Duration.ofDays(2)));

        judge.judge(before, NOW);
        MarkerJudgement judged = judge.judge(changed, NOW.plus(Duration.ofMinutes(50)));

        assertEquals(NOW.plus(Duration.ofMinutes(50)).plus(MAX_AGE), judged.expiresAt());
    }

    // --- helpers ----------------------------------------------------------------------------------

    /** A gateway restarted on {@code fake}'s machine judges what its predecessor wrote. */
    private static MarkerJudgement judgeAfterRestart(FakeProc fake, DrainMarker written) {
        MarkerJudge restarted = new MarkerJudge(InstantiationEpoch.read(fake.root()), MAX_AGE);
        return restarted.judge(present(written, NOW.minusSeconds(30)), NOW);
    }

    private static void assertIgnored(IgnoredReason reason, MarkerJudgement judgement) {
        assertEquals(MarkerStatus.IGNORED, judgement.status(), judgement.detail());
        assertEquals(reason, judgement.ignoredReason(), judgement.detail());
        assertFalse(judgement.isActive());
        assertFalse(judgement.suppressesNotification());
        assertFalse(judgement.detail().isBlank());
    }

    private static MarkerRead.Present present(DrainMarker marker, Instant modifiedAt) {
        return new MarkerRead.Present(marker, modifiedAt);
    }

    private static DrainMarker fresh(String epoch) {
        return new DrainMarker("drain", NOW.minusSeconds(30), "nas", epoch, false, "d-1", "", null);
    }

    private static DrainMarker requestedAt(Instant requestedAt) {
        return new DrainMarker("drain", requestedAt, "nas", EPOCH, false, "d-1", "", null);
    }

    private static DrainMarker withLease(String epoch, Instant requestedAt, Instant leaseExpiresAt) {
        return new DrainMarker("drain", requestedAt, "nas", epoch, false, "d-1", "", leaseExpiresAt);
    }

    private static DrainMarker quiet(String epoch, Instant requestedAt, Instant leaseExpiresAt) {
        return new DrainMarker("drain", requestedAt, "nas", epoch, true, "d-1", "", leaseExpiresAt);
    }
}
