package dev.quiesce.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two packaged gateways on one home: the second exits at once, naming the first's PID, and touches
 * nothing the first owns. After the first is gone — even by SIGKILL — a new one starts.
 */
class OneGatewayPerHomeIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aSecondGatewayOnTheSameHomeExitsNamingTheHoldersPidAndLeavesItsStatusFileAlone() throws Exception {
        Path home = PackagedApp.newHome();
        try (PackagedApp first = PackagedApp.start(home, Map.of(), PackagedApp.FAST_START)) {
            String statusBefore = Files.readString(home.resolve("gateway_state.json"));

            PackagedApp.Finished second = PackagedApp.runToExit(home, Map.of(), Duration.ofSeconds(30));

            assertThat(second.exit().code()).isNotZero();
            assertThat(second.output()).contains("another Quiesce gateway (PID " + first.pid() + ")",
                    home.resolve(".lock").toString(), "one gateway per home");
            assertThat(first.isAlive()).isTrue();
            assertThat(JSON.readTree(home.resolve("gateway_state.json").toFile()).get("pid").asLong())
                    .isEqualTo(first.pid());
            assertThat(Files.readString(home.resolve("gateway_state.json"))).isEqualTo(statusBefore);
            first.kill();
        }
        try (PackagedApp next = PackagedApp.start(home, Map.of(), PackagedApp.FAST_START)) {
            assertThat(Files.readString(home.resolve(".lock")).strip()).isEqualTo(String.valueOf(next.pid()));
        }
    }
}
