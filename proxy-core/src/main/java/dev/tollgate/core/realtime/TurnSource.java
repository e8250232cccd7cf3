package dev.tollgate.core.realtime;

import java.util.concurrent.CompletableFuture;

/**
 * Where {@link RealtimeHandler} gets TURN relay credentials: implemented by the server over the
 * turn-issuer module (core does not depend on it). Must not block the calling event loop.
 */
@FunctionalInterface
public interface TurnSource {

  /**
   * Credentials for {@code userId} of {@code tenantId}, as the JSON object handed to clients
   * ({@code {iceServers, username, credential, ttl, expiresAt, source}}).
   */
  CompletableFuture<String> credentialsJson(String tenantId, String userId);
}
