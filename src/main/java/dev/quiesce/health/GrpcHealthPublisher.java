package dev.quiesce.health;

import dev.quiesce.drain.DrainListener;
import dev.quiesce.drain.DrainSnapshot;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.drain.Phase;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Drives {@code grpc.health.v1.Health} from the drain state, which Quarkus does not do by itself
 * (it would stay SERVING while readiness is DOWN). The only class that touches Quarkus' runtime
 * {@link GrpcHealthStorage}.
 *
 * <ul>
 *   <li>{@code ""} and {@code quiesce.v1.MessageGateway}: SERVING only in RUNNING — the data plane.
 *   <li>{@code quiesce.v1.DrainControl}: SERVING until STOPPED — the control plane stays reachable
 *       while the data plane drains.
 * </ul>
 * {@code Watch} streams see every change because the storage broadcasts each status it is given.
 * Thread-safe.
 */
@ApplicationScoped
public class GrpcHealthPublisher implements DrainListener {

    /** The data-plane service name. */
    public static final String GATEWAY_SERVICE = "quiesce.v1.MessageGateway";
    /** The control-plane service name. */
    public static final String CONTROL_SERVICE = "quiesce.v1.DrainControl";

    private final GrpcHealthStorage storage;
    private final DrainStateBean state;
    /** Guarded by this: the phase last applied to the storage. */
    private Phase applied;

    @Inject
    public GrpcHealthPublisher(GrpcHealthStorage storage, DrainStateBean state) {
        this.storage = storage;
        this.state = state;
    }

    @Override
    public synchronized void onChange(DrainSnapshot snapshot) {
        if (snapshot.phase() == applied) {
            return; // most changes are turns starting and ending
        }
        apply(snapshot.phase());
    }

    /** Re-applies the state after the server registered its services, which marks them SERVING. */
    void onStart(@Observes @Priority(Integer.MAX_VALUE) StartupEvent event) {
        synchronized (this) {
            apply(state.current().phase());
        }
    }

    private void apply(Phase phase) {
        applied = phase;
        ServingStatus data = phase == Phase.RUNNING ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        ServingStatus control = phase == Phase.STOPPED ? ServingStatus.NOT_SERVING : ServingStatus.SERVING;
        set(GrpcHealthStorage.DEFAULT_SERVICE_NAME, data);
        set(GATEWAY_SERVICE, data);
        set(CONTROL_SERVICE, control);
    }

    private void set(String service, ServingStatus status) {
        if (storage.getStatuses().get(service) != status) {
            storage.setStatus(service, status);
        }
    }
}
