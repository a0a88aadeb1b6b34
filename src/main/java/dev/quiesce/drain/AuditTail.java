package dev.quiesce.drain;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The last lines of an append-only text file, read from its end: the cost is the lines asked for,
 * not the file's length (the audit log grows for the life of a home). Stateless and thread-safe.
 */
final class AuditTail {

    private static final int CHUNK = 8192;

    private AuditTail() {}

    /**
     * Up to {@code limit} non-blank lines at the end of {@code file}, newest (last) first, reading at most
     * {@code maxBytes} from the end. A last line without its newline (an append cut off by a crash) counts
     * as a line; a line that begins before the {@code maxBytes} window is left out.
     *
     * @return the lines, or none when the file does not exist
     * @throws IOException when the file exists but cannot be read
     */
    static List<String> lastLines(Path file, int limit, long maxBytes) throws IOException {
        List<String> lines = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long end = channel.size();
            long floor = Math.max(0, end - maxBytes);
            // Bytes of the line being assembled, in reverse order (we walk the file backwards).
            ByteArrayOutputStream reversed = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            long position = end;
            while (position > floor && lines.size() < limit) {
                int length = (int) Math.min(CHUNK, position - floor);
                position -= length;
                buffer.clear().limit(length);
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer, position + buffer.position()) < 0) {
                        break;
                    }
                }
                for (int i = buffer.position() - 1; i >= 0 && lines.size() < limit; i--) {
                    byte b = buffer.get(i);
                    if (b == '\n') {
                        add(lines, reversed);
                    } else {
                        reversed.write(b);
                    }
                }
            }
            // The file's first line has no newline before it; a line cut by the window is left out.
            if (position == 0 && lines.size() < limit) {
                add(lines, reversed);
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        return lines;
    }

    private static void add(List<String> lines, ByteArrayOutputStream reversed) {
        byte[] bytes = reversed.toByteArray();
        reversed.reset();
        for (int i = 0, j = bytes.length - 1; i < j; i++, j--) {
            byte swap = bytes[i];
            bytes[i] = bytes[j];
            bytes[j] = swap;
        }
        String line = new String(bytes, StandardCharsets.UTF_8);
        if (!line.isBlank()) {
            lines.add(line);
        }
    }
}
