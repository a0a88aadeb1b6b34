package dev.quiesce.auth;

/**
 * One valid line of the tokens file.
 *
 * @param principal who the token belongs to and its scopes
 * @param hash the SHA-256 of the token (32 bytes); never the token itself. Not copied: only
 *     {@link TokensFile} creates entries and nothing writes to the array afterwards.
 */
record TokenEntry(Principal principal, byte[] hash) {}
