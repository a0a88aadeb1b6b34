package dev.quiesce.marker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiesce.home.IsoTimesTest;
import dev.quiesce.testing.UnwritableDirs;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DrainMarkerStoreTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant REQUESTED = Instant.parse("2026-06-26T07:47:19.123456Z");
    private static final Instant LEASE = Instant.parse("2026-06-26T08:47:19.123456Z");
    private static final Instant MTIME = Instant.parse("2026-06-26T07:47:20Z");
    private static final DrainMarker MARKER =
            new DrainMarker("drain", REQUESTED, "nas", "boot:14", true, "d-42", "image migration", LEASE);

    @TempDir
    Path home;

    private DrainMarkerStore store;
    private Path marker;

    @BeforeEach
    void store() {
        store = new DrainMarkerStore(home);
        marker = home.resolve(".drain_request.json");
    }

    // --- save and restore (undoing a change) ---------------------------------------------------

    @Test
    void aSavedMarkerIsPutBackByteForByteAfterItWasRewritten() throws IOException {
        Files.writeString(marker, "{\"action\": \"drain\", \"note\": \"hand-written, odd spacing\"}");
        DrainMarkerStore.Saved saved = store.save();
        store.write(MARKER);

        store.restore(saved);

        assertEquals("{\"action\": \"drain\", \"note\": \"hand-written, odd spacing\"}", Files.readString(marker));
    }

    @Test
    void aSavedAbsenceIsRestoredByRemovingTheMarker() {
        DrainMarkerStore.Saved saved = store.save();
        store.write(MARKER);

        store.restore(saved);

        assertFalse(Files.exists(marker));
    }

    @Test
    void aMarkerThatCouldNotBeReadCannotBeRestoredAndSaysWhy() throws IOException {
        Files.createDirectory(marker);
        DrainMarkerStore.Saved saved = store.save();

        MarkerWriteException refused = assertThrows(MarkerWriteException.class, () -> store.restore(saved));
        assertTrue(refused.getMessage().contains("not a regular file"), refused.getMessage());
        assertTrue(Files.isDirectory(marker));
    }

    // --- path ---------------------------------------------------------------------------------

    @Test
    void markerLivesAtDotDrainRequestJsonInTheHome() {
        assertEquals(".drain_request.json", DrainMarkerStore.FILE_NAME);
        assertEquals(marker, store.path());
    }

    // --- write ----------------------------------------------------------------------------------

    @Test
    void writtenMarkerIsAJsonObjectWithTheReferenceKeysAndTypes() throws IOException {
        store.write(MARKER);

        JsonNode body = JSON.readTree(Files.readAllBytes(marker));
        assertTrue(body.isObject());
        assertTrue(body.get("action").isTextual());
        assertEquals("drain", body.get("action").textValue());
        assertTrue(body.get("requested_at").isTextual());
        assertTrue(IsoTimesTest.REFERENCE_TIMESTAMP.matcher(body.get("requested_at").textValue()).matches());
        assertTrue(body.get("principal").isTextual());
        assertEquals("nas", body.get("principal").textValue());
        assertTrue(body.get("epoch").isTextual());
        assertEquals("boot:14", body.get("epoch").textValue());
        assertTrue(body.get("suppress_notification").isBoolean());
        assertTrue(body.get("suppress_notification").booleanValue());
    }

    @Test
    void writtenMarkerCarriesDrainIdReasonAndLease() throws IOException {
        store.write(MARKER);

        JsonNode body = JSON.readTree(Files.readAllBytes(marker));
        assertEquals("d-42", body.get("drain_id").textValue());
        assertEquals("image migration", body.get("reason").textValue());
        assertTrue(body.get("lease_expires_at").isTextual());
        assertEquals("2026-06-26T08:47:19.123456+00:00", body.get("lease_expires_at").textValue());
        assertTrue(IsoTimesTest.REFERENCE_TIMESTAMP.matcher(body.get("lease_expires_at").textValue()).matches());
        assertEquals(8, body.size(), body.toString());
    }

    @Test
    void writtenMarkerWithoutALeaseHasNoLeaseKey() throws IOException {
        store.write(new DrainMarker("drain", REQUESTED, "nas", "boot:14", false, "d-1", "", null));

        JsonNode body = JSON.readTree(Files.readAllBytes(marker));
        assertFalse(body.has("lease_expires_at"));
        assertFalse(body.get("suppress_notification").booleanValue());
    }

    @Test
    void writtenMarkerHasMode0600() throws IOException {
        store.write(MARKER);

        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(marker));
    }

    @Test
    void writeLeavesNoTempFileBehind() throws IOException {
        store.write(MARKER);
        store.write(MARKER);

        assertEquals(Set.of(".drain_request.json"), names(home));
    }

    @Test
    void writeReplacesThePreviousMarker() {
        store.write(MARKER);
        DrainMarker next = new DrainMarker("drain", REQUESTED.plusSeconds(60), "ops", "boot:14", false, "d-43", "again", null);

        store.write(next);

        assertEquals(next, present().marker());
    }

    @Test
    void failedWriteThrowsAndLeavesThePreviousMarkerByteForByte() throws IOException {
        store.write(MARKER);
        byte[] before = Files.readAllBytes(marker);

        try (UnwritableDirs.Frozen frozen = UnwritableDirs.freeze(home)) {
            MarkerWriteException failure = assertThrows(MarkerWriteException.class, () -> store.write(
                    new DrainMarker("drain", REQUESTED, "someone-else", "boot:14", false, "d-99", "", null)));
            assertTrue(failure.getMessage().contains(marker.toString()), failure.getMessage());
            assertInstanceOf(IOException.class, failure.getCause());
        }

        assertArrayEquals(before, Files.readAllBytes(marker));
        assertEquals(Set.of(".drain_request.json"), names(home));
    }

    @Test
    void failedWriteWithNoPreviousMarkerLeavesNoMarker() throws IOException {
        try (UnwritableDirs.Frozen frozen = UnwritableDirs.freeze(home)) {
            assertThrows(MarkerWriteException.class, () -> store.write(MARKER));
        }

        assertInstanceOf(MarkerRead.Absent.class, store.read());
        assertEquals(Set.of(), names(home));
    }

    @Test
    void failedRenameOverAnImmutableMarkerKeepsItAndLeavesNoTempFile() throws IOException {
        store.write(MARKER);
        byte[] before = Files.readAllBytes(marker);

        try (UnwritableDirs.Frozen frozen = UnwritableDirs.immutable(marker)) {
            assertThrows(MarkerWriteException.class, () -> store.write(
                    new DrainMarker("drain", REQUESTED, "ops", "boot:14", false, "d-2", "", null)));
        }

        assertArrayEquals(before, Files.readAllBytes(marker));
        assertEquals(Set.of(".drain_request.json"), names(home));
    }

    @Test
    void writeIntoADeletedHomeThrows() throws IOException {
        Path gone = Files.createDirectory(home.resolve("gone"));
        DrainMarkerStore orphan = new DrainMarkerStore(gone);
        Files.delete(gone);

        assertThrows(MarkerWriteException.class, () -> orphan.write(MARKER));
        assertFalse(Files.exists(gone));
    }

    @Test
    void writeIntoAHomeReplacedByARegularFileThrows() throws IOException {
        Path notADir = Files.writeString(home.resolve("home"), "I am a file");
        DrainMarkerStore confused = new DrainMarkerStore(notADir);

        assertThrows(MarkerWriteException.class, () -> confused.write(MARKER));
        assertEquals("I am a file", Files.readString(notADir));
    }

    @Test
    void writeOverADirectoryInTheMarkersPlaceThrowsAndLeavesNoTempFile() throws IOException {
        Files.createDirectory(marker);
        Files.writeString(marker.resolve("occupant"), "x");

        assertThrows(MarkerWriteException.class, () -> store.write(MARKER));

        assertEquals(Set.of(".drain_request.json"), names(home));
        assertTrue(Files.isDirectory(marker));
    }

    // --- remove ---------------------------------------------------------------------------------

    @Test
    void removeIsIdempotent() {
        store.write(MARKER);

        assertTrue(store.remove());
        assertFalse(store.remove());
        assertFalse(store.exists());
        assertInstanceOf(MarkerRead.Absent.class, store.read());
    }

    @Test
    void removeOfNoMarkerIsNotAnError() {
        assertFalse(store.remove());
    }

    @Test
    void removeInAnImmutableHomeThrowsAndTheMarkerIsStillThere() throws IOException {
        store.write(MARKER);
        byte[] before = Files.readAllBytes(marker);

        try (UnwritableDirs.Frozen frozen = UnwritableDirs.freeze(home)) {
            MarkerWriteException failure = assertThrows(MarkerWriteException.class, store::remove);
            assertTrue(failure.getMessage().contains("remove"), failure.getMessage());
        }

        assertArrayEquals(before, Files.readAllBytes(marker));
        assertEquals(MARKER, present().marker());
    }

    @Test
    void removeLeftoverTempFilesDeletesCrashedWritesAndKeepsTheMarker() throws IOException {
        store.write(MARKER);
        Files.writeString(home.resolve(".drain_request.json.1f0e.tmp"), "{\"action\": \"dr");
        Files.writeString(home.resolve(".drain_request.json.2a9b.tmp"), "");
        Files.writeString(home.resolve(".restart_notify.json"), "{}");

        assertEquals(2, store.removeLeftoverTempFiles());

        assertEquals(Set.of(".drain_request.json", ".restart_notify.json"), names(home));
        assertEquals(MARKER, present().marker());
    }

    @Test
    void existsSeesAFileADirectoryAndADanglingLink() throws IOException {
        assertFalse(store.exists());
        store.write(MARKER);
        assertTrue(store.exists());
        store.remove();

        Files.createDirectory(marker);
        assertTrue(store.exists());
        Files.delete(marker);

        Files.createSymbolicLink(marker, home.resolve("nowhere"));
        assertTrue(store.exists());
    }

    // --- read -----------------------------------------------------------------------------------

    @Test
    void readOfNoMarkerIsAbsent() {
        assertInstanceOf(MarkerRead.Absent.class, store.read());
    }

    @Test
    void readInAMissingHomeIsAbsent() {
        assertInstanceOf(MarkerRead.Absent.class, new DrainMarkerStore(home.resolve("gone")).read());
    }

    @Test
    void referenceMarkerIsUnderstood() throws IOException {
        Files.writeString(marker, MarkerCodecTest.REFERENCE_MARKER);
        Files.setLastModifiedTime(marker, FileTime.from(MTIME));

        MarkerRead.Present read = present();

        assertEquals(new DrainMarker("drain", REQUESTED, "nas", "b3d6e574-7a48-4df7-869a-a272f157b1e1:14", true,
                null, null, null), read.marker());
        assertEquals(MTIME, read.modifiedAt());
    }

    @Test
    void wrongTypedFieldsReadAsMissing() throws IOException {
        Files.writeString(marker, "{\"action\": \"drain\", \"requested_at\": 1782460039, \"principal\": null,"
                + " \"epoch\": \"boot:14\", \"suppress_notification\": \"true\", \"drain_id\": 7,"
                + " \"reason\": [\"x\"], \"lease_expires_at\": {\"at\": \"2026-06-26T08:47:19+00:00\"}}");

        assertEquals(new DrainMarker("drain", null, null, "boot:14", false, null, null, null), present().marker());
    }

    @Test
    void suppressNotificationAsAStringIsNotSuppression() throws IOException {
        Files.writeString(marker, "{\"action\": \"drain\", \"suppress_notification\": \"true\"}");

        assertFalse(present().marker().suppressNotification());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "null", "42", "\"str\"", "true", "", "   \n\t", "{} x", "{\"action\": \"drain\"",
        "{\"action\": \"dr", "\u0000\u0001\u0002garbage\u00ff", "{\"action\": \"drain\"}}", "[{\"action\": \"drain\"}]"})
    void fileThatIsNotOneJsonObjectIsUnparseable(String content) throws IOException {
        Files.writeString(marker, content);
        Files.setLastModifiedTime(marker, FileTime.from(MTIME));

        MarkerRead.Unparseable read = assertInstanceOf(MarkerRead.Unparseable.class, store.read());

        assertEquals(MTIME, read.modifiedAt());
        assertFalse(read.problem().isBlank());
    }

    @Test
    void corruptBytesAreUnparseable() throws IOException {
        byte[] garbage = new byte[512];
        new Random(7).nextBytes(garbage);
        garbage[0] = (byte) 0xFF; // never valid UTF-8, never '{'
        Files.write(marker, garbage);

        assertInstanceOf(MarkerRead.Unparseable.class, store.read());
    }

    @Test
    void invalidUtf8IsUnparseable() throws IOException {
        byte[] bytes = "{\"principal\": \"n_s\"}".getBytes(StandardCharsets.US_ASCII);
        bytes[16] = (byte) 0xC3;
        Files.write(marker, bytes);

        MarkerRead.Unparseable read = assertInstanceOf(MarkerRead.Unparseable.class, store.read());
        assertEquals("not UTF-8 text", read.problem());
    }

    @Test
    void fileLargerThan64KiBIsUnparseableEvenWhenItIsAValidObject() throws IOException {
        Files.writeString(marker, padded("{\"action\": \"drain\"}", DrainMarkerStore.MAX_MARKER_BYTES + 1));

        MarkerRead.Unparseable read = assertInstanceOf(MarkerRead.Unparseable.class, store.read());
        assertTrue(read.problem().contains("larger than"), read.problem());
    }

    @Test
    void fileOfExactly64KiBIsStillRead() throws IOException {
        Files.writeString(marker, padded("{\"action\": \"drain\"}", DrainMarkerStore.MAX_MARKER_BYTES));
        assertEquals(64 * 1024, Files.size(marker));

        assertEquals("drain", present().marker().action());
    }

    /** A sparse 3 GiB file takes no disk; reading it whole would not even fit in an array. */
    @Test
    void hugeFileIsUnparseableWithoutBeingReadWhole() throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(marker.toFile(), "rw")) {
            file.write('{');
            file.setLength(3L * 1024 * 1024 * 1024);
        }

        MarkerRead.Unparseable read = assertInstanceOf(MarkerRead.Unparseable.class, store.read());
        assertTrue(read.problem().contains("larger than"), read.problem());
    }

    /** Tens of thousands of nesting levels fit in 64 KiB; parsing them must not overflow the stack. */
    @Test
    void deeplyNestedJsonDoesNotCrashTheReadAndStillDrains() throws IOException {
        int depth = 30_000;
        Files.writeString(marker, "{\"a\": " + "[".repeat(depth) + "]".repeat(depth) + "}");
        Files.setLastModifiedTime(marker, FileTime.from(MTIME));

        MarkerRead read = store.read();

        assertTrue(read instanceof MarkerRead.Unparseable || read instanceof MarkerRead.Present, read.toString());
        assertTrue(new MarkerJudge("", Duration.ofHours(1)).judge(read, MTIME).isActive());
    }

    @Test
    void directoryInTheMarkersPlaceIsUnreadable() throws IOException {
        Files.createDirectory(marker);

        MarkerRead.Unreadable read = assertInstanceOf(MarkerRead.Unreadable.class, store.read());
        assertTrue(read.problem().contains(marker.toString()), read.problem());
    }

    /** Opening a FIFO with no writer blocks forever; the timeout turns that hang into a failure. */
    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void namedPipeInTheMarkersPlaceIsUnreadableAndDoesNotBlock() throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", marker.toString()).redirectErrorStream(true).start();
        assumeTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo unavailable");

        assertInstanceOf(MarkerRead.Unreadable.class, store.read());
    }

    @Test
    void symlinkToAMarkerIsFollowed() throws IOException {
        Path real = Files.writeString(home.resolve("elsewhere.json"), MarkerCodecTest.REFERENCE_MARKER);
        Files.createSymbolicLink(marker, real);

        assertEquals("nas", present().marker().principal());
    }

    /**
     * A link to nothing holds no marker: absent, as for the reference ({@code Path.read_text} raises
     * FileNotFoundError). {@link DrainMarkerStore#exists()} still sees the link.
     */
    @Test
    void danglingSymlinkIsAbsent() throws IOException {
        Files.createSymbolicLink(marker, home.resolve("nowhere.json"));

        assertInstanceOf(MarkerRead.Absent.class, store.read());
        assertTrue(store.exists());
    }

    @Test
    void symlinkLoopIsUnreadable() throws IOException {
        Files.createSymbolicLink(marker, marker.getFileName());

        assertInstanceOf(MarkerRead.Unreadable.class, store.read());
    }

    @Test
    void readNeverChangesTheFile() throws IOException {
        Files.writeString(marker, "{\"epoch\": \"another-machine:1\"}");
        Files.setLastModifiedTime(marker, FileTime.from(MTIME));

        for (int i = 0; i < 3; i++) {
            assertNotNull(store.read());
        }

        assertEquals("{\"epoch\": \"another-machine:1\"}", Files.readString(marker));
        assertEquals(MTIME, Files.getLastModifiedTime(marker).toInstant());
    }

    @Test
    void legacyMarkerWithoutOurFieldsReadsThemAsNull() throws IOException {
        Files.writeString(marker, "{\"action\": \"drain\", \"requested_at\": \"2026-06-26T07:47:19.123456+00:00\","
                + " \"principal\": \"drain-control\"}");

        DrainMarker read = present().marker();

        assertNull(read.epoch());
        assertNull(read.drainId());
        assertNull(read.reason());
        assertNull(read.leaseExpiresAt());
        assertFalse(read.suppressNotification());
    }

    private MarkerRead.Present present() {
        return assertInstanceOf(MarkerRead.Present.class, store.read());
    }

    /** {@code json} followed by spaces up to {@code size} bytes (JSON allows trailing whitespace). */
    private static String padded(String json, int size) {
        return json + " ".repeat(size - json.length());
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }
}
