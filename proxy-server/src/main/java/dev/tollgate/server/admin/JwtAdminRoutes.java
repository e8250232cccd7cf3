package dev.tollgate.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.auth.JwtAuthenticator;
import dev.tollgate.core.auth.jwt.JwtVerifier;
import dev.tollgate.core.auth.jwt.JwtVerifierConfig;
import dev.tollgate.core.store.StateStore;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The admin routes for a tenant's JWT settings: {@code PUT}, {@code GET} and {@code DELETE
 * /admin/tenants/{id}/jwt}. A PUT is validated field by field (400 naming the field), issuers stay
 * unique across tenants (409), and every change drops the cached issuer lookups and verifier so it
 * applies from the next request. Runs on the store's executor, called by {@link AdminApiHandler}.
 */
public final class JwtAdminRoutes {

  static final int DEFAULT_CLOCK_SKEW_SECONDS = 60;
  static final int DEFAULT_JWKS_CACHE_TTL_SECONDS = 300;
  static final int DEFAULT_JWKS_REFETCH_MIN_INTERVAL_SECONDS = 30;
  static final String DEFAULT_SUBJECT_CLAIM = "sub";
  private static final int MAX_TEXT_CHARS = 512;
  private static final int MAX_KEY_CHARS = 64 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> FIELDS = List.of("issuer", "audiences", "jwksUrl", "publicKey",
      "algorithms", "clockSkewSeconds", "projectClaim", "subjectClaim", "tenantClaim",
      "jwksCacheTtlSeconds", "jwksRefetchMinIntervalSeconds");

  private final StateStore store;
  private final JwtAuthenticator jwts;

  public JwtAdminRoutes(StateStore store, JwtAuthenticator jwts) {
    this.store = Objects.requireNonNull(store, "store");
    this.jwts = Objects.requireNonNull(jwts, "jwts");
  }

  /** A status and JSON body for {@link AdminApiHandler} to write. */
  public record Reply(HttpResponseStatus status, JsonNode body) {
  }

  /** Handles {@code method} on {@code /admin/tenants/{tenantId}/jwt}. Blocking (store calls). */
  public Reply handle(HttpMethod method, String tenantId, JsonNode body) {
    if (store.tenant(tenantId).isEmpty()) {
      return notFound("tenant '" + shortened(tenantId) + "' not found");
    }
    if (method.equals(HttpMethod.PUT)) {
      return put(tenantId, body);
    }
    if (method.equals(HttpMethod.GET)) {
      return store.jwtConfig(tenantId)
          .map(config -> new Reply(HttpResponseStatus.OK, toJson(config)))
          .orElseGet(() -> notFound("tenant '" + tenantId + "' has no JWT settings"));
    }
    if (method.equals(HttpMethod.DELETE)) {
      Optional<JwtVerifierConfig> existing = store.jwtConfig(tenantId);
      if (existing.isEmpty() || !store.deleteJwtConfig(tenantId)) {
        return notFound("tenant '" + tenantId + "' has no JWT settings");
      }
      jwts.invalidate(tenantId, existing.get().issuer());
      ObjectNode out = JSON.createObjectNode();
      out.put("tenant", tenantId);
      out.put("deleted", true);
      return new Reply(HttpResponseStatus.OK, out);
    }
    return new Reply(HttpResponseStatus.METHOD_NOT_ALLOWED,
        error(method + " not allowed (expected: PUT, GET or DELETE)", "method_not_allowed"));
  }

  private Reply put(String tenantId, JsonNode body) {
    JwtVerifierConfig config;
    try {
      config = parse(tenantId, body);
      new JwtVerifier(config); // parses a static key now, so a bad one is a 400 and not a 401 later
    } catch (IllegalArgumentException e) {
      return badRequest(adminNames(e.getMessage()));
    }
    Optional<JwtVerifierConfig> previous = store.jwtConfig(tenantId);
    if (!store.putJwtConfig(config)) {
      return new Reply(HttpResponseStatus.CONFLICT, error("issuer: '" + shortened(config.issuer())
          + "' belongs to another tenant (expected: unique across tenants)", "conflict"));
    }
    jwts.invalidate(tenantId, config.issuer(), previous.map(JwtVerifierConfig::issuer).orElse(null));
    return new Reply(HttpResponseStatus.OK, toJson(config));
  }

