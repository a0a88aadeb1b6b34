package dev.quiesce.bench;

import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.TurnResult;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Full ingress load for the admission benchmark: {@code threads} client threads, each with its own
 * session, sending {@code HandleMessage} with a blocking stub as fast as the answers come back
 * (round-robin over the given channels). Every call's send and answer times ({@link System#nanoTime()}
 * just before the call and just after the reply) and outcome are kept, so a later analysis can ask which outcome a call sent
 * inside a time window got. Thread-safe: each thread writes only its own log until
 * {@link #stop()} joins them.
 */
final class IngressLoad implements AutoCloseable {

    /** Outcome code of a call that failed with a gRPC error. */
    static final int ERROR = -1;

    /** Every call, ordered by send time. */
    record Calls(long[] sentNanos, long[] answeredNanos, int[] outcomes) {
        int size() {
            return sentNanos.length;
        }

        /** Index of the first call sent strictly after {@code nanos}. */
        int firstAfter(long nanos) {
            int lo = 0;
            int hi = sentNanos.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (sentNanos[mid] <= nanos) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        /** Calls sent strictly inside (from, to), counted by outcome: [all, completed, refused draining, other]. */
        long[] countInside(long from, long to) {
            return count(from, to, Long.MAX_VALUE);
        }

        /** Like {@link #countInside}, but only calls also answered before {@code answeredBefore}. */
        long[] count(long from, long to, long answeredBefore) {
            long[] counts = new long[4];
            for (int i = firstAfter(from); i < sentNanos.length && sentNanos[i] < to; i++) {
                if (answeredNanos[i] >= answeredBefore) {
                    continue;
                }
                counts[0]++;
                if (outcomes[i] == TurnOutcome.TURN_OUTCOME_COMPLETED_VALUE) {
                    counts[1]++;
                } else if (outcomes[i] == TurnOutcome.TURN_OUTCOME_REFUSED_DRAINING_VALUE) {
                    counts[2]++;
                } else {
                    counts[3]++;
                }
            }
            return counts;
        }
    }

    private final List<Thread> threads = new ArrayList<>();
    private final List<Log> logs = new ArrayList<>();
    private volatile boolean stopping;

    IngressLoad(List<GatewayChannel> channels, int threadCount, String sessionPrefix) {
        for (int i = 0; i < threadCount; i++) {
            GatewayChannel channel = channels.get(i % channels.size());
            InboundMessage message = InboundMessage.newBuilder()
                    .setSessionId(sessionPrefix + "-" + i)
                    .setChannel("bench:ingress")
                    .setText("a user message sent while drains are toggled")
                    .build();
            Log log = new Log();
            logs.add(log);
            Thread thread = new Thread(() -> {
                while (!stopping) {
                    long sent = System.nanoTime();
                    int outcome;
                    try {
                        TurnResult result = channel.gateway().withDeadlineAfter(10, TimeUnit.SECONDS)
                                .handleMessage(message);
                        outcome = result.getOutcomeValue();
                    } catch (StatusRuntimeException e) {
                        outcome = ERROR;
                    }
                    log.add(sent, System.nanoTime(), outcome);
                }
            }, "bench-ingress-" + i);
            thread.setDaemon(true);
            threads.add(thread);
        }
    }

    void start() {
        threads.forEach(Thread::start);
    }

    /** Stops the threads and returns every call they made, ordered by send time. */
    Calls stop() throws InterruptedException {
        stopping = true;
        for (Thread thread : threads) {
            thread.join(15_000);
        }
        int total = logs.stream().mapToInt(l -> l.count).sum();
        long[][] pairs = new long[total][];
        int n = 0;
        for (Log log : logs) {
            for (int i = 0; i < log.count; i++) {
                pairs[n++] = new long[] {log.sent[i], log.answered[i], log.outcome[i]};
            }
        }
        Arrays.sort(pairs, (a, b) -> Long.compare(a[0], b[0]));
        long[] sent = new long[total];
        long[] answered = new long[total];
        int[] outcomes = new int[total];
        for (int i = 0; i < total; i++) {
            sent[i] = pairs[i][0];
            answered[i] = pairs[i][1];
            outcomes[i] = (int) pairs[i][2];
        }
        return new Calls(sent, answered, outcomes);
    }

    @Override
    public void close() throws InterruptedException {
        if (!stopping) {
            stop();
        }
    }

    /** One thread's calls. */
    private static final class Log {
        long[] sent = new long[1 << 16];
        long[] answered = new long[1 << 16];
        int[] outcome = new int[1 << 16];
        int count;

        void add(long sentNanos, long answeredNanos, int outcomeCode) {
            if (count == sent.length) {
                sent = Arrays.copyOf(sent, count * 2);
                answered = Arrays.copyOf(answered, count * 2);
                outcome = Arrays.copyOf(outcome, count * 2);
            }
            sent[count] = sentNanos;
            answered[count] = answeredNanos;
            outcome[count] = outcomeCode;
            count++;
        }
    }
}
