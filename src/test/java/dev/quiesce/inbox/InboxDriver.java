package dev.quiesce.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.TurnResult;
import dev.quiesce.drain.BeginDrainCommand;
import dev.quiesce.drain.DrainAuditLog;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.testing.GatewayClient;
import dev.quiesce.testing.TestTokens;
import io.grpc.Channel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

/**
 * What the inbox's app tests do to the running gateway: drain and cancel through the state bean, send
 * messages over gRPC with the ingest token, wait for the inbox to empty, read the inbox's audit lines.
 */
final class InboxDriver {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DrainStateBean state;
    private final GatewayClient gateway;
    private final QuiesceHome home;

    InboxDriver(Channel channel, DrainStateBean state, QuiesceHome home) {
        this.state = state;
        this.gateway = new GatewayClient(channel);
        this.home = home;
    }

    GatewayClient gateway() {
        return gateway;
    }

    void drain() {
        state.beginDrain(new BeginDrainCommand("test", "inbox test", false, Duration.ZERO));
    }

    void cancel() {
        state.cancelDrain("test", "");
    }

    /** Cancels any drain and waits until every saved message was answered. */
    void runUntilEmpty() {
        cancel();
        await().until(() -> state.current().inbox().waiting() == 0);
    }

    TurnResult send(InboundMessage message) {
        return gateway.handle(TestTokens.INGESTER, message);
    }

    /** Sends {@code message}, which must be answered DEFERRED. @return its deferred_id */
    String deferred(InboundMessage message) {
        TurnResult result = send(message);
        assertThat(result.getOutcome()).as(message.getText()).isEqualTo(TurnOutcome.TURN_OUTCOME_DEFERRED);
        return result.getDeferredId();
    }

    /** The lines of drain-audit.jsonl about {@code session}, oldest first. */
    List<JsonNode> auditLines(String session) {
        try {
            return Files.readAllLines(home.resolveFile(DrainAuditLog.FILE_NAME)).stream().map(InboxDriver::json)
                    .filter(line -> line.path("session_id").asText().equals(session)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
