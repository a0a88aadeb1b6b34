package dev.quiesce.api;

import dev.quiesce.auth.AuthException;
import dev.quiesce.auth.Scope;
import dev.quiesce.drain.DrainAuditLog;
import dev.quiesce.drain.DrainRefusal;
import jakarta.inject.Singleton;
import java.util.Locale;

/**
 * Puts the auth refusals of drain calls in the audit log, for both transports alike: a call to an
 * endpoint that needs scope {@code drain} refused for its token (UNAUTHENTICATED, PERMISSION_DENIED)
 * never reaches the state bean, which records the refusals it makes itself. The audit log coalesces
 * these ({@link DrainAuditLog#recordRefusal}). Thread-safe.
 */
@Singleton
public class DrainCallAudit {

    private final DrainAuditLog audit;

    public DrainCallAudit(DrainAuditLog audit) {
        this.audit = audit;
    }

    /**
     * Records {@code refused} when {@code needed} is scope {@code drain}; other scopes' calls are not audited.
     *
     * @param call {@code BeginDrain}, {@code CancelDrain}, or the REST endpoint
     */
    public void authRefused(Scope needed, String call, AuthException refused) {
        if (needed == Scope.DRAIN) {
            audit.recordRefusal(new DrainRefusal(refused.principal(), call,
                    refused.kind().name().toLowerCase(Locale.ROOT), refused.description()));
        }
    }
}
