package dev.quiesce.inbox;

import static dev.quiesce.inbox.Chats.chat;
import static dev.quiesce.inbox.Chats.listed;
import static dev.quiesce.testing.GatewayClient.session;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.TurnResult;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.pipeline.MessagePipeline;
import dev.quiesce.testing.GatewayClient;
import dev.quiesce.testing.LogRecorder;
import dev.quiesce.testing.Metrics;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.UnwritableDirs;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The inbox failing while the gateway runs (SPEC §9 Truthful receipt, Store): a save that cannot be
 * written is refused as before, nothing is stored and nothing claims it was; the inbox says it is
 * unavailable, refuses what follows, and takes messages again a tick after the disk does. The store
 * is made to fail for real: {@code chattr +i} on the live {@code inbox.db-wal} (writes through the open
 * connection then get SQLITE_IOERR_WRITE).
 */
@QuarkusTest
@WithTestResource(TestHome.class)
class InboxFaultsTest {

    @GrpcClient("gateway")
    Channel channel;

    @Inject
    DrainStateBean state;

    @Inject
    QuiesceHome home;

    private InboxDriver inbox;
    private GatewayClient gateway;

    @BeforeEach
    void draining() {
        inbox = new InboxDriver(channel, state, home);
        gateway = inbox.gateway();
        await().until(() -> state.current().inbox().error().isEmpty());
        inbox.drain();
    }

    @AfterEach
    void running() {
        inbox.runUntilEmpty();
    }

    private TurnResult send(dev.quiesce.api.v1.InboundMessage message) {
        return inbox.send(message);
    }

    private Path wal() {
        Path wal = home.resolveFile("inbox.db-wal");
        assertThat(wal).as("the open inbox's journal").exists();
        return wal;
    }

    @Test
    void aSaveThatCannotBeWrittenIsRefusedAsBeforeNothingIsStoredAndTheInboxRecoversOnceItCanBe() {
        String lost = session("not-written");
        String next = session("while-unavailable");
        double storeFailed = Metrics.value("quiesce_inbox_refused_total", "reason", "store_failed");
        double unavailable = Metrics.value("quiesce_inbox_refused_total", "reason", "unavailable");

        try (LogRecorder log = LogRecorder.expecting(InboxFile.class);
                UnwritableDirs.Frozen frozen = UnwritableDirs.immutable(wal())) {
            TurnResult refused = send(chat(lost, "did you get this?"));

            assertThat(refused.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_REFUSED_DRAINING);
            assertThat(refused.getReply()).as("the old refusal, with its text")
                    .isEqualTo(MessagePipeline.DRAINING_REPLY);
            assertThat(refused.getDeferredId()).isEmpty();
            // The write failed (SQLITE_IOERR); a poll tick's reopen may already have failed too, on the file it
            // finds read-only (SQLITE_READONLY), and said so instead: either names the file and the cause.
            String cannotBeUsed = "the inbox " + home.resolveFile("inbox.db") + " cannot be used: ";
            assertThat(gateway.state().getInbox().getError()).startsWith(cannotBeUsed)
                    .containsAnyOf("SQLITE_IOERR", "SQLITE_READONLY");
            JsonPath ready = given().get("/q/health/ready").then().extract().jsonPath();
            assertThat(ready.getString("checks.find { it.name == 'quiesce-drain' }.data.inbox_error"))
                    .startsWith(cannotBeUsed).containsAnyOf("SQLITE_IOERR", "SQLITE_READONLY");
            assertThat(Metrics.value("quiesce_inbox_unavailable")).isEqualTo(1);
            assertThat(Metrics.value("quiesce_inbox_refused_total", "reason", "store_failed"))
                    .isEqualTo(storeFailed + 1);

            TurnResult meanwhile = send(chat(next, "and this?"));
            assertThat(meanwhile.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_REFUSED_DRAINING);
            assertThat(meanwhile.getReply()).isEqualTo(MessagePipeline.DRAINING_REPLY);
            assertThat(Metrics.value("quiesce_inbox_refused_total", "reason", "unavailable"))
                    .isEqualTo(unavailable + 1);
            assertThat(log.messages(Level.SEVERE)).as("logged once per cause, not per message or tick")
                    .isNotEmpty().doesNotHaveDuplicates().allSatisfy(line -> assertThat(line).contains("inbox.db"));
        }

        await().until(() -> state.current().inbox().error().isEmpty());
        assertThat(Metrics.value("quiesce_inbox_unavailable")).isZero();
        assertThat(listed(channel, lost)).as("nothing stored").isEmpty();
        assertThat(listed(channel, next)).isEmpty();
        TurnResult after = send(chat(session("recovered"), "back?"));
        assertThat(after.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_DEFERRED);
    }

    @Test
    void aCorruptFileFoundOnARetryIsMovedAsideAndAFreshInboxTakesOver() throws IOException {
        Path db = home.resolveFile("inbox.db");
        try (LogRecorder log = LogRecorder.expecting(InboxFile.class)) {
            try (UnwritableDirs.Frozen frozen = UnwritableDirs.immutable(wal())) {
                send(chat(session("breaks-it"), "first"));
                assertThat(state.current().inbox().error()).isNotEmpty();
                // While the inbox is closed: the file is overwritten, as a bad disk or a stray copy would.
                Files.writeString(db, "not a database any more, just text where the pages were");
            }

            await().until(() -> state.current().inbox().error().isEmpty());
            assertThat(log.messages(Level.WARNING)).anySatisfy(line -> assertThat(line).contains("moved aside"));
        }
        try (Stream<Path> files = Files.list(home.path())) {
            List<Path> aside = files.filter(f -> f.getFileName().toString().startsWith("inbox.db.corrupt-")
                    && !f.getFileName().toString().endsWith("-wal") && !f.getFileName().toString().endsWith("-shm"))
                    .toList();
            assertThat(aside).anySatisfy(f -> assertThat(f).content().startsWith("not a database any more"));
        }
        String s = session("fresh");
        TurnResult saved = send(chat(s, "hello again"));
        assertThat(saved.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_DEFERRED);
        assertThat(listed(channel, s)).extracting(dev.quiesce.api.v1.InboxEntry::getDeferredId)
                .containsExactly(saved.getDeferredId());
    }
}
