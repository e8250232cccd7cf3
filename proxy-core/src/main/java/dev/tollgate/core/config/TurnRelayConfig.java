package dev.tollgate.core.config;

import java.util.List;
import java.util.Locale;

/**
 * The {@code turn:} section: how the gateway mints TURN relay credentials for realtime clients
 * ({@code POST /turn-credentials}, and {@code POST /session} with {@code turn: "always"}). Mapped by the
 * server onto the turn-issuer module's own config; TURN stays off until secrets and URIs (rest-secret)
 * or a Cloudflare key (cloudflare) are configured. Never prints a secret.
 *
 * @param mode {@code rest-secret} (coturn {@code use-auth-secret}) or {@code cloudflare}
 * @param ttlSeconds credential lifetime
 * @param uris STUN/TURN URIs handed to clients in rest-secret mode
 * @param secrets rest-secret signing secrets, newest first; entries with an empty secret are skipped
 * @param realm the coturn realm (informational), may be empty
 * @param cacheEnabled reuse one user's credentials until {@code ttl − 15 s}
 * @param cloudflare the Cloudflare TURN key, used in cloudflare mode
 */
public record TurnRelayConfig(String mode, long ttlSeconds, List<String> uris, List<SecretConfig> secrets,
    String realm, boolean cacheEnabled, CloudflareConfig cloudflare) {

  public static final String REST_SECRET = "rest-secret";
  public static final String CLOUDFLARE = "cloudflare";

  public TurnRelayConfig {
    mode = mode == null ? REST_SECRET : mode.trim().toLowerCase(Locale.ROOT);
    if (!mode.equals(REST_SECRET) && !mode.equals(CLOUDFLARE)) {
      throw new IllegalArgumentException("turn.mode: " + mode + " (expected: rest-secret or cloudflare)");
    }
    Checks.positive("turn.ttlSeconds", ttlSeconds);
    uris = uris == null ? List.of() : List.copyOf(uris);
    secrets = secrets == null ? List.of() : List.copyOf(secrets);
    realm = realm == null ? "" : realm.trim();
    cloudflare = cloudflare == null ? new CloudflareConfig("", "", "", 5000, 2) : cloudflare;
  }

  /** The secrets that hold a value, newest first. */
  public List<SecretConfig> configuredSecrets() {
    return secrets.stream().filter(SecretConfig::configured).toList();
  }

  /** Whether credentials can be minted: secrets and URIs in rest-secret mode, a key in cloudflare mode. */
  public boolean configured() {
    if (mode.equals(CLOUDFLARE)) {
      return !cloudflare.keyId().isEmpty() && !cloudflare.apiToken().isEmpty();
    }
    return !configuredSecrets().isEmpty() && !uris.isEmpty();
  }

  /** One coturn {@code static-auth-secret}, named so logs can refer to it. Never printed. */
  public record SecretConfig(String id, String secret) {

    public SecretConfig {
      Checks.notBlank("turn.secrets[].id", id);
      secret = secret == null ? "" : secret;
    }

    public boolean configured() {
      return !secret.isEmpty();
    }

    @Override
    public String toString() {
      return "SecretConfig[id=" + id + ", secret=" + (secret.isEmpty() ? "unset" : "[redacted]") + "]";
    }
  }

  /**
   * A Cloudflare Realtime TURN key (id and API token, from the environment).
   *
   * @param baseUrl the API base; empty = Cloudflare's
   */
  public record CloudflareConfig(String keyId, String apiToken, String baseUrl, long timeoutMillis, int maxRetries) {

    public CloudflareConfig {
      keyId = keyId == null ? "" : keyId.trim();
      apiToken = apiToken == null ? "" : apiToken.trim();
      baseUrl = baseUrl == null ? "" : baseUrl.trim();
      Checks.positive("turn.cloudflare.timeoutMillis", timeoutMillis);
      if (maxRetries < 0 || maxRetries > 10) {
        throw new IllegalArgumentException("turn.cloudflare.maxRetries: " + maxRetries + " (expected: 0..10)");
      }
    }

    @Override
    public String toString() {
      return "CloudflareConfig[keyId=" + keyId + ", apiToken=" + (apiToken.isEmpty() ? "unset" : "[redacted]")
          + ", baseUrl=" + baseUrl + ", timeoutMillis=" + timeoutMillis + ", maxRetries=" + maxRetries + "]";
    }
  }
}
