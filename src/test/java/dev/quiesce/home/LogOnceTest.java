package dev.quiesce.home;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogOnceTest {

    private final LogOnce<String> tracker = LogOnce.tracker();

    @Test
    void aCauseIsNewOnceUntilAnotherCauseOrItsEnd() {
        assertThat(tracker.isNew("disk full")).isTrue();
        assertThat(tracker.isNew("disk full")).isFalse();
        assertThat(tracker.isNew("read-only")).isTrue();
        assertThat(tracker.current()).isEqualTo("read-only");
        assertThat(tracker.clear()).as("a condition was in force").isTrue();
        assertThat(tracker.clear()).isFalse();
        assertThat(tracker.current()).isNull();
        assertThat(tracker.isNew("read-only")).as("it came back").isTrue();
    }

    @Test
    void ofManyThreadsReportingTheSameNewCauseExactlyOneIsToldToLogIt() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> answers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            answers.add(pool.submit(() -> {
                go.await();
                return tracker.isNew("same");
            }));
        }
        go.countDown();
        int told = 0;
        for (Future<Boolean> answer : answers) {
            told += answer.get(5, TimeUnit.SECONDS) ? 1 : 0;
        }
        pool.shutdownNow();
        assertThat(told).isEqualTo(1);
    }
}
