package dev.quiesce.drain;

import dev.quiesce.home.QuiesceHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The status file writer's start: what a crashed write left behind. */
class StatusFileWriterTest {

    @TempDir
    Path home;

    @Test
    void tempFilesOfAWriteCutOffByACrashAreRemovedAtStartAndNothingElse() throws Exception {
        Path leftover = Files.writeString(home.resolve(".gateway_state.json.0b1c2d3e.tmp"), "{\"pid\": ");
        Path markerTemp = Files.writeString(home.resolve(".drain_request.json.0b1c2d3e.tmp"), "{");
        Path status = Files.writeString(home.resolve("gateway_state.json"), "{}");

        new StatusFileWriter(new QuiesceHome(home), Clock.systemUTC()).removeLeftoverTempFiles();

        assertThat(leftover).doesNotExist();
        assertThat(markerTemp).as("the marker store's to clean").exists();
        assertThat(status).exists();
    }
}
