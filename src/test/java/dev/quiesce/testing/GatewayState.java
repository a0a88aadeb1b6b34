package dev.quiesce.testing;

import dev.quiesce.drain.DrainSnapshot;
import dev.quiesce.drain.DrainStateBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What a refused request must leave untouched, taken in one look: the state's version (which
 * every transition and every turn starting or ending bumps), the phase, the turns in flight and
 * the marker file's bytes ({@code null} when there is none).
 */
public record GatewayState(long version, String phase, int inFlight, byte[] marker) {

    public static GatewayState of(DrainStateBean state, Path markerFile) {
        DrainSnapshot snapshot = state.current();
        byte[] marker;
        try {
            marker = Files.readAllBytes(markerFile);
        } catch (NoSuchFileException e) {
            marker = null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new GatewayState(snapshot.version(), snapshot.phase().name(), snapshot.inFlightCount(), marker);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GatewayState that && version == that.version && phase.equals(that.phase)
                && inFlight == that.inFlight && Arrays.equals(marker, that.marker);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(version);
    }

    @Override
    public String toString() {
        return "version " + version + ", " + phase + ", " + inFlight + " in flight, marker "
                + (marker == null ? "absent" : marker.length + " bytes");
    }
}
