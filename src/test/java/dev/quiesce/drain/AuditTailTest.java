package dev.quiesce.drain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class AuditTailTest {

    @TempDir
    Path dir;

    @Test
    void aMissingFileHasNoLines() throws IOException {
        assertThat(AuditTail.lastLines(dir.resolve("absent.jsonl"), 5, 1 << 20)).isEmpty();
    }

    @Test
    void theLastLinesComeNewestFirst() throws IOException {
        Path file = write("one\ntwo\nthree\nfour\n");

        assertThat(AuditTail.lastLines(file, 2, 1 << 20)).containsExactly("four", "three");
        assertThat(AuditTail.lastLines(file, 10, 1 << 20)).containsExactly("four", "three", "two", "one");
    }

    @Test
    void aLastLineWithoutItsNewlineCountsAndBlankLinesDoNot() throws IOException {
        Path file = write("one\n\n  \ntwo\nhalf a li");

        assertThat(AuditTail.lastLines(file, 10, 1 << 20)).containsExactly("half a li", "two", "one");
    }

    @Test
    void linesLongerThanOneReadAndAcrossReadsComeWhole() throws IOException {
        String longLine = "x".repeat(20_000) + "é";
        List<String> lines = IntStream.range(0, 50).mapToObj(i -> i + ":" + "ü".repeat(i * 97)).toList();
        Path file = write(String.join("\n", lines) + "\n" + longLine + "\n");

        List<String> read = AuditTail.lastLines(file, 51, 1 << 20);

        assertThat(read.get(0)).isEqualTo(longLine);
        assertThat(read.subList(1, 51)).containsExactlyElementsOf(
                IntStream.range(0, 50).mapToObj(i -> lines.get(49 - i)).collect(Collectors.toList()));
    }

    @Test
    void aLineThatBeginsBeforeTheWindowIsLeftOut() throws IOException {
        Path file = write("an old line that is long\nnew\n");

        assertThat(AuditTail.lastLines(file, 10, 10)).containsExactly("new");
    }

    private Path write(String text) throws IOException {
        Path file = dir.resolve("audit.jsonl");
        Files.writeString(file, text);
        return file;
    }
}
