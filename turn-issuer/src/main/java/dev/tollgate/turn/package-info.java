/**
 * Short-lived TURN credentials for realtime clients: coturn-compatible TURN REST credentials
 * (HMAC-SHA1 over {@code <expiry>:<tenant>:<user>}) and Cloudflare Realtime TURN keys, behind one
 * {@link dev.tollgate.turn.TurnCredentialIssuer} with an optional per-user micro-cache. Nothing here
 * serves HTTP; the server module exposes {@code POST /turn-credentials} on top of it.
 */
package dev.tollgate.turn;
