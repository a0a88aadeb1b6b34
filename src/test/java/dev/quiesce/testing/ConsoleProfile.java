package dev.quiesce.testing;

import java.util.Map;

/**
 * The application as the console tests drive it: the {@code http} turn handler against an
 * {@link AgentBackend} (turns held until the test answers them), a {@link TestHome}, and a state
 * stream whose keep-alive comes every 300 ms instead of every 15 s, so a test sees several.
 */
public class ConsoleProfile extends AgentBackendProfile {

    /** The keep-alive interval of the state stream under this profile. */
    public static final String KEEP_ALIVE = "300ms";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quiesce.turn.http.timeout", "30s", "quiesce.console.keep-alive", KEEP_ALIVE);
    }
}
