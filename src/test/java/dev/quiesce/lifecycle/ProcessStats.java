package dev.quiesce.lifecycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What Linux reports about a process: resident memory and threads from {@code /proc/<pid>/status},
 * open file descriptors from {@code /proc/<pid>/fd}; for a JVM optionally also its live heap, the
 * heap in use right after a full GC ({@code jcmd <pid> GC.run}, then {@code GC.heap_info}).
 *
 * @param at when it was taken, since the start of the run
 * @param rssKib {@code VmRSS} in KiB
 * @param threads {@code Threads}
 * @param fds entries of {@code /proc/<pid>/fd}
 * @param liveHeapKib heap in use after a full GC in KiB; -1 when not measured
 */
record ProcessStats(Duration at, long rssKib, int threads, int fds, long liveHeapKib) {

    private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K");

    /** Reads the stats of {@code pid} now, without the live heap. */
    static ProcessStats of(long pid, Duration at) {
        return of(pid, at, -1);
    }

    /** Forces a full GC in the JVM {@code pid}, then reads its stats with the heap that is still in use. */
    static ProcessStats withLiveHeap(long pid, Duration at) {
        jcmd(pid, "GC.run");
        Matcher used = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
        return of(pid, at, used.find() ? Long.parseLong(used.group(1)) : -1);
    }

    private static ProcessStats of(long pid, Duration at, long liveHeapKib) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            long rss = -1;
            int threads = -1;
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", ""));
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.replaceAll("\\D", ""));
                }
            }
            int fds;
            try (Stream<Path> entries = Files.list(proc.resolve("fd"))) {
                fds = (int) entries.count();
            }
            return new ProcessStats(at, rss, threads, fds, liveHeapKib);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc of process " + pid + " (has it exited?)", e);
        }
    }

    private static String jcmd(long pid, String command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process process = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), command))
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + jcmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** RSS in MiB, rounded. */
    long rssMib() {
        return Math.round(rssKib / 1024.0);
    }

    /** Live heap in MiB, rounded; -1 when not measured. */
    long liveHeapMib() {
        return liveHeapKib < 0 ? -1 : Math.round(liveHeapKib / 1024.0);
    }

    /** One row of a Markdown table: {@code | t | RSS MiB | live heap MiB | fds | threads |}. */
    String tableRow() {
        return "| " + at.toSeconds() + " s | " + rssMib() + " | " + liveHeapMib() + " | " + fds + " | " + threads + " |";
    }
}
