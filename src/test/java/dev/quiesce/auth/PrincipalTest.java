package dev.quiesce.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrincipalTest {

    @Test
    void principalHasExactlyTheScopesItWasGiven() {
        Principal principal = new Principal("ci", Set.of(Scope.READ, Scope.INGEST));

        assertTrue(principal.has(Scope.READ));
        assertTrue(principal.has(Scope.INGEST));
        assertFalse(principal.has(Scope.DRAIN));
        assertFalse(principal.has(Scope.INTERNAL));
    }

    @Test
    void scopesCannotBeChangedAfterwards() {
        EnumSet<Scope> given = EnumSet.of(Scope.READ);
        Principal principal = new Principal("ci", given);

        given.add(Scope.DRAIN);

        assertFalse(principal.has(Scope.DRAIN));
        assertThrows(UnsupportedOperationException.class, () -> principal.scopes().add(Scope.DRAIN));
    }

    @Test
    void internalMessagesNeedScopeInternalAndUserMessagesDoNot() {
        Principal ingester = new Principal("platform", Set.of(Scope.INGEST));
        Principal system = new Principal("system", Set.of(Scope.INGEST, Scope.INTERNAL));

        ingester.authorizeMessage(false);
        system.authorizeMessage(true);
        AuthException refused = assertThrows(AuthException.class, () -> ingester.authorizeMessage(true));

        assertEquals(AuthException.Kind.PERMISSION_DENIED, refused.kind());
        assertEquals("token of principal 'platform' lacks scope 'internal', needed for internal messages",
                refused.description());
    }

    @Test
    void scopeListIsWrittenAsInTheTokensFile() {
        assertEquals("read,drain,ingest,internal", new Principal("op", EnumSet.allOf(Scope.class)).scopeList());
        assertEquals("drain,internal", new Principal("op", Set.of(Scope.INTERNAL, Scope.DRAIN)).scopeList());
        assertEquals("(none)", new Principal("op", Set.of()).scopeList());
    }

    @Test
    void scopesAreReadFromTheirExactLowercaseNames() {
        assertEquals(Optional.of(Scope.INTERNAL), Scope.fromFileName("internal"));
        assertEquals(Optional.empty(), Scope.fromFileName("Internal"));
        assertEquals(Optional.empty(), Scope.fromFileName(""));
    }
}
