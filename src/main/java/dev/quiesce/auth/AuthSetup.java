package dev.quiesce.auth;

import dev.quiesce.home.QuiesceHome;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;

/** CDI wiring of the token store and the authenticator. */
@Singleton
public class AuthSetup {

    /**
     * Created at startup, so the bootstrap token exists before the first call and a home where
     * it cannot be written stops the application instead of failing every call.
     */
    @Produces
    @Singleton
    @Startup
    TokenStore tokenStore(QuiesceHome home) {
        try {
            return TokenStore.open(home.path());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the bootstrap token files in " + home.path(), e);
        }
    }

    @Produces
    @Singleton
    Authenticator authenticator(TokenStore tokens, Clock clock) {
        return new Authenticator(tokens, clock);
    }
}
