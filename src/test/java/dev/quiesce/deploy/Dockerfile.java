package dev.quiesce.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The instructions of {@code src/main/docker/Dockerfile.jvm}, parsed just enough for the checks:
 * comments dropped, continuation lines joined, each instruction split into its keyword and
 * whitespace-separated arguments (the JSON form of ENTRYPOINT is left as one argument string).
 * Immutable; thread-safe.
 */
final class Dockerfile {

    static final Path JVM = Path.of("src", "main", "docker", "Dockerfile.jvm");

    /** One instruction, e.g. {@code COPY --chown=185 target/quarkus-app/lib/ /deployments/lib/}. */
    record Instruction(String keyword, String arguments) {

        /** The arguments split on whitespace. */
        List<String> words() {
            return Arrays.asList(arguments.strip().split("\\s+"));
        }

        /** For COPY/ADD: the sources (every word but the flags and the destination). */
        List<String> sources() {
            List<String> words = words().stream().filter(w -> !w.startsWith("--")).toList();
            return words.subList(0, words.size() - 1);
        }

        /** For COPY/ADD: the destination. */
        String destination() {
            List<String> words = words();
            return words.get(words.size() - 1);
        }
    }

    private final List<Instruction> instructions;

    private Dockerfile(List<Instruction> instructions) {
        this.instructions = List.copyOf(instructions);
    }

    static Dockerfile read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Dockerfile parse(String text) {
        List<Instruction> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\r?\n")) {
            String stripped = line.strip();
            if (stripped.startsWith("#") || (stripped.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (stripped.endsWith("\\")) {
                current.append(stripped, 0, stripped.length() - 1).append(' ');
                continue;
            }
            current.append(stripped);
            String[] parts = current.toString().strip().split("\\s+", 2);
            out.add(new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : ""));
            current.setLength(0);
        }
        return new Dockerfile(out);
    }

    /** The instructions with {@code keyword}, in order. */
    List<Instruction> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    /** The value an {@code ENV NAME="value"} (or {@code ENV NAME value}) instruction sets last. */
    String env(String name) {
        String value = null;
        for (Instruction env : all("ENV")) {
            String arguments = env.arguments().strip();
            if (arguments.startsWith(name + "=")) {
                value = unquote(arguments.substring(name.length() + 1));
            } else if (arguments.startsWith(name + " ")) {
                value = unquote(arguments.substring(name.length() + 1).strip());
            }
        }
        if (value == null) {
            throw new AssertionError("the Dockerfile sets no ENV " + name);
        }
        return value;
    }

    private static String unquote(String value) {
        String v = value.strip();
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }
}
