package dev.quiesce.health;

import dev.quiesce.home.HomeWritability;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * The home's writability as health data, the same in readiness and liveness: {@code home_writable}
 * and, when it is false, {@code home_error} with the cause. Data only: neither check goes DOWN for it
 * (see {@link DrainReadinessCheck}). Stateless and thread-safe.
 */
final class HomeHealthData {

    private HomeHealthData() {}

    /** Adds {@code writability}'s current answer ({@link HomeWritability#check}, rate-limited) to {@code builder}. */
    static void add(HealthCheckResponseBuilder builder, HomeWritability writability) {
        HomeWritability.Status home = writability.check();
        builder.withData("home_writable", home.writable());
        if (!home.writable()) {
            builder.withData("home_error", home.cause());
        }
    }
}
