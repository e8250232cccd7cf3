package dev.tollgate.core.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Base64;

/**
 * Reads the shape of a presented credential before anything is trusted: is it a Tollgate key, a
 * compact JWS ({@code header.payload.signature}, base64url) or neither, and which {@code iss} a JWS
 * claims. The issuer read here only picks the tenant whose verifier then checks everything; it is
 * never trusted on its own. Stateless; runs on the event loop (bounded by the header size limit).
 */
final class CompactJws {

  /** Longer credentials are not parsed at all (headers are capped well below this anyway). */
  static final int MAX_TOKEN_CHARS = 16 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a presented credential looks like, which decides the verifier it goes to. */
  enum Kind {
    API_KEY, JWT, UNKNOWN
  }

  private CompactJws() {
  }

  /** {@code tg_...} goes to the key verifier, three base64url parts to the JWT path, anything else nowhere. */
  static Kind classify(String presented) {
    if (presented == null || presented.isEmpty()) {
      return Kind.UNKNOWN;
    }
    if (presented.startsWith(ApiKeys.PREFIX)) {
      return Kind.API_KEY;
    }
    return looksLikeJws(presented) ? Kind.JWT : Kind.UNKNOWN;
  }

  /**
   * True for {@code header.payload.signature} where every part is base64url and header and payload
   * are non-empty. An empty signature (an unsecured {@code alg: none} token) still counts, so the
   * verifier rejects it with a reason in the log.
   */
  static boolean looksLikeJws(String token) {
    if (token.length() > MAX_TOKEN_CHARS) {
      return false;
    }
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first <= 0 || second < 0 || second == first + 1 || token.indexOf('.', second + 1) >= 0) {
      return false;
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (!(c == '.' || c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z'
          || c >= 'a' && c <= 'z')) {
        return false;
      }
    }
    return true;
  }

  /** The {@code iss} the token claims (UNVERIFIED), or null if the payload has none or is unreadable. */
  static String unverifiedIssuer(String token) {
    if (!looksLikeJws(token)) {
      return null;
    }
    int first = token.indexOf('.');
    int second = token.indexOf('.', first + 1);
    try {
      byte[] payload = Base64.getUrlDecoder().decode(token.substring(first + 1, second));
      JsonNode claims = JSON.readTree(payload);
      JsonNode iss = claims == null ? null : claims.get("iss");
      return iss != null && iss.isTextual() && !iss.asText().isBlank() ? iss.asText() : null;
    } catch (IllegalArgumentException | IOException e) {
      return null;
    }
  }
}
