/**
 * Verifies tenant-issued JSON Web Tokens (signature from the tenant's configured key source only,
 * issuer, audience, expiry) before {@code AuthHandler} turns them into a {@code Principal}.
 */
package dev.tollgate.core.auth.jwt;
