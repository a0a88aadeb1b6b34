package dev.quiesce.home;

import dev.quiesce.testing.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OncePerIntervalTest {

    private final SettableClock clock = new SettableClock(Instant.parse("2026-05-01T10:00:00Z"));
    private final OncePerInterval<String> limiter = OncePerInterval.every(Duration.ofMinutes(1), clock);

    @Test
    void theFirstOfACauseIsLetThroughAndTheRestOfItsIntervalHeldBack() {
        assertThat(limiter.admit("bad frame")).hasValue(0);
        for (int i = 0; i < 49; i++) {
            assertThat(limiter.admit("bad frame")).isEmpty();
        }
        clock.advance(Duration.ofSeconds(59));
        assertThat(limiter.admit("bad frame")).isEmpty();

        clock.advance(Duration.ofSeconds(1));

        assertThat(limiter.admit("bad frame")).as("a new interval, with the count of the one before").hasValue(50);
        assertThat(limiter.admit("bad frame")).isEmpty();
    }

    @Test
    void eachCauseHasItsOwnInterval() {
        assertThat(limiter.admit("bad frame")).hasValue(0);
        assertThat(limiter.admit("unknown token")).hasValue(0);
        assertThat(limiter.admit("bad frame")).isEmpty();
        assertThat(limiter.admit("unknown token")).isEmpty();
    }

    @Test
    void whatWasHeldBackCanBeTakenForASummaryOnce() {
        limiter.admit("bad frame");
        limiter.admit("bad frame");
        limiter.admit("bad frame");
        limiter.admit("unknown token");

        assertThat(limiter.drainHeldBack()).isEqualTo(Map.of("bad frame", 2L));
        assertThat(limiter.drainHeldBack()).isEmpty();
        assertThat(limiter.admit("bad frame")).as("the interval runs on").isEmpty();
        clock.advance(Duration.ofMinutes(1));
        assertThat(limiter.admit("bad frame")).as("only what came after the summary").hasValue(1);
    }

    @Test
    void theNoteOfALineSaysWhatItStandsFor() {
        assertThat(limiter.heldBackNote(0)).isEqualTo("more like it within 1 min are counted, not logged");
        assertThat(limiter.heldBackNote(37)).isEqualTo("37 more like it since the last such line were not logged");
    }

    @Test
    void ofManyThreadsReportingOneCauseAtOnceExactlyOneIsLetThrough() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<OptionalLong>> verdicts = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                verdicts.add(pool.submit(() -> {
                    start.await();
                    return limiter.admit("bad frame");
                }));
            }
            start.countDown();
            int admitted = 0;
            for (Future<OptionalLong> verdict : verdicts) {
                admitted += verdict.get(10, TimeUnit.SECONDS).isPresent() ? 1 : 0;
            }

            assertThat(admitted).isEqualTo(1);
            assertThat(limiter.drainHeldBack()).isEqualTo(Map.of("bad frame", 399L));
        } finally {
            pool.shutdownNow();
        }
    }
}
