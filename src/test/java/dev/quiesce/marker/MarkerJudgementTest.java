package dev.quiesce.marker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MarkerJudgementTest {

    private static final DrainMarker QUIET =
            new DrainMarker("drain", Instant.parse("2026-06-26T07:47:19Z"), "nas", "boot:14", true, "d-1", "", null);
    private static final DrainMarker LOUD =
            new DrainMarker("drain", Instant.parse("2026-06-26T07:47:19Z"), "nas", "boot:14", false, "d-1", "", null);

    private static final Set<MarkerStatus> DRAINING = EnumSet.of(MarkerStatus.ACTIVE, MarkerStatus.UNPARSEABLE_ACTIVE);

    @ParameterizedTest
    @EnumSource(MarkerStatus.class)
    void onlyActiveAndUnparseableActiveDrain(MarkerStatus status) {
        assertEquals(DRAINING.contains(status), judgement(status, QUIET).isActive());
    }

    @ParameterizedTest
    @EnumSource(MarkerStatus.class)
    void onlyAnActiveMarkerAskingForQuietSuppresses(MarkerStatus status) {
        assertEquals(status == MarkerStatus.ACTIVE, judgement(status, QUIET).suppressesNotification());
        assertFalse(judgement(status, LOUD).suppressesNotification());
        assertFalse(judgement(status, null).suppressesNotification());
    }

    @Test
    void absentIsNotActiveAndCarriesNothing() {
        assertEquals(MarkerStatus.ABSENT, MarkerJudgement.ABSENT.status());
        assertEquals(IgnoredReason.NONE, MarkerJudgement.ABSENT.ignoredReason());
        assertNull(MarkerJudgement.ABSENT.marker());
        assertEquals("", MarkerJudgement.ABSENT.detail());
        assertFalse(MarkerJudgement.ABSENT.isActive());
    }

    @Test
    void nullDetailBecomesEmpty() {
        assertEquals("", new MarkerJudgement(MarkerStatus.ACTIVE, IgnoredReason.NONE, LOUD, null).detail());
    }

    @Test
    void statusAndReasonAreRequired() {
        assertThrows(NullPointerException.class, () -> new MarkerJudgement(null, IgnoredReason.NONE, null, ""));
        assertThrows(NullPointerException.class, () -> new MarkerJudgement(MarkerStatus.ACTIVE, null, null, ""));
    }

    @Test
    void ignoredQuietMarkerIsNeitherActiveNorSuppressing() {
        MarkerJudgement ignored = new MarkerJudgement(MarkerStatus.IGNORED, IgnoredReason.EPOCH_MISMATCH, QUIET, "stale");

        assertFalse(ignored.isActive());
        assertFalse(ignored.suppressesNotification());
        assertTrue(ignored.marker().suppressNotification());
    }

    private static MarkerJudgement judgement(MarkerStatus status, DrainMarker marker) {
        IgnoredReason reason = status == MarkerStatus.IGNORED ? IgnoredReason.EXPIRED : IgnoredReason.NONE;
        return new MarkerJudgement(status, reason, marker, "");
    }
}
