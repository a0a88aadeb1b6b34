package dev.quiesce.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts an {@link AgentBackend} before the application and points the {@code http} turn handler at
 * it. The test reaches the backend through a field annotated {@link InjectAgentBackend}.
 */
public class AgentBackendResource implements QuarkusTestResourceLifecycleManager {

    private AgentBackend backend;

    @Override
    public Map<String, String> start() {
        backend = AgentBackend.start();
        return Map.of("quiesce.turn.handler", "http", "quiesce.turn.http.url", backend.url());
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(backend,
                new TestInjector.AnnotatedAndMatchesType(InjectAgentBackend.class, AgentBackend.class));
    }

    @Override
    public void stop() {
        if (backend != null) {
            backend.close();
        }
    }
}
