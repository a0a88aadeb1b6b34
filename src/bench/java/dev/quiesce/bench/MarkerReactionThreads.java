package dev.quiesce.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Diagnostic only: which app thread made the marker-driven phase changes, read from the app's log
 * ({@code quiesce-marker-watch} is the file-system watch; anything else is the poll tick or the
 * lease timer). Tells whether the reaction times are the watch's or the tick's. Depends on the
 * text of the app's marker-driven transition line ("Drain d-…: adopted (…)" / "… cancelled (…)"),
 * after the thread name in the console format's {@code (%t)}, and on nothing else: not on the
 * category, so it survives the logging class moving or being renamed. When the text changes it
 * says "unknown". Stateless.
 */
final class MarkerReactionThreads {

    /** {@code (<thread>) Drain <drain id>: adopted|cancelled (<detail>)}, wherever the category is. */
    private static final Pattern LINE = Pattern.compile("\\(([^()]+)\\) Drain \\S+: (adopted|cancelled) \\(");

    private MarkerReactionThreads() {}

    static String summarize(Path appLog) {
        Map<String, Integer> byThread = new TreeMap<>();
        try (Stream<String> lines = Files.lines(appLog, StandardCharsets.UTF_8)) {
            lines.forEach(line -> {
                Matcher m = LINE.matcher(line);
                if (m.find()) {
                    byThread.merge(m.group(1) + " " + m.group(2), 1, Integer::sum);
                }
            });
        } catch (IOException | RuntimeException e) {
            return "Marker-driven phase changes by app thread: unknown (" + e + ")";
        }
        if (byThread.isEmpty()) {
            return "Marker-driven phase changes by app thread: unknown (no matching log lines)";
        }
        return "Marker-driven phase changes by app thread (app log, warm-up included): "
                + byThread.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", "));
    }
}
