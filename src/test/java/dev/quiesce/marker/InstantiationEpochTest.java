package dev.quiesce.marker;

import static dev.quiesce.marker.FakeProc.BOOT_ID;
import static dev.quiesce.marker.FakeProc.OTHER_BOOT_ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstantiationEpochTest {

    @TempDir
    Path procRoot;

    private FakeProc proc;

    @BeforeEach
    void fakeProc() {
        proc = new FakeProc(procRoot);
    }

    @Test
    void epochIsBootIdColonPid1StartTime() {
        proc.bootId(BOOT_ID).pid1("systemd", 14);

        assertEquals(BOOT_ID + ":14", InstantiationEpoch.read(procRoot));
    }

    @Test
    void startTimeIsField22AndNotAnyNeighbour() {
        proc.bootId(BOOT_ID).pid1Stat(FakeProc.statLine("init", "987654321"));

        assertEquals(BOOT_ID + ":987654321", InstantiationEpoch.read(procRoot));
    }

    @Test
    void commandNameWithSpacesAndParenthesesIsSkippedWhole() {
        proc.bootId(BOOT_ID).pid1Stat(FakeProc.statLine("my (weird) init", "4242"));

        assertEquals(BOOT_ID + ":4242", InstantiationEpoch.read(procRoot));
    }

    @Test
    void commandNameThatLooksLikeMoreFieldsDoesNotShiftTheCount() {
        proc.bootId(BOOT_ID).pid1Stat(FakeProc.statLine(") S 0 1 1 0 -1 9 9 9 9 9 9 9 9 9 9 9 9 9 777 (", "4242"));

        assertEquals(BOOT_ID + ":4242", InstantiationEpoch.read(procRoot));
    }

    @Test
    void missingBootIdLeavesTheFirstPartEmpty() {
        proc.pid1("systemd", 14);

        assertEquals(":14", InstantiationEpoch.read(procRoot));
    }

    @Test
    void blankBootIdCountsAsMissing() {
        proc.pid1("systemd", 14).bootId("  ");

        assertEquals(":14", InstantiationEpoch.read(procRoot));
    }

    @Test
    void missingStatLeavesTheSecondPartEmpty() {
        proc.bootId(BOOT_ID);

        assertEquals(BOOT_ID + ":", InstantiationEpoch.read(procRoot));
    }

    @Test
    void statWithFewerThan22FieldsLeavesTheSecondPartEmpty() {
        proc.bootId(BOOT_ID).pid1Stat("1 (init) S 0 1 1 0 -1 4194560 10603 289377 0 137 14 58 764 414 20 0 1 0\n");

        assertEquals(BOOT_ID + ":", InstantiationEpoch.read(procRoot));
    }

    @Test
    void statWithoutACommandNameLeavesTheSecondPartEmpty() {
        proc.bootId(BOOT_ID).pid1Stat("1 init S 0 1 1 0 -1 4194560 10603 289377 0 137 14 58 764 414 20 0 1 0 14 3 4\n");

        assertEquals(BOOT_ID + ":", InstantiationEpoch.read(procRoot));
    }

    @Test
    void bothPartsMissingGiveTheEmptyEpoch() {
        assertEquals("", InstantiationEpoch.read(procRoot));
    }

    @Test
    void missingProcRootGivesTheEmptyEpoch() {
        assertEquals("", InstantiationEpoch.read(procRoot.resolve("no-such-proc")));
    }

    @Test
    void directoriesInPlaceOfTheFilesGiveTheEmptyEpoch() throws IOException {
        Files.createDirectories(procRoot.resolve("sys/kernel/random/boot_id"));
        Files.createDirectories(procRoot.resolve("1/stat"));

        assertEquals("", InstantiationEpoch.read(procRoot));
    }

    @Test
    void containerRestartChangesTheEpoch() {
        String before = proc.bootId(BOOT_ID).pid1("s6-svscan", 14).epoch();
        String after = proc.pid1("s6-svscan", 90210).epoch();

        assertNotEquals(before, after);
        assertEquals(BOOT_ID + ":90210", after);
    }

    @Test
    void rebootChangesTheEpochEvenWhenPid1StartsAtTheSameTick() {
        String before = proc.bootId(BOOT_ID).pid1("init", 14).epoch();
        String after = proc.bootId(OTHER_BOOT_ID).epoch();

        assertNotEquals(before, after);
    }

    @Test
    void gatewayRestartUnderTheSamePid1KeepsTheEpoch() {
        String before = proc.bootId(BOOT_ID).pid1("s6-svscan", 14).epoch();
        String after = InstantiationEpoch.read(procRoot);

        assertEquals(before, after);
    }

    @Test
    void realProcGivesThisMachinesBootIdAndPid1Start() throws IOException {
        Path realBootId = Path.of("/proc/sys/kernel/random/boot_id");
        Path realStat = Path.of("/proc/1/stat");
        assumeTrue(Files.isReadable(realBootId) && Files.isReadable(realStat), "no Linux /proc here");
        String stat = Files.readString(realStat);
        String[] tail = stat.substring(stat.lastIndexOf(')') + 1).trim().split("\\s+");

        String epoch = InstantiationEpoch.read(Path.of("/proc"));

        assertEquals(Files.readString(realBootId).trim() + ":" + tail[19], epoch);
        assertTrue(epoch.matches("[0-9a-f-]{36}:\\d+"), epoch);
    }
}
