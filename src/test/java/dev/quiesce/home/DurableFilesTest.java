package dev.quiesce.home;

import dev.quiesce.testing.UnwritableDirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurableFilesTest {

    @TempDir
    Path dir;

    @Test
    void replaceCreatesTheFileWithMode0600() throws IOException {
        Path target = dir.resolve(".drain_request.json");

        DurableFiles.replace(target, bytes("{\"a\": 1}"), true);

        assertEquals("{\"a\": 1}", Files.readString(target));
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(target));
    }

    @Test
    void replaceOverwritesAWiderModeExistingFileWith0600() throws IOException {
        Path target = Files.writeString(dir.resolve(".drain_request.json"), "old, and longer than the new content");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-rw-rw-"));

        DurableFiles.replace(target, bytes("new"), true);

        assertEquals("new", Files.readString(target));
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(target));
    }

    @Test
    void replaceWithoutFsyncWritesTheSameContent() throws IOException {
        Path target = dir.resolve("status.json");

        DurableFiles.replace(target, bytes("quick"), false);

        assertEquals("quick", Files.readString(target));
        assertEquals(Set.of("status.json"), names());
    }

    @Test
    void replaceLeavesNothingButTheTargetBehind() throws IOException {
        Path target = dir.resolve(".drain_request.json");

        for (int i = 0; i < 5; i++) {
            DurableFiles.replace(target, bytes("round " + i), true);
        }

        assertEquals(Set.of(".drain_request.json"), names());
        assertEquals("round 4", Files.readString(target));
    }

    @Test
    void replaceOfAnEmptyContentWritesAnEmptyFile() throws IOException {
        Path target = dir.resolve("empty");

        DurableFiles.replace(target, new byte[0], true);

        assertEquals(0, Files.size(target));
    }

    @Test
    void failedReplaceInAnUnwritableDirectoryKeepsTheOldFileAndLeavesNoTempFile() throws IOException {
        Path target = Files.writeString(dir.resolve(".drain_request.json"), "previous");

        try (UnwritableDirs.Frozen frozen = UnwritableDirs.freeze(dir)) {
            assertThrows(IOException.class, () -> DurableFiles.replace(target, bytes("next"), true));
        }

        assertEquals("previous", Files.readString(target));
        assertEquals(Set.of(".drain_request.json"), names());
    }

    @Test
    void failedRenameDeletesTheTempFileItWrote() throws IOException {
        Path target = Files.createDirectory(dir.resolve(".drain_request.json"));
        Files.writeString(target.resolve("occupant"), "makes the directory non-empty, so rename(2) must fail");

        assertThrows(IOException.class, () -> DurableFiles.replace(target, bytes("next"), true));

        assertEquals(Set.of(".drain_request.json"), names());
        assertTrue(Files.isDirectory(target));
    }

    @Test
    void failedRenameOverAnImmutableTargetKeepsItAndDeletesTheTempFile() throws IOException {
        Path target = Files.writeString(dir.resolve(".drain_request.json"), "previous");

        try (UnwritableDirs.Frozen frozen = UnwritableDirs.immutable(target)) {
            assertThrows(IOException.class, () -> DurableFiles.replace(target, bytes("next"), true));
        }

        assertEquals("previous", Files.readString(target));
        assertEquals(Set.of(".drain_request.json"), names());
    }

    @Test
    void replaceInAMissingDirectoryFails() {
        Path target = dir.resolve("gone/.drain_request.json");

        assertThrows(IOException.class, () -> DurableFiles.replace(target, bytes("x"), true));
        assertFalse(Files.exists(dir.resolve("gone")));
    }

    @Test
    void removeReportsWhetherThereWasAFile() throws IOException {
        Path target = Files.writeString(dir.resolve(".drain_request.json"), "x");

        assertTrue(DurableFiles.remove(target));
        assertFalse(Files.exists(target));
        assertFalse(DurableFiles.remove(target));
    }

    @Test
    void removeInAMissingDirectoryIsNotAnError() throws IOException {
        assertFalse(DurableFiles.remove(dir.resolve("gone/.drain_request.json")));
    }

    @Test
    void failedRemoveThrowsAndKeepsTheFile() throws IOException {
        Path target = Files.writeString(dir.resolve(".drain_request.json"), "previous");

        try (UnwritableDirs.Frozen frozen = UnwritableDirs.freeze(dir)) {
            assertThrows(IOException.class, () -> DurableFiles.remove(target));
        }

        assertEquals("previous", Files.readString(target));
    }

    @Test
    void tempFilesAreNamedAfterTheTargetWithoutADoubledDot() {
        Path target = dir.resolve(".drain_request.json");

        assertTrue(DurableFiles.isTempFileOf(target, dir.resolve(".drain_request.json.0b7e4d5c.tmp")));
        assertFalse(DurableFiles.isTempFileOf(target, dir.resolve("..drain_request.json.0b7e4d5c.tmp")));
        assertTrue(DurableFiles.isTempFileOf(dir.resolve("status.json"), dir.resolve(".status.json.0b7e4d5c.tmp")));
    }

    @Test
    void removeLeftoverTempFilesDeletesTempFilesOfThatTargetAndNothingElse() throws IOException {
        Path target = Files.writeString(dir.resolve(".drain_request.json"), "the marker itself");
        List<String> leftovers = List.of(".drain_request.json.abc.tmp",
                ".drain_request.json.3f2a9c1e-5b7d-4e0f-8a6b-2c1d0e9f8a7b.tmp", ".drain_request.json..tmp");
        List<String> bystanders = List.of(".drain_request.json.tmp", ".drain_request.json.abc.tmp.bak",
                ".drain_request.json.abc.TMP", "drain_request.json.abc.tmp", "..drain_request.json.abc.tmp",
                ".drain_request.jsonx.abc.tmp", ".other.json.abc.tmp", ".restart_notify.json.abc.tmp", "notes.txt");
        for (String name : Stream.concat(leftovers.stream(), bystanders.stream()).toList()) {
            Files.writeString(dir.resolve(name), name);
        }
        Path dirLookingLikeATempFile = Files.createDirectory(dir.resolve(".drain_request.json.dir.tmp"));
        Files.writeString(dirLookingLikeATempFile.resolve("inside"), "kept");
        Files.createDirectory(dir.resolve(".drain_request.json.empty.tmp"));
        Files.createSymbolicLink(dir.resolve(".drain_request.json.link.tmp"), target);

        assertEquals(leftovers.size(), DurableFiles.removeLeftoverTempFiles(target));

        Set<String> expected = bystanders.stream().collect(Collectors.toSet());
        expected.add(".drain_request.json");
        expected.add(".drain_request.json.dir.tmp");
        expected.add(".drain_request.json.empty.tmp");
        expected.add(".drain_request.json.link.tmp");
        assertEquals(expected, names());
        assertEquals("the marker itself", Files.readString(target));
        assertEquals("kept", Files.readString(dirLookingLikeATempFile.resolve("inside")));
    }

    @Test
    void removeLeftoverTempFilesCountsNothingWhenThereIsNothing() {
        assertEquals(0, DurableFiles.removeLeftoverTempFiles(dir.resolve(".drain_request.json")));
    }

    @Test
    void removeLeftoverTempFilesNeverThrowsForAMissingDirectory() {
        assertEquals(0, DurableFiles.removeLeftoverTempFiles(dir.resolve("gone/.drain_request.json")));
    }

    @Test
    void oneLeftoverThatCannotBeDeletedDoesNotStopTheOthers() throws IOException {
        Path target = dir.resolve(".drain_request.json");
        for (int i = 0; i < 8; i++) {
            Files.writeString(dir.resolve(".drain_request.json." + i + ".tmp"), "crashed write " + i);
        }
        Path stuck = dir.resolve(".drain_request.json.4.tmp");

        try (UnwritableDirs.Frozen frozen = UnwritableDirs.immutable(stuck)) {
            assertEquals(7, DurableFiles.removeLeftoverTempFiles(target));
        }

        assertEquals(Set.of(".drain_request.json.4.tmp"), names());
    }

    @Test
    void theTempFileReplaceWritesIsOneRemoveLeftoverTempFilesRecognises() throws Exception {
        Path target = dir.resolve(".drain_request.json");
        String tempName;
        try (WatchService watcher = dir.getFileSystem().newWatchService()) {
            dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);

            DurableFiles.replace(target, bytes("x"), false);

            tempName = firstCreatedNameOtherThan(watcher, target.getFileName().toString());
        }

        assertTrue(tempName.matches("\\.drain_request\\.json\\.[0-9a-f-]{36}\\.tmp"), tempName);
        assertTrue(DurableFiles.isTempFileOf(target, dir.resolve(tempName)), tempName);
    }

    /** Waits (bounded) for the inotify event of the temp file; events are queued, so none is missed. */
    private static String firstCreatedNameOtherThan(WatchService watcher, String target) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            WatchKey key = watcher.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (key == null) {
                break;
            }
            for (WatchEvent<?> event : key.pollEvents()) {
                String name = String.valueOf(event.context());
                if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && !name.equals(target)) {
                    return name;
                }
            }
            key.reset();
        }
        throw new AssertionError("no temp file was created beside " + target);
    }

    private Set<String> names() throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
