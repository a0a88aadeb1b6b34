package dev.quiesce.drain;

import java.util.Locale;
import java.util.Objects;

/**
 * A drain call that was refused, for the audit log ({@link DrainAuditLog#recordRefusal}): nothing
 * changed, and the operator will want to know who tried what. The state bean reports the
 * refusals it makes ({@link DrainRefusedException}); the API reports those of auth, which come
 * before the bean is called. Immutable.
 *
 * @param principal who called, from the token; empty when the call had no valid token
 * @param call {@code BeginDrain}, {@code CancelDrain}, or the REST endpoint ({@code POST /api/gateway/drain})
 *     when the refusal came before its body was read
 * @param refusal why, lowercase: a {@link DrainRefusedException.Reason} ({@code shutting_down},
 *     {@code wrong_drain_id}, ...) or an auth refusal ({@code unauthenticated}, {@code permission_denied})
 * @param description what the caller was told; never a token
 */
public record DrainRefusal(String principal, String call, String refusal, String description) {

    public DrainRefusal {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(refusal, "refusal");
        Objects.requireNonNull(description, "description");
    }

    /** The refusal {@code e} of {@code call} by {@code principal}. */
    static DrainRefusal of(String principal, String call, DrainRefusedException e) {
        return new DrainRefusal(principal, call, e.reason().name().toLowerCase(Locale.ROOT), e.getMessage());
    }

    /** Whether the caller had no valid token: anyone can make such a refusal, at any rate. */
    public boolean anonymous() {
        return principal.isEmpty();
    }
}
