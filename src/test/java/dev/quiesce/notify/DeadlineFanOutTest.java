package dev.quiesce.notify;

import dev.quiesce.notify.Notification.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The concurrent, deadline-bounded sending of a batch of notifications. */
class DeadlineFanOutTest {

    private final Clock clock = Clock.systemUTC();
    /** Released when the test ends, for sinks that block. */
    private final CountDownLatch testOver = new CountDownLatch(1);

    @AfterEach
    void releaseBlockedSinks() {
        testOver.countDown();
    }

    private static List<Notification> pings(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> new Notification(Kind.SESSION_INTERRUPTED, "C-" + i, "s-" + i, "hint"))
                .toList();
    }

    private Instant inSeconds(long seconds) {
        return clock.instant().plusSeconds(seconds);
    }

    @Test
    void anEmptyBatchSendsNothing() {
        NotificationSink mustNotBeCalled = (notification, deadline) -> {
            throw new AssertionError("called");
        };

        assertThat(new DeadlineFanOut(mustNotBeCalled, clock).sendAll(List.of(), inSeconds(10))).isEmpty();
    }

    @Test
    void resultsComeBackInTheOrderOfTheBatch() {
        NotificationSink evenOnly =
                (notification, deadline) -> Integer.parseInt(notification.sessionId().substring(2)) % 2 == 0;

        List<Boolean> delivered = delivered(new DeadlineFanOut(evenOnly, clock).sendAll(pings(5), inSeconds(10)));

        assertThat(delivered).containsExactly(true, false, true, false, true);
    }

    @Test
    void upToSixteenSendsAreInFlightAtOnceAndNeverMore() {
        int batch = 3 * DeadlineFanOut.MAX_CONCURRENT_SENDS;
        // The first sixteen each wait until all sixteen are in flight together: with fewer at once,
        // none would deliver. The threads used show there were never more than sixteen.
        CountDownLatch sixteenInFlight = new CountDownLatch(DeadlineFanOut.MAX_CONCURRENT_SENDS);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        NotificationSink waitsForTheOthers = (notification, deadline) -> {
            threads.add(Thread.currentThread().getName());
            sixteenInFlight.countDown();
            try {
                return sixteenInFlight.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return false;
            }
        };

        List<Boolean> delivered =
                delivered(new DeadlineFanOut(waitsForTheOthers, clock).sendAll(pings(batch), inSeconds(30)));

        assertThat(delivered).hasSize(batch).containsOnly(true);
        assertThat(threads).hasSize(DeadlineFanOut.MAX_CONCURRENT_SENDS)
                .allMatch(name -> name.startsWith("quiesce-notify-"));
    }

    @Test
    void aSendUnfinishedByTheDeadlineAndGraceCountsAsFailedAndIsInterrupted() throws InterruptedException {
        CountDownLatch interrupted = new CountDownLatch(1);
        NotificationSink stuckOnOne = (notification, deadline) -> {
            if (!notification.channel().equals("C-1")) {
                return true;
            }
            try {
                testOver.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return true;
        };
        Instant deadline = clock.instant().plusMillis(300);

        List<Delivery> deliveries = new DeadlineFanOut(stuckOnOne, clock).sendAll(pings(3), deadline);
        List<Boolean> delivered = delivered(deliveries);
        Instant returned = clock.instant();

        assertThat(delivered).containsExactly(true, false, true);
        assertThat(deliveries.get(1)).isEqualTo(Delivery.stoppedByDeadline("the sink had not finished"));
        assertThat(returned).isAfterOrEqualTo(deadline.plus(DeadlineFanOut.COLLECT_GRACE))
                .isBefore(deadline.plus(DeadlineFanOut.COLLECT_GRACE).plusSeconds(2));
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aDeadlineAlreadyPastStillHandsEachNotificationToTheSinkWhichGivesUp() {
        Instant passed = clock.instant().minusSeconds(5);
        List<Instant> deadlinesSeen = new CopyOnWriteArrayList<>();
        NotificationSink honest = (notification, deadline) -> {
            deadlinesSeen.add(deadline);
            return clock.instant().isBefore(deadline);
        };
        long start = System.nanoTime();

        List<Boolean> delivered = delivered(new DeadlineFanOut(honest, clock).sendAll(pings(2), passed));

        assertThat(delivered).containsExactly(false, false);
        assertThat(deadlinesSeen).containsExactly(passed, passed);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void aSinkThatThrowsCountsAsNotDeliveredAndTheOthersAreUntouched() {
        NotificationSink brokenOnOne = (notification, deadline) -> {
            if (notification.channel().equals("C-0")) {
                throw new IllegalStateException("sink bug");
            }
            return true;
        };

        List<Delivery> deliveries = new DeadlineFanOut(brokenOnOne, clock).sendAll(pings(2), inSeconds(10));
        List<Boolean> delivered = delivered(deliveries);

        assertThat(delivered).containsExactly(false, true);
        assertThat(deliveries.get(0).byDeadline()).as("the sink's bug, not the deadline").isFalse();
    }

    @Test
    void theSendersAreDaemonThreadsSoAnOverstayingSinkCannotHoldUpTheExit() {
        Set<Boolean> daemon = ConcurrentHashMap.newKeySet();
        NotificationSink records = (notification, deadline) -> {
            daemon.add(Thread.currentThread().isDaemon());
            return true;
        };

        new DeadlineFanOut(records, clock).sendAll(pings(3), inSeconds(10));

        assertThat(daemon).containsExactly(true);
    }

    @Test
    void senderThreadNamesAreNotReusedByALaterBatch() {
        Set<String> first = ConcurrentHashMap.newKeySet();
        Set<String> second = ConcurrentHashMap.newKeySet();

        new DeadlineFanOut(recordingThreadsIn(first), clock).sendAll(pings(3), inSeconds(10));
        new DeadlineFanOut(recordingThreadsIn(second), clock).sendAll(pings(3), inSeconds(10));

        assertThat(first).isNotEmpty().doesNotContainAnyElementsOf(second);
    }

    private static List<Boolean> delivered(List<Delivery> deliveries) {
        return deliveries.stream().map(Delivery::delivered).toList();
    }

    private static NotificationSink recordingThreadsIn(Set<String> names) {
        return (notification, deadline) -> {
            names.add(Thread.currentThread().getName());
            return true;
        };
    }
}
