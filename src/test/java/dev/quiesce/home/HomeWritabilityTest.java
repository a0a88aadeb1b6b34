package dev.quiesce.home;

import dev.quiesce.testing.LogRecorder;
import dev.quiesce.testing.UnwritableDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The probe that tells whether the home still takes a marker, against a real directory made unwritable. */
class HomeWritabilityTest {

    @TempDir
    Path home;

    private final AtomicLong nanos = new AtomicLong();

    private HomeWritability probingEveryTime() {
        return new HomeWritability(home, Duration.ZERO, nanos::get);
    }

    @Test
    void aWritableHomeIsWritableAndTheProbeLeavesNothingBehind() throws Exception {
        HomeWritability.Status status = probingEveryTime().check();

        assertThat(status).isEqualTo(new HomeWritability.Status(true, ""));
        try (var entries = Files.list(home)) {
            assertThat(entries).isEmpty();
        }
    }

    @Test
    void aHomeThatTakesNoNewFileIsReportedUnwritableWithTheCause() {
        HomeWritability writability = probingEveryTime();

        HomeWritability.Status status;
        try (UnwritableDirs.Frozen frozen = UnwritableDirs.freeze(home);
                LogRecorder log = LogRecorder.expecting(HomeWritability.class)) {
            status = writability.check();
        }

        assertThat(status.writable()).isFalse();
        assertThat(status.cause()).contains(home.resolve(HomeWritability.PROBE_NAME).toString());
    }

    @Test
    void theConditionIsLoggedOnceWhileItLastsAndOnceWhenItEnds() {
        HomeWritability writability = probingEveryTime();

        try (LogRecorder log = LogRecorder.expecting(HomeWritability.class)) {
            try (UnwritableDirs.Frozen frozen = UnwritableDirs.freeze(home)) {
                for (int probe = 0; probe < 3; probe++) {
                    assertThat(writability.check().writable()).isFalse();
                }
            }
            assertThat(writability.check().writable()).isTrue();
            assertThat(writability.check().writable()).isTrue();

            assertThat(log.all()).hasSize(2);
            assertThat(log.messages(Level.WARNING)).singleElement().asString()
                    .contains(home.toString(), "not writable", "no drain can be begun or cancelled");
            assertThat(log.all().get(1)).contains("writable again");
        }
    }

    @Test
    void probesCloserTogetherThanTheIntervalShareTheLastAnswer() {
        HomeWritability writability = new HomeWritability(home, Duration.ofSeconds(1), nanos::get);
        assertThat(writability.check().writable()).isTrue();

        try (UnwritableDirs.Frozen frozen = UnwritableDirs.freeze(home);
                LogRecorder log = LogRecorder.expecting(HomeWritability.class)) {
            nanos.addAndGet(Duration.ofMillis(999).toNanos());
            assertThat(writability.check().writable()).as("within the interval: not probed again").isTrue();

            nanos.addAndGet(Duration.ofMillis(1).toNanos());
            assertThat(writability.check().writable()).as("a second on: probed").isFalse();
        }
    }
}
