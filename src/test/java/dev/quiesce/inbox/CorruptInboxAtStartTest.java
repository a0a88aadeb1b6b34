package dev.quiesce.inbox;

import static dev.quiesce.inbox.Chats.chat;
import static dev.quiesce.testing.GatewayClient.session;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.TurnResult;
import dev.quiesce.drain.BeginDrainCommand;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.testing.GatewayClient;
import dev.quiesce.testing.LogRecorder;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A corrupt inbox.db at start is moved aside and replaced (SPEC §9 Store): the gateway starts and keeps messages. */
@QuarkusTest
@TestProfile(CorruptInboxAtStartTest.Profile.class)
class CorruptInboxAtStartTest {

    static final String GARBAGE = "SQLite format 3 is what this is not: a text file where the inbox was";

    /** A home whose inbox.db is not a database. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Home.class));
        }
    }

    public static class Home extends TestHome {
        @Override
        protected void prepare(Path home) throws IOException {
            Files.writeString(home.resolve("inbox.db"), GARBAGE);
            log = LogRecorder.expecting(InboxFile.class);
        }

        /** Opened before the application starts: the warning it logs at start is expected, and asserted. */
        static volatile LogRecorder log;

        @Override
        public void stop() {
            if (log != null) {
                log.close();
            }
        }
    }

    @GrpcClient("gateway")
    Channel channel;

    @Inject
    DrainStateBean state;

    @Inject
    QuiesceHome home;

    @Test
    void theGatewayStartsWithAFreshInboxAndTheCorruptFileKeptAside() throws IOException {
        assertThat(state.current().inbox().error()).isEmpty();
        assertThat(Home.log.messages(Level.WARNING)).as("logged once").singleElement().asString()
                .contains("moved aside").contains("SQLITE_NOTADB");
        try (Stream<Path> files = Files.list(home.path())) {
            assertThat(files.filter(f -> f.getFileName().toString().startsWith("inbox.db.corrupt-")))
                    .singleElement().satisfies(aside -> assertThat(aside).hasContent(GARBAGE));
        }

        state.beginDrain(new BeginDrainCommand("test", "corrupt at start", false, Duration.ZERO));
        try {
            TurnResult result = new GatewayClient(channel).handle(TestTokens.INGESTER, chat(session("after"), "kept?"));
            assertThat(result.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_DEFERRED);
        } finally {
            state.cancelDrain("test", "");
        }
    }
}
