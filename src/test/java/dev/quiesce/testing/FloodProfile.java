package dev.quiesce.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;

/**
 * The application with a {@link TestHome}, in a start of its own: for the tests that count what a
 * flood of bad calls leaves behind (log lines, audit lines), one per kind per interval, which the
 * same calls made by another test in the same application less than an interval before would change.
 */
public class FloodProfile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(TestHome.class));
    }
}
