package dev.quiesce.auth;

import dev.quiesce.home.DurableFiles;
import dev.quiesce.home.LogOnce;
import io.quarkus.logging.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * The bearer tokens the gateway accepts, from {@code <home>/tokens} (format: {@link TokensFile}).
 * Holds only SHA-256 hashes; a token itself is never stored here nor logged.
 *
 * <p>{@link #open} bootstraps a first token when the home has no tokens file. {@link #refresh}
 * re-reads the file when its mtime, size or inode changed (the app calls it every
 * {@code quiesce.auth.reload-interval}), so tokens can be rotated without a restart.
 *
 * <p>Thread-safe: {@link #authenticate} reads an immutable snapshot without locking and does no
 * I/O, so it is fine on an event-loop thread; refreshes are serialised.
 */
public final class TokenStore {

    /** The tokens file in the home. */
    public static final String TOKENS_FILE = "tokens";

    /** Where the bootstrap token is written (mode 0600) for the operator to pick up. */
    public static final String CONTROL_TOKEN_FILE = "control.token";

    /** The principal of the bootstrap token. */
    public static final String BOOTSTRAP_PRINCIPAL = "operator";

    private final Path tokensFile;
    private final Path controlTokenFile;

    /** The last good set; replaced whole, never mutated. */
    private volatile List<TokenEntry> entries = List.of();

    /** Guards {@link #loadedStamp} and {@link #loadedOnce}; serialises refreshes. */
    private final Object refreshLock = new Object();

    /**
     * Identity of the file version {@link #entries} came from; null before the first good read
     * and after a failed one (so whatever appears next is read, even a same-sized file that
     * reuses the old inode within one timestamp tick).
     */
    private FileStamp loadedStamp;

    /** Whether any read succeeded yet. */
    private boolean loadedOnce;

    /** The read problem in force, so a lasting one is logged once, not at every refresh. */
    private final LogOnce<String> readProblem = LogOnce.tracker();

    private TokenStore(Path home) {
        this.tokensFile = home.resolve(TOKENS_FILE);
        this.controlTokenFile = home.resolve(CONTROL_TOKEN_FILE);
    }

    /**
     * Opens the store in {@code home} (which must exist). When no tokens file exists, first
     * generates one token for principal {@code operator} with every scope: the token goes to
     * {@code control.token} and only its hash to {@code tokens} (both 0600, written atomically, in
     * that order, so a crash in between never leaves a hash whose token nobody has). Only the
     * path of {@code control.token} is logged. Then loads the file; if it cannot be read, the store
     * starts empty (every token is refused) and picks the file up on a later {@link #refresh}.
     *
     * @throws IOException when the bootstrap files cannot be written
     */
    public static TokenStore open(Path home) throws IOException {
        TokenStore store = new TokenStore(home);
        store.bootstrapIfMissing();
        store.refresh();
        return store;
    }

    private void bootstrapIfMissing() throws IOException {
        // A dangling symlink (e.g. a mounted secret that is not there yet) is not "missing":
        // replacing it would silently detach the file from its source.
        if (Files.exists(tokensFile) || Files.isSymbolicLink(tokensFile)) {
            return;
        }
        String token = BearerTokens.generate();
        DurableFiles.replace(controlTokenFile, (token + "\n").getBytes(StandardCharsets.US_ASCII), true);
        DurableFiles.replace(tokensFile, TokensFile.render(BOOTSTRAP_PRINCIPAL, EnumSet.allOf(Scope.class),
                BearerTokens.sha256Hex(token)), true);
        Log.infof("No tokens file in the home: generated a token for principal '%s' with every scope. "
                + "It is in %s (mode 0600); only its hash was written to %s.",
                BOOTSTRAP_PRINCIPAL, controlTokenFile, tokensFile);
    }

    /**
     * The principal of {@code token}, or empty when no entry matches (also for null or empty).
     * The token's SHA-256 is compared with every entry in constant time, without stopping at a
     * match, so the time taken does not tell which entry (if any) matched. Never throws, no I/O.
     */
    public Optional<Principal> authenticate(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(match(entries, BearerTokens.sha256(token), MessageDigest::isEqual));
    }

    /**
     * The principal of the entry whose hash {@code equal}s {@code presented}, or null. Calls
     * {@code equal} once for every entry, in order, whether or not one matched already: no early
     * exit. Package-private so a test can count the comparisons.
     */
    static Principal match(List<TokenEntry> entries, byte[] presented, BiPredicate<byte[], byte[]> equal) {
        Principal found = null;
        for (TokenEntry entry : entries) {
            boolean matches = equal.test(presented, entry.hash());
            if (matches && found == null) {
                found = entry.principal();
            }
        }
        return found;
    }

    /**
     * Re-reads the tokens file if it changed (mtime, size or inode) since the last good read.
     * Never throws. Malformed lines are skipped with a warning naming their line number. If the
     * file is missing or cannot be read, the last good set stays in force and the problem is
     * logged once (again only when it changes); the file is tried again on the next call.
     */
    public void refresh() {
        synchronized (refreshLock) {
            FileStamp stamp;
            byte[] content;
            try {
                BasicFileAttributes attributes = Files.readAttributes(tokensFile, BasicFileAttributes.class);
                if (!attributes.isRegularFile()) {
                    throw new IOException("not a regular file");
                }
                stamp = FileStamp.of(attributes);
                if (stamp.equals(loadedStamp)) {
                    return;
                }
                content = Files.readAllBytes(tokensFile);
            } catch (IOException | RuntimeException e) {
                loadedStamp = null;
                reportUnreadable(describe(e));
                return;
            }
            TokensFile.Parsed parsed = TokensFile.parse(content);
            for (String problem : parsed.problems()) {
                Log.warnf("Tokens file %s: skipped %s", tokensFile, problem);
            }
            boolean firstLoad = !loadedOnce;
            entries = parsed.entries();
            loadedStamp = stamp;
            loadedOnce = true;
            readProblem.clear();
            if (parsed.entries().isEmpty()) {
                Log.warnf("Tokens file %s holds no valid token: every call that needs a token is refused", tokensFile);
            } else {
                Log.infof("%s %d token(s) from %s", firstLoad ? "Loaded" : "Reloaded", parsed.entries().size(),
                        tokensFile);
            }
        }
    }

    private void reportUnreadable(String problem) {
        if (!readProblem.isNew(problem)) {
            return;
        }
        if (!loadedOnce) {
            Log.errorf("Cannot read the tokens file %s (%s): every call that needs a token is refused "
                    + "until it can be read", tokensFile, problem);
        } else {
            Log.warnf("Cannot read the tokens file %s (%s): keeping the %d token(s) loaded earlier "
                    + "until it can be read again", tokensFile, problem, entries.size());
        }
    }

    /** How many valid tokens are in force. */
    public int size() {
        return entries.size();
    }

    /** {@code <home>/tokens}. */
    public Path tokensFile() {
        return tokensFile;
    }

    /** {@code <home>/control.token}, where the bootstrap token was written. */
    public Path controlTokenFile() {
        return controlTokenFile;
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** What identifies one version of the file without reading it. */
    private record FileStamp(FileTime modified, long size, Object fileKey) {
        static FileStamp of(BasicFileAttributes attributes) {
            return new FileStamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
        }
    }
}
