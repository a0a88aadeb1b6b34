package dev.quiesce.marker;

import static dev.quiesce.marker.FakeProc.BOOT_ID;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store, the epoch and the judge together, the way the drain bean uses them. */
class MarkerRoundTripTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-26T07:50:00.987654321Z"), ZoneOffset.UTC);
    private static final Duration MAX_AGE = Duration.ofHours(1);

    @TempDir
    Path home;

    @TempDir
    Path procRoot;

    private FakeProc proc;
    private DrainMarkerStore store;

    @BeforeEach
    void machine() {
        proc = new FakeProc(procRoot).bootId(BOOT_ID).pid1("s6-svscan", 14);
        store = new DrainMarkerStore(home);
    }

    @Test
    void everyFieldComesBackAtMicrosecondPrecision() {
        MarkerJudge judge = new MarkerJudge(proc.epoch(), MAX_AGE);
        Instant requestedAt = Instant.parse("2026-06-26T07:47:19.123456789Z");
        Instant leaseExpiresAt = Instant.parse("2026-06-26T09:47:19.000001999Z");
        DrainMarker written = new DrainMarker(DrainMarker.ACTION_DRAIN, requestedAt, "nas", judge.currentEpoch(), true,
                "0f6c1d2e-drain", "auto-update to 2.4.1 \u2014 \"quiet\"", leaseExpiresAt);

        store.write(written);
        MarkerJudgement judgement = judge.judge(store.read(), CLOCK.instant());

        assertEquals(MarkerStatus.ACTIVE, judgement.status());
        assertTrue(judgement.suppressesNotification());
        assertEquals(new DrainMarker(DrainMarker.ACTION_DRAIN, Instant.parse("2026-06-26T07:47:19.123456Z"), "nas",
                BOOT_ID + ":14", true, "0f6c1d2e-drain", "auto-update to 2.4.1 \u2014 \"quiet\"",
                Instant.parse("2026-06-26T09:47:19.000001Z")), judgement.marker());
    }

    @Test
    void instantsAlreadyAtMicrosecondsComeBackUnchanged() {
        Instant requestedAt = CLOCK.instant().truncatedTo(ChronoUnit.MICROS);
        DrainMarker written = new DrainMarker("drain", requestedAt, "ops", proc.epoch(), false, "d", "r",
                requestedAt.plus(Duration.ofMinutes(30)));

        store.write(written);

        assertEquals(written, assertInstanceOf(MarkerRead.Present.class, store.read()).marker());
    }

    @Test
    void referenceMarkerOfThisInstantiationIsAQuietDrain() throws IOException {
        MarkerJudge judge = new MarkerJudge(proc.epoch(), MAX_AGE);
        Files.writeString(store.path(), "{\"action\": \"drain\", \"requested_at\": \"2026-06-26T07:47:19.123456+00:00\", "
                + "\"principal\": \"nas\", \"epoch\": \"" + BOOT_ID + ":14\", \"suppress_notification\": true}");

        MarkerJudgement judgement = judge.judge(store.read(), CLOCK.instant());

        assertEquals(MarkerStatus.ACTIVE, judgement.status());
        assertTrue(judgement.suppressesNotification());
        assertEquals("nas", judgement.marker().principal());
    }

    @Test
    void markerLeftOnTheVolumeAcrossAContainerRestartIsIgnoredAndLeftOnDisk() throws IOException {
        store.write(new DrainMarker("drain", CLOCK.instant(), "nas", proc.epoch(), true, "d-1", "", null));
        byte[] onDisk = Files.readAllBytes(store.path());

        proc.pid1("s6-svscan", 31337);
        MarkerJudge restarted = new MarkerJudge(InstantiationEpoch.read(procRoot), MAX_AGE);
        MarkerJudgement judgement = restarted.judge(store.read(), CLOCK.instant());

        assertEquals(MarkerStatus.IGNORED, judgement.status());
        assertEquals(IgnoredReason.EPOCH_MISMATCH, judgement.ignoredReason());
        assertFalse(judgement.suppressesNotification());
        assertTrue(store.exists());
        assertArrayEquals(onDisk, Files.readAllBytes(store.path()));
    }

    @Test
    void cancelledDrainReadsAsAbsent() {
        MarkerJudge judge = new MarkerJudge(proc.epoch(), MAX_AGE);
        store.write(new DrainMarker("drain", CLOCK.instant(), "nas", judge.currentEpoch(), false, "d-1", "", null));

        assertTrue(store.remove());

        assertEquals(MarkerJudgement.ABSENT, judge.judge(store.read(), CLOCK.instant()));
    }

    @Test
    void aHalfWrittenMarkerBesideTheRealOneIsNeverRead() throws IOException {
        MarkerJudge judge = new MarkerJudge(proc.epoch(), MAX_AGE);
        Files.writeString(home.resolve(".drain_request.json.5e1f.tmp"), "{\"action\": \"dra");

        assertEquals(MarkerStatus.ABSENT, judge.judge(store.read(), CLOCK.instant()).status());
        assertEquals(1, store.removeLeftoverTempFiles());
    }

    @Test
    void corruptMarkerDrainsUntilMaxAgeThenUnsticks() throws IOException {
        MarkerJudge judge = new MarkerJudge(proc.epoch(), MAX_AGE);
        Files.writeString(store.path(), "{\"action\": \"drain\", \"requested_at\": \"2026-06-26T07:4");
        Instant writtenAt = Instant.parse("2026-06-26T07:47:19Z");
        Files.setLastModifiedTime(store.path(), FileTime.from(writtenAt));

        assertEquals(MarkerStatus.UNPARSEABLE_ACTIVE, judge.judge(store.read(), writtenAt.plus(MAX_AGE)).status());
        MarkerJudgement later = judge.judge(store.read(), writtenAt.plus(MAX_AGE).plusSeconds(1));
        assertEquals(MarkerStatus.IGNORED, later.status());
        assertEquals(IgnoredReason.EXPIRED, later.ignoredReason());
        assertTrue(store.exists());
    }

    @Test
    void writeAfterAnIgnoredMarkerReplacesIt() {
        store.write(new DrainMarker("drain", CLOCK.instant(), "nas", "another-machine:1", false, "old", "", null));
        MarkerJudge judge = new MarkerJudge(proc.epoch(), MAX_AGE);
        assertEquals(MarkerStatus.IGNORED, judge.judge(store.read(), CLOCK.instant()).status());

        store.write(new DrainMarker("drain", CLOCK.instant(), "ops", judge.currentEpoch(), false, "new", "", null));

        MarkerJudgement judgement = judge.judge(store.read(), CLOCK.instant());
        assertEquals(MarkerStatus.ACTIVE, judgement.status());
        assertEquals("new", judgement.marker().drainId());
    }
}
