package dev.quiesce.auth;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The format of {@code <home>/tokens}: one token per line,
 * {@code <principal> <scope,scope,...> <sha256-hex-of-token>}, separated by spaces or tabs;
 * {@code #} comment lines and blank lines are allowed. Stateless and thread-safe.
 *
 * <p>Problems are reported by line number and kind only, never with the line's content: an
 * operator may have pasted a raw token where the hash belongs.
 */
final class TokensFile {

    /** Principals end up in drain markers, audit lines and logs: keep them one plain word. */
    private static final Pattern PRINCIPAL = Pattern.compile("[A-Za-z0-9._@:/-]{1,128}");

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    private TokensFile() {}

    /**
     * The valid entries of a tokens file and what was wrong with the others.
     *
     * @param entries one per valid line, in file order
     * @param problems one per skipped line, e.g. {@code "line 3: expected 3 fields, found 2"}
     */
    record Parsed(List<TokenEntry> entries, List<String> problems) {}

    /** Parses the file's bytes (UTF-8). Never throws; a line that is not valid is skipped and reported. */
    static Parsed parse(byte[] content) {
        String[] lines = new String(content, StandardCharsets.UTF_8).split("\r?\n", -1);
        List<TokenEntry> entries = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, Integer> lineOfHash = new HashMap<>();
        for (int i = 0; i < lines.length; i++) {
            int lineNumber = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("[ \t]+");
            Optional<String> problem = check(fields);
            if (problem.isEmpty()) {
                // Two lines for one token would make its principal depend on line order.
                Integer earlier = lineOfHash.putIfAbsent(fields[2].toLowerCase(Locale.ROOT), lineNumber);
                if (earlier != null) {
                    problem = Optional.of("the same token hash as line " + earlier);
                }
            }
            if (problem.isPresent()) {
                problems.add("line " + lineNumber + ": " + problem.get());
            } else {
                entries.add(new TokenEntry(new Principal(fields[0], scopes(fields[1])),
                        HexFormat.of().parseHex(fields[2])));
            }
        }
        return new Parsed(List.copyOf(entries), List.copyOf(problems));
    }

    /** The problem with a line's fields, if any, described without quoting them. */
    private static Optional<String> check(String[] fields) {
        if (fields.length != 3) {
            return Optional.of("expected 3 fields (principal, scopes, sha256), found " + fields.length);
        }
        if (!PRINCIPAL.matcher(fields[0]).matches()) {
            return Optional.of("the principal must be 1-128 characters of A-Z a-z 0-9 . _ @ : / -");
        }
        for (String name : fields[1].split(",", -1)) {
            if (Scope.fromFileName(name).isEmpty()) {
                return Optional.of("unknown or empty scope; scopes are read, drain, ingest, internal, comma-separated");
            }
        }
        if (!SHA256_HEX.matcher(fields[2]).matches()) {
            return Optional.of("the third field must be the token's SHA-256 as 64 hex digits");
        }
        return Optional.empty();
    }

    private static Set<Scope> scopes(String field) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String name : field.split(",")) {
            scopes.add(Scope.fromFileName(name).orElseThrow());
        }
        return scopes;
    }

    /** A new tokens file holding one line for {@code principal}; {@code sha256Hex} is the token's hash. */
    static byte[] render(String principal, Set<Scope> scopes, String sha256Hex) {
        String text = """
                # Quiesce bearer tokens, one per line: <principal> <scope,scope,...> <sha256-hex-of-token>
                # Scopes: read, drain, ingest, internal. Never put a token itself here, only its hash:
                #   printf %%s "$TOKEN" | sha256sum
                # Changes take effect within about a second, without a restart.
                %s %s %s
                """.formatted(principal, new Principal(principal, scopes).scopeList(), sha256Hex);
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
