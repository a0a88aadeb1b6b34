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
        Path home = BenchSuite.tempHome();
        try {
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
