package dev.quiesce.pipeline;

import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.CancelDrainRequest;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.InFlightTurn;
import dev.quiesce.api.v1.Phase;
import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.TurnResult;
import dev.quiesce.pipeline.TurnInfo;
import dev.quiesce.testing.GatewayClient;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import dev.quiesce.testing.TurnRecorder;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

import static dev.quiesce.testing.GatewayClient.internalMessage;
import static dev.quiesce.testing.GatewayClient.message;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The accept gate under load: clients send as fast as they can over gRPC while drains are begun
 * and cancelled 100 times each, and no user turn may start inside a drain.
 *
 * <p>Why this fails if the gate check and the in-flight registration were two steps: a turn could
 * pass the check while RUNNING, BeginDrain could then close the gate and reply (its reply lists the
 * turns in flight at that moment, without this one), and the turn would register afterwards, inside
 * the drain. The {@link TurnRecorder} sees every admitted turn in some published snapshot, so such a
 * turn appears in a DRAINING snapshot of a drain whose BeginDrain reply did not list it (unless the
 * drain ended first), and a version taken at registration lies inside that drain's version interval.
 * With the echo handler at 0 delay a turn lasts microseconds, so the clients hit the gate thousands
 * of times around the 200 transitions. Checked by hand: splitting {@code DrainStateBean.tryAdmit}
 * into a locked check and a locked registration (with a {@code Thread.yield()} between them) fails
 * this test, through either assertion.
 */
@QuarkusTest
@WithTestResource(TestHome.class)
class AdmissionRaceTest {

    private static final int USER_CLIENTS = 3;
    /** Begin/cancel pairs: 200 transitions of the gate. */
    private static final int DRAINS = 100;

    @GrpcClient("gateway")
    Channel channel;

    @Inject
    TurnRecorder recorder;

    @Inject
    MessagePipeline pipeline;

    /** One drain as its BeginDrain and CancelDrain replies saw it: user turns admitted under [begun, cancelled) broke the gate. */
    record DrainInterval(long begun, long cancelled, String drainId, Set<String> userTurnsAtBegin) {
        boolean contains(long version) {
            return version >= begun && version < cancelled;
        }
    }

    @Test
    void noUserTurnStartsInsideADrainWhileDrainsToggleUnderLoad() throws Exception {
        GatewayClient gateway = new GatewayClient(channel);
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch allSending = new CountDownLatch(USER_CLIENTS + 1);
        Map<TurnOutcome, Integer> userOutcomes = new ConcurrentHashMap<>();
        Map<TurnOutcome, Integer> internalOutcomes = new ConcurrentHashMap<>();
        Set<String> completedUserTurns = ConcurrentHashMap.newKeySet();
        ExecutorService threads = Executors.newFixedThreadPool(USER_CLIENTS + 2);
        recorder.start();
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int i = 0; i < USER_CLIENTS; i++) {
                String session = GatewayClient.session("race-user");
                clients.add(threads.submit(() -> {
                    while (!done.get()) {
                        TurnResult result = gateway.handle(TestTokens.INGESTER, message(session, "hi"));
                        userOutcomes.merge(result.getOutcome(), 1, Integer::sum);
                        if (result.getOutcome() == TurnOutcome.TURN_OUTCOME_COMPLETED) {
                            completedUserTurns.add(result.getTurnId());
                        }
                        allSending.countDown();
                    }
                    return null;
                }));
            }
            String internalSession = GatewayClient.session("race-internal");
            clients.add(threads.submit(() -> {
                while (!done.get()) {
                    TurnResult result = gateway.handle(TestTokens.OPERATOR, internalMessage(internalSession, "tick"));
                    internalOutcomes.merge(result.getOutcome(), 1, Integer::sum);
                    allSending.countDown();
                }
                return null;
            }));

            Future<List<DrainInterval>> toggler = threads.submit(() -> {
                assertThat(allSending.await(10, TimeUnit.SECONDS)).isTrue();
                List<DrainInterval> drains = new ArrayList<>();
                try {
                    for (int i = 0; i < DRAINS; i++) {
                        DrainState begun = gateway.control().beginDrain(BeginDrainRequest.getDefaultInstance());
                        DrainState cancelled = gateway.control().cancelDrain(CancelDrainRequest.getDefaultInstance());
                        drains.add(new DrainInterval(begun.getVersion(), cancelled.getVersion(),
                                begun.getDrain().getDrainId(), begun.getInFlightTurnsList().stream()
                                        .filter(t -> !t.getInternal()).map(InFlightTurn::getTurnId)
                                        .collect(Collectors.toSet())));
                    }
                } finally {
                    done.set(true);
                }
                return drains;
            });

            List<DrainInterval> drains = toggler.get(60, TimeUnit.SECONDS);
            for (Future<?> client : clients) {
                client.get(10, TimeUnit.SECONDS);
            }
            recorder.stop();

            // The run really raced: turns were both admitted and refused by drains, and never BUSY
            // (each client's next message goes out only after its previous turn released its slot).
            assertThat(userOutcomes.keySet()).containsExactlyInAnyOrder(TurnOutcome.TURN_OUTCOME_COMPLETED,
                    TurnOutcome.TURN_OUTCOME_REFUSED_DRAINING);
            assertThat(internalOutcomes.keySet()).containsExactly(TurnOutcome.TURN_OUTCOME_COMPLETED);
            assertThat(drains).hasSize(DRAINS).allSatisfy(d -> assertThat(d.cancelled()).isGreaterThan(d.begun()));

            Map<String, TurnInfo> seen = recorder.turns();
            List<TurnInfo> userTurns = seen.values().stream().filter(t -> !t.internal()).toList();
            // The recorder saw exactly the user turns the clients got answers for: nothing escaped it.
            assertThat(userTurns).extracting(TurnInfo::turnId).containsExactlyInAnyOrderElementsOf(completedUserTurns);

            assertThat(userTurns).as("user turns admitted under a draining version")
                    .filteredOn(t -> drains.stream().anyMatch(d -> d.contains(t.admittedVersion())))
                    .isEmpty();
            Map<String, Set<String>> userTurnsInDrains = recorder.userTurnsByDrain();
            assertThat(drains).as("drains during which a user turn ran that BeginDrain's reply did not list")
                    .allSatisfy(d -> assertThat(userTurnsInDrains.getOrDefault(d.drainId(), Set.of()))
                            .isSubsetOf(d.userTurnsAtBegin()));
            assertThat(seen.values()).as("internal turns admitted inside drains")
                    .anyMatch(t -> t.internal() && drains.stream().anyMatch(d -> d.contains(t.admittedVersion())));

            DrainState end = gateway.state();
            assertThat(end.getPhase()).isEqualTo(Phase.PHASE_RUNNING);
            assertThat(end.getInFlight()).isZero();
            assertThat(pipeline.runningCount()).isZero();
        } finally {
            done.set(true);
            recorder.stop();
            threads.shutdownNow();
            gateway.control().cancelDrain(CancelDrainRequest.getDefaultInstance());
        }
    }
}
