package dev.quiesce.testing;

/** Tokens the {@link TestHome} tokens file grants, one per kind of caller. */
public enum TestTokens {
    OPERATOR("operator", "read,drain,ingest,internal", "qsc_test_operator_token_0123456789abcdef"),
    READER("dashboard", "read", "qsc_test_reader_token_0123456789abcdef"),
    INGESTER("platform", "ingest", "qsc_test_ingest_token_0123456789abcdef"),
    DRAINER("orchestrator", "read,drain", "qsc_test_drainer_token_0123456789abcdef");

    public final String principal;
    public final String scopes;
    public final String token;

    TestTokens(String principal, String scopes, String token) {
        this.principal = principal;
        this.scopes = scopes;
        this.token = token;
    }

    /** The value of the {@code authorization} header or metadata. */
    public String bearer() {
        return "Bearer " + token;
    }
}
