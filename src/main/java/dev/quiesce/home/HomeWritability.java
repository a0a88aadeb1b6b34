package dev.quiesce.home;

import io.quarkus.logging.Log;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.function.LongSupplier;

/**
 * Whether the gateway can still write its home. A home that became read-only, immutable or full still
 * lets the gateway start when the tokens are already there, and the data plane keeps serving, but no
 * drain can be begun or cancelled: the marker cannot be written or removed. Health reports it
 * ({@code home_writable}, {@code home_error}) so an operator sees it before the BeginDrain that fails.
 *
 * <p><b>The probe.</b> {@link #check} creates {@value #PROBE_NAME} in the home (mode 0600), writes a
 * byte and deletes it, as a marker write does (a new entry, written, then an entry removed): a
 * directory that refuses any of that cannot take a marker either. It costs about what a status-file
 * write costs and runs at most once per {@link #MIN_INTERVAL}, however often health is probed (the
 * probes need no token); in between, the last result is returned. A probe file left by a crash is
 * simply written over by the next probe.
 *
 * <p>A change is logged once: WARN with the cause when the home becomes unwritable (once per distinct
 * cause), INFO when it is writable again. Never throws. Thread-safe: probes are serialised, so two
 * never share the probe file.
 */
public final class HomeWritability {

    /** The probe file's name in the home. */
    public static final String PROBE_NAME = ".write_probe";

    /** The shortest time between two probes. */
    static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

    /**
     * What the last probe found.
     *
     * @param writable the probe file could be created, written and deleted
     * @param cause why not, for operators (the exception, which names the path); empty when writable
     */
    public record Status(boolean writable, String cause) {
        static final Status WRITABLE = new Status(true, "");
    }

    private final Path home;
    private final long minIntervalNanos;
    private final LongSupplier nanoTime;
    private final LogOnce<String> problem = LogOnce.tracker();
    /** Guarded by {@code this}: the last result, and when (on {@link #nanoTime}) it was found. */
    private Status last;
    private long lastAt;

    /** Probes {@code home} at most once per {@link #MIN_INTERVAL}. */
    public HomeWritability(Path home) {
        this(home, MIN_INTERVAL, System::nanoTime);
    }

    /** For tests: another interval, and the monotonic clock it is measured on. */
    HomeWritability(Path home, Duration minInterval, LongSupplier nanoTime) {
        this.home = home;
        this.minIntervalNanos = minInterval.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Whether the home is writable: probed now, or the last probe's answer when it is recent. Never throws. */
    public synchronized Status check() {
        long now = nanoTime.getAsLong();
        if (last == null || now - lastAt >= minIntervalNanos) {
            last = probe();
            lastAt = now;
            report(last);
        }
        return last;
    }

    private Status probe() {
        Path probe = home.resolve(PROBE_NAME);
        try {
            try (FileChannel channel = FileChannel.open(probe, EnumSet.of(StandardOpenOption.CREATE,
                            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                channel.write(ByteBuffer.wrap(new byte[] {'q'}));
            }
            Files.delete(probe);
            return Status.WRITABLE;
        } catch (IOException | RuntimeException e) {
            return new Status(false, e.toString());
        }
    }

    private void report(Status status) {
        if (status.writable()) {
            if (problem.clear()) {
                Log.infof("The Quiesce home %s is writable again: drains can be begun and cancelled", home);
            }
        } else if (problem.isNew(status.cause())) {
            Log.warnf("The Quiesce home %s is not writable (%s): turns are still served, but no drain can be "
                    + "begun or cancelled until it is; health data says home_writable=false", home, status.cause());
        }
    }
}
