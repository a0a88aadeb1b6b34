package dev.quiesce.home;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuiesceHomeTest {

    private static final Map<String, String> HERMES_ENV = Map.of("HERMES_HOME", "/srv/hermes", "HOME", "/root");

    @Test
    void configuredHomeWinsOverHermesHomeAndUserHome() {
        QuiesceHome home = QuiesceHome.resolve(Optional.of("/etc/quiesce-home"), HERMES_ENV, "/home/op");

        assertEquals(Path.of("/etc/quiesce-home"), home.path());
    }

    @Test
    void hermesHomeIsUsedWhenNothingIsConfigured() {
        QuiesceHome home = QuiesceHome.resolve(Optional.empty(), HERMES_ENV, "/home/op");

        assertEquals(Path.of("/srv/hermes"), home.path());
    }

    @Test
    void blankConfiguredHomeCountsAsUnset() {
        QuiesceHome home = QuiesceHome.resolve(Optional.of("   "), HERMES_ENV, "/home/op");

        assertEquals(Path.of("/srv/hermes"), home.path());
    }

    @Test
    void dotQuiesceInTheUserHomeIsTheLastResort() {
        QuiesceHome home = QuiesceHome.resolve(Optional.empty(), Map.of("HOME", "/root"), "/home/op");

        assertEquals(Path.of("/home/op/.quiesce"), home.path());
    }

    @Test
    void blankHermesHomeCountsAsUnset() {
        QuiesceHome home = QuiesceHome.resolve(Optional.empty(), Map.of("HERMES_HOME", ""), "/home/op");

        assertEquals(Path.of("/home/op/.quiesce"), home.path());
    }

    @Test
    void relativeHomeIsMadeAbsoluteAndNormalised() {
        QuiesceHome home = QuiesceHome.resolve(Optional.of("state/../quiesce-home"), Map.of(), "/home/op");

        assertTrue(home.path().isAbsolute(), home.path().toString());
        assertEquals(Path.of("").toAbsolutePath().resolve("quiesce-home"), home.path());
    }

    @Test
    void resolveFileNamesAFileInsideTheHome() {
        QuiesceHome home = new QuiesceHome(Path.of("/srv/hermes"));

        assertEquals(Path.of("/srv/hermes/.drain_request.json"), home.resolveFile(".drain_request.json"));
    }

    @Test
    void ensureExistsCreatesAMissingHomeAndItsParentsWithMode0700(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("volume/data/quiesce");
        QuiesceHome home = new QuiesceHome(dir);

        assertSame(home, home.ensureExists());

        assertTrue(Files.isDirectory(dir));
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(dir));
    }

    @Test
    void ensureExistsLeavesAnExistingHomesModeAsTheOperatorSetIt(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("home"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
        Files.writeString(dir.resolve("tokens"), "kept");

        new QuiesceHome(dir).ensureExists();

        assertEquals(PosixFilePermissions.fromString("rwxr-x---"), Files.getPosixFilePermissions(dir));
        assertEquals("kept", Files.readString(dir.resolve("tokens")));
    }

    @Test
    void ensureExistsFailsWhenAFileOccupiesTheHomePath(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("home"), "not a directory");

        assertThrows(IOException.class, () -> new QuiesceHome(file).ensureExists());
        assertTrue(Files.isRegularFile(file));
    }
}
