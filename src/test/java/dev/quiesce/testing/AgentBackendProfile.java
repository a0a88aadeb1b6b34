package dev.quiesce.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/**
 * The application with the {@code http} turn handler against an {@link AgentBackend} (and a
 * {@link TestHome}). Turns wait on the backend until the test answers, up to 30 s.
 */
public class AgentBackendProfile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(TestHome.class), new TestResourceEntry(AgentBackendResource.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quiesce.turn.http.timeout", "30s");
    }

    /** The same with a 1 s turn timeout, for the timeout test. */
    public static class ShortTimeout extends AgentBackendProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quiesce.turn.http.timeout", "1s");
        }
    }
}
