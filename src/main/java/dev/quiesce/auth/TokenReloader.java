package dev.quiesce.auth;

import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;

/**
 * Looks at the tokens file every {@code quiesce.auth.reload-interval} (default 1s), so rotated
 * tokens take effect without a restart. A look is one {@code stat}; the file is read only when it
 * changed. Never throws ({@link TokenStore#refresh} logs its own problems).
 */
@Singleton
public class TokenReloader {

    private final TokenStore tokens;

    TokenReloader(TokenStore tokens) {
        this.tokens = tokens;
    }

    @Scheduled(every = "{quiesce.auth.reload-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reloadTokens() {
        tokens.refresh();
    }
}