  /** Reads the body into a config; every problem is an IllegalArgumentException naming the field. */
  static JwtVerifierConfig parse(String tenantId, JsonNode body) {
    body.fieldNames().forEachRemaining(name -> {
      if (!FIELDS.contains(name)) {
        throw new IllegalArgumentException(name + ": unknown field (expected one of "
            + String.join(", ", FIELDS) + ")");
      }
    });
    String issuer = requiredText(body, "issuer");
    Set<String> audiences = textSet(body, "audiences");
    Set<String> algorithms = textSet(body, "algorithms");
    for (String algorithm : algorithms) {
      if (algorithm.toLowerCase(Locale.ROOT).equals("none")) {
        throw new IllegalArgumentException("algorithms: " + algorithm + " (expected: a signing algorithm)");
      }
    }
    String jwksUrl = optionalText(body, "jwksUrl", MAX_TEXT_CHARS);
    String publicKey = optionalText(body, "publicKey", MAX_KEY_CHARS);
    if ((jwksUrl == null) == (publicKey == null)) {
      throw new IllegalArgumentException("jwksUrl/publicKey: " + (jwksUrl == null ? "neither" : "both")
          + " set (expected: exactly one)");
    }
    JwtVerifierConfig config = new JwtVerifierConfig(tenantId, issuer, audiences, jwksUrl == null ? null : uri(jwksUrl),
        publicKey, algorithms,
        optionalInt(body, "clockSkewSeconds", DEFAULT_CLOCK_SKEW_SECONDS),
        optionalText(body, "tenantClaim", MAX_TEXT_CHARS),
        optionalText(body, "projectClaim", MAX_TEXT_CHARS),
        Optional.ofNullable(optionalText(body, "subjectClaim", MAX_TEXT_CHARS)).orElse(DEFAULT_SUBJECT_CLAIM),
        optionalInt(body, "jwksCacheTtlSeconds", DEFAULT_JWKS_CACHE_TTL_SECONDS),
        optionalInt(body, "jwksRefetchMinIntervalSeconds", DEFAULT_JWKS_REFETCH_MIN_INTERVAL_SECONDS));
    // the config has checked that HMAC is not mixed with asymmetric algorithms; a PEM public key
    // as an HMAC secret is the classic key-confusion setup, so it is refused outright
    boolean hmac = algorithms.stream().anyMatch(a -> a.startsWith("HS"));
    if (hmac && publicKey != null && publicKey.strip().startsWith("-----BEGIN")) {
      throw new IllegalArgumentException("publicKey: a PEM public key (expected: a JWK with 'k' for HS*)");
    }
    return config;
  }

  /** The settings as shown by the admin API; key material is never echoed (it may be an HMAC secret). */
  static ObjectNode toJson(JwtVerifierConfig config) {
    ObjectNode out = JSON.createObjectNode();
    out.put("tenant", config.tenantId());
    out.put("issuer", config.issuer());
    config.audiences().stream().sorted().forEach(out.putArray("audiences")::add);
    if (config.jwksUri() != null) {
      out.put("jwksUrl", config.jwksUri().toString());
    } else {
      out.put("publicKey", "(set)");
    }
    config.algorithms().stream().sorted().forEach(out.putArray("algorithms")::add);
    out.put("clockSkewSeconds", config.clockSkewSeconds());
    out.put("projectClaim", config.projectClaim());
    out.put("subjectClaim", config.subjectClaim());
    out.put("tenantClaim", config.tenantClaim());
    out.put("jwksCacheTtlSeconds", config.jwksCacheTtlSeconds());
    out.put("jwksRefetchMinIntervalSeconds", config.jwksRefetchMinIntervalSeconds());
    return out;
  }

  private static URI uri(String text) {
    try {
      URI uri = new URI(text);
      if (!uri.isAbsolute() || uri.getHost() == null) {
        throw new IllegalArgumentException("jwksUrl: '" + shortened(text) + "' (expected: an absolute http(s) URL)");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("jwksUrl: '" + shortened(text) + "' (expected: an absolute http(s) URL)");
    }
  }

  private static String requiredText(JsonNode body, String field) {
    String value = optionalText(body, field, MAX_TEXT_CHARS);
    if (value == null) {
      throw new IllegalArgumentException(field + ": missing (expected: a non-blank string)");
    }
    return value;
  }

  private static String optionalText(JsonNode body, String field, int maxChars) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual() || node.asText().isBlank() || node.asText().length() > maxChars) {
      // the value is not echoed: publicKey may hold a secret
      throw new IllegalArgumentException(field + ": not a non-blank string of at most " + maxChars
          + " characters (expected: a string)");
    }
    return node.asText();
  }

  private static Set<String> textSet(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || !node.isArray() || node.isEmpty()) {
      throw new IllegalArgumentException(field + ": " + (node == null ? "missing" : node.toString())
          + " (expected: a non-empty array of strings)");
    }
    Set<String> out = new LinkedHashSet<>();
    for (JsonNode item : node) {
      if (!item.isTextual() || item.asText().isBlank() || item.asText().length() > MAX_TEXT_CHARS) {
        throw new IllegalArgumentException(field + ": " + shortened(item.toString())
            + " (expected: non-blank strings)");
      }
      out.add(item.asText());
    }
    return out;
  }

  private static int optionalInt(JsonNode body, String field, int defaultValue) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return defaultValue;
    }
    if (!node.canConvertToInt() || !node.isIntegralNumber()) {
      throw new IllegalArgumentException(field + ": " + shortened(node.toString()) + " (expected: an integer)");
    }
    return node.asInt();
  }

  /** The verifier library names the key source jwksUri/staticKey; the admin API calls them jwksUrl/publicKey. */
  private static String adminNames(String message) {
    return message.replace("jwksUri", "jwksUrl").replace("staticKey", "publicKey");
  }

  private static String shortened(String value) {
    return value.length() > 64 ? value.substring(0, 64) + "..." : value;
  }

  private static Reply badRequest(String message) {
    return new Reply(HttpResponseStatus.BAD_REQUEST, error(message, "invalid_request"));
  }

  private static Reply notFound(String message) {
    return new Reply(HttpResponseStatus.NOT_FOUND, error(message, "not_found"));
  }

  private static ObjectNode error(String message, String code) {
    ObjectNode out = JSON.createObjectNode();
    ObjectNode error = out.putObject("error");
    error.put("message", message);
    error.put("type", "invalid_request_error");
    error.put("code", code);
    return out;
  }
}
