package dev.quiesce.home;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HomeLockTest {

    @TempDir
    Path home;

    @Test
    void theHolderWritesItsPidIntoALockFileOnlyItCanRead() throws Exception {
        try (HomeLock lock = HomeLock.acquire(home)) {
            assertThat(Files.readString(lock.path()).strip()).isEqualTo(String.valueOf(ProcessHandle.current().pid()));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(lock.path()))).isEqualTo("rw-------");
        }
    }

    @Test
    void aSecondGatewayIsRefusedNamingTheHolderUntilTheFirstLetsGo() throws Exception {
        HomeLock first = HomeLock.acquire(home);

        assertThatThrownBy(() -> HomeLock.acquire(home))
                .isInstanceOf(HomeLock.HomeLockedException.class)
                .hasMessageContaining("PID " + ProcessHandle.current().pid())
                .hasMessageContaining(home.resolve(".lock").toString());

        first.close();
        try (HomeLock second = HomeLock.acquire(home)) {
            assertThat(second.path()).exists();
        }
    }

    @Test
    void aLeftoverLockFileOfAGoneProcessDoesNotBlockAStart() throws Exception {
        Files.writeString(home.resolve(".lock"), "999999\n");

        try (HomeLock lock = HomeLock.acquire(home)) {
            assertThat(Files.readString(lock.path()).strip()).isEqualTo(String.valueOf(ProcessHandle.current().pid()));
        }
    }
}
