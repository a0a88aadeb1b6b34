package dev.quiesce.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Measurement 7: one cold start of a packaged app — {@code ProcessBuilder.start()} until its
 * grpc.health.v1 status for {@code ""} is SERVING (for the gateway: phase RUNNING, marker reconciled,
 * token generated on this first start), then {@code idle} with no traffic, its resident set size
 * (VmRSS), and SIGTERM until the process has exited. Stateless.
 */
final class ProcessFigures {

    /** One start's figures. */
    record Start(double readyMillis, long rssKib, double exitMillis, int exitCode) {}

    private ProcessFigures() {}

    static Start once(Path jar, Path log, List<String> jvmArgs, Duration idle) throws Exception {
        return once(jar, log, jvmArgs, idle, false);
    }

    /**
     * Like {@link #once(Path, Path, List, Duration)}; with {@code restart}, the measured start is the
     * second on its home, as a pod's restart in a rollout is: the first start (unmeasured, stopped
     * with SIGTERM) made the token, the inbox's database and its schema.
     */
    static Start once(Path jar, Path log, List<String> jvmArgs, Duration idle, boolean restart) throws Exception {
        Path home = BenchSuite.tempHome();
        try {
            if (restart) {
                try (AppProcess first = AppProcess.start(jar, home, log, jvmArgs)) {
                    first.stop();
                }
            }
            AppProcess app = AppProcess.start(jar, home, log, jvmArgs);
            try {
                Thread.sleep(idle.toMillis());
                long rss = app.rssKib();
                AppProcess.Exit exit = app.stop();
                return new Start(app.readyMillis(), rss, exit.millis(), exit.code());
            } finally {
                app.close();
            }
        } finally {
            BenchSuite.deleteRecursively(home);
        }
    }
}
