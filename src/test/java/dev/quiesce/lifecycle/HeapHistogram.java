package dev.quiesce.lifecycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live objects of a JVM by class ({@code jcmd <pid> GC.class_histogram}, which runs a full GC
 * first), for telling what a growing heap holds.
 *
 * @param bytesByClass shallow bytes of the live instances of each class
 */
record HeapHistogram(Map<String, Long> bytesByClass) {

    /** {@code   1:   12345   678901  java.lang.String (java.base@17)} */
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)", Pattern.MULTILINE);

    static HeapHistogram of(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process process = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), "GC.class_histogram"))
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(60, TimeUnit.SECONDS);
            Map<String, Long> bytes = new HashMap<>();
            Matcher row = ROW.matcher(output);
            while (row.find()) {
                bytes.merge(row.group(2), Long.parseLong(row.group(1)), Long::sum);
            }
            return new HeapHistogram(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + jcmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new HeapHistogram(Map.of());
        }
    }

    /** How many KiB the class that grew most from {@code before} to this grew by. */
    long largestGrowthKibSince(HeapHistogram before) {
        return bytesByClass.entrySet().stream()
                .mapToLong(e -> e.getValue() - before.bytesByClass.getOrDefault(e.getKey(), 0L))
                .max().orElse(0) / 1024;
    }

    /** The {@code limit} classes whose live bytes grew most from {@code before} to this, as Markdown rows. */
    String largestGrowthSince(HeapHistogram before, int limit) {
        StringBuilder rows = new StringBuilder("| class | KiB before | KiB after |\n|---|---|---|\n");
        bytesByClass.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, Long> e) ->
                        e.getValue() - before.bytesByClass.getOrDefault(e.getKey(), 0L)).reversed())
                .limit(limit)
                .forEach(e -> rows.append("| `").append(e.getKey()).append("` | ")
                        .append(before.bytesByClass.getOrDefault(e.getKey(), 0L) / 1024).append(" | ")
                        .append(e.getValue() / 1024).append(" |\n"));
        return rows.toString();
    }
}
