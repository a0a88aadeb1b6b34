package dev.quiesce.lifecycle;

import static dev.quiesce.testing.GrpcAuth.as;

import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.api.v1.MessageGatewayGrpc;
import dev.quiesce.api.v1.TurnResult;
import dev.quiesce.testing.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The inbox crash test's client during one life of the gateway: one thread per group of sessions,
 * each sending that group's messages one at a time (so a session's messages are deferred in the order
 * they were sent) with a channel and a message id, until the gateway is killed or a budget of messages
 * is spent. A call that fails
 * after the kill leaves its message in doubt; any other failure, and any outcome but DEFERRED and
 * COMPLETED (with the echo of the text), is a problem. Thread-safe.
 */
final class InboxSenders {

    private final List<Thread> threads = new ArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();

    /**
     * Starts the threads; sessions are dealt to them the same way in every life.
     *
     * @param budget how many messages they send in all (then they end), at most
     * @param seed this life's: the threads' choices of session and their texts follow from it
     * @param killed set before the gateway is killed: a failed call after it is in doubt, not a problem
     */
    InboxSenders(ManagedChannel channel, List<String> sessions, int threadCount, int budget, InboxLedger ledger,
            int life, long seed, AtomicBoolean killed) {
        AtomicInteger left = new AtomicInteger(budget);
        MessageGatewayGrpc.MessageGatewayBlockingStub gateway =
                as(MessageGatewayGrpc.newBlockingStub(channel), TestTokens.INGESTER);
        for (int t = 0; t < threadCount; t++) {
            List<String> own = new ArrayList<>();
            for (int s = t; s < sessions.size(); s += threadCount) {
                own.add(sessions.get(s));
            }
            Random random = new Random(seed * 31 + t);
            Thread thread = new Thread(() -> send(gateway, own, random, left, ledger, life, killed),
                    "inbox-sender-" + t);
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
    }

    private void send(MessageGatewayGrpc.MessageGatewayBlockingStub gateway, List<String> sessions, Random random,
            AtomicInteger left, InboxLedger ledger, int life, AtomicBoolean killed) {
        while (left.getAndDecrement() > 0) {
            String session = sessions.get(random.nextInt(sessions.size()));
            InboxLedger.Sent message = ledger.next(session, life, "note " + Long.toHexString(random.nextLong())
                    + " in " + session);
            TurnResult result;
            try {
                result = gateway.withDeadlineAfter(10, TimeUnit.SECONDS).handleMessage(InboundMessage.newBuilder()
                        .setSessionId(session).setChannel(message.channel()).setMessageId(message.messageId)
                        .setText(message.text).build());
            } catch (StatusRuntimeException e) {
                ledger.inDoubt(message);
                if (!killed.get()) {
                    problems.add(message + " failed before any kill: " + e.getStatus());
                }
                return;
            }
            String problem = switch (result.getOutcome()) {
                case TURN_OUTCOME_DEFERRED -> ledger.deferred(message, result.getDeferredId());
                case TURN_OUTCOME_COMPLETED -> {
                    ledger.completed(message);
                    yield result.getReply().equals(message.text) ? null : message + " completed with another text";
                }
                default -> message + " was answered " + result.getOutcome();
            };
            if (problem != null) {
                problems.add(problem);
                return;
            }
        }
    }

    /** Waits for every thread to end (they end at the kill, or when the budget is spent). @return the problems they saw */
    List<String> join() throws InterruptedException {
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            if (thread.isAlive()) {
                problems.add(thread.getName() + " did not end within 30 s of the kill");
            }
        }
        return List.copyOf(problems);
    }
}
