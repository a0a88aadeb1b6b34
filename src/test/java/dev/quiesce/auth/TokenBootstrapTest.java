package dev.quiesce.auth;

import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.api.v1.GetStateRequest;
import dev.quiesce.api.v1.Phase;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static dev.quiesce.testing.GrpcAuth.withHeader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * First start without a tokens file: a token is generated into control.token (0600), works, and
 * neither it nor any other token ever appears in what the application logged.
 */
@QuarkusTest
@TestProfile(TokenBootstrapTest.NoTokensFile.class)
class TokenBootstrapTest {

    static final Path LOG = Path.of("target", "quiesce-token-bootstrap-test.log");

    @GrpcClient("drain")
    DrainControlGrpc.DrainControlBlockingStub drain;

    @Inject
    QuiesceHome home;

    @Test
    void generatedTokenWorksIsPrivateAndIsNeverLogged() throws IOException {
        Path tokenFile = home.resolveFile("control.token");
        String token = Files.readString(tokenFile).strip();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolveFile("tokens"))))
                .isEqualTo("rw-------");
        assertThat(Files.readString(home.resolveFile("tokens"))).doesNotContain(token).contains("operator");
        assertThat(withHeader(drain, "Bearer " + token).getState(GetStateRequest.getDefaultInstance()).getPhase())
                .isEqualTo(Phase.PHASE_RUNNING);
        String rejected = "qsc_rejected_token_that_must_not_be_logged";
        assertThatThrownBy(() -> withHeader(drain, "Bearer " + rejected).getState(GetStateRequest.getDefaultInstance()))
                .isInstanceOf(io.grpc.StatusRuntimeException.class);

        String logged = Files.readString(LOG);
        assertThat(logged).contains(tokenFile.toString()).doesNotContain(token);
        assertThat(logged).doesNotContain(rejected);
        for (TestTokens known : TestTokens.values()) {
            assertThat(logged).doesNotContain(known.token);
        }
    }

    /** A home with no tokens file, and the application log captured to a file. */
    public static class NoTokensFile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.log.file.enabled", "true", "quarkus.log.file.path", LOG.toAbsolutePath().toString(),
                    "quarkus.log.category.\"dev.quiesce\".level", "DEBUG");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(HomeWithoutTokens.class));
        }
    }

    public static class HomeWithoutTokens extends TestHome {
        @Override
        protected void prepare(Path home) throws IOException {
            Files.delete(home.resolve("tokens"));
        }
    }
}
