/**
 * Realtime voice: the {@code REALTIME} stage guards the local realtime endpoints ({@code /session},
 * {@code /turn-credentials}, {@code /telemetry/ice}) and the metered WebSocket relay to the provider's
 * realtime API; gateway session tokens let browsers authenticate without a tenant key.
 */
package dev.tollgate.core.realtime;
