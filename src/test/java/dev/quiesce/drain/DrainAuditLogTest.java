package dev.quiesce.drain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.testing.SettableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The refusal lines of {@code drain-audit.jsonl}, in a temp home with a settable clock. */
class DrainAuditLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DrainRefusal ANONYMOUS = new DrainRefusal("", "BeginDrain", "unauthenticated",
            "missing bearer token: send 'authorization: Bearer <token>'");

    @TempDir
    Path home;

    private final SettableClock clock = new SettableClock(Instant.parse("2026-05-01T10:00:00Z"));

    @Test
    void aRefusalIsALineWithItsPrincipalCallRefusalAndDescription() throws IOException {
        DrainAuditLog audit = new DrainAuditLog(new QuiesceHome(home), clock);

        audit.recordRefusal(new DrainRefusal("operator", "CancelDrain", "wrong_drain_id",
                "drain_id 'd-1' is not the active drain"));

        JsonNode line = lines().get(0);
        assertThat(line.path("time").asText()).isEqualTo("2026-05-01T10:00:00.000000+00:00");
        assertThat(line.path("event").asText()).isEqualTo("refused");
        assertThat(line.path("principal").asText()).isEqualTo("operator");
        assertThat(line.path("call").asText()).isEqualTo("CancelDrain");
        assertThat(line.path("refusal").asText()).isEqualTo("wrong_drain_id");
        assertThat(line.path("outcome").asText()).isEqualTo("refused");
        assertThat(line.path("detail").asText()).isEqualTo("drain_id 'd-1' is not the active drain");
        assertThat(line.path("count").asLong()).isEqualTo(1);
    }

    @Test
    void refusalsOfTheStateGetALineEach() throws IOException {
        DrainAuditLog audit = new DrainAuditLog(new QuiesceHome(home), clock);
        DrainRefusal shuttingDown = new DrainRefusal("operator", "BeginDrain", "shutting_down", "the gateway is STOPPING");

        for (int i = 0; i < 5; i++) {
            audit.recordRefusal(shuttingDown);
        }

        assertThat(lines()).hasSize(5).allSatisfy(line -> assertThat(line.path("count").asLong()).isEqualTo(1));
    }

    @Test
    void anAnonymousFloodIsOneLinePerTenSecondsCountingTheRest() throws IOException {
        DrainAuditLog audit = new DrainAuditLog(new QuiesceHome(home), clock);

        for (int i = 0; i < 50; i++) {
            audit.recordRefusal(ANONYMOUS);
        }
        assertThat(lines()).singleElement().satisfies(line -> {
            assertThat(line.path("principal").asText()).isEqualTo("anonymous");
            assertThat(line.path("count").asLong()).isEqualTo(1);
        });
        clock.advance(DrainAuditLog.COALESCE_INTERVAL);
        audit.recordRefusal(ANONYMOUS);

        assertThat(lines()).hasSize(2);
        assertThat(lines().get(1).path("count").asLong()).as("itself and the 49 held back").isEqualTo(50);
    }

    @Test
    void eachCallAndKindOfAuthRefusalIsCoalescedApart() throws IOException {
        DrainAuditLog audit = new DrainAuditLog(new QuiesceHome(home), clock);
        DrainRefusal rest = new DrainRefusal("", "POST /api/gateway/drain", "unauthenticated", ANONYMOUS.description());
        DrainRefusal scope = new DrainRefusal("dashboard", "BeginDrain", "permission_denied", "lacks scope 'drain'");

        for (int i = 0; i < 10; i++) {
            audit.recordRefusal(ANONYMOUS);
            audit.recordRefusal(rest);
            audit.recordRefusal(scope);
        }

        assertThat(lines()).extracting(line -> line.path("call").asText() + " " + line.path("principal").asText())
                .containsExactly("BeginDrain anonymous", "POST /api/gateway/drain anonymous", "BeginDrain dashboard");
    }

    @Test
    void whatIsHeldBackAtShutdownGetsALineBeforeTheSummary() throws IOException {
        DrainAuditLog audit = new DrainAuditLog(new QuiesceHome(home), clock);
        for (int i = 0; i < 7; i++) {
            audit.recordRefusal(ANONYMOUS);
        }
        clock.advance(Duration.ofSeconds(3));

        audit.recordShutdown(new DrainAuditLog.ShutdownSummary(0, 0, 0, 0, "sent", "", Duration.ofMillis(5),
                clock.instant()));

        List<JsonNode> lines = lines();
        assertThat(lines).extracting(line -> line.path("event").asText())
                .containsExactly("refused", "refused", "shutdown_summary");
        assertThat(lines.get(1).path("count").asLong()).isEqualTo(6);
        assertThat(lines.get(1).path("time").asText()).isEqualTo("2026-05-01T10:00:03.000000+00:00");
    }

    private List<JsonNode> lines() throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(home.resolve(DrainAuditLog.FILE_NAME))) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }
}
