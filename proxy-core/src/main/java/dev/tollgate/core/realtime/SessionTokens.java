package dev.tollgate.core.realtime;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tollgate.core.auth.Principal;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.Objects;
import java.util.Optional;

/**
 * Mints and verifies gateway session tokens: HS256 JWTs signed with the gateway's own secret (never a
 * tenant's JWT settings), carrying tenant, project, key id, user and the gateway session id. A browser
 * presents one as a bearer token or in {@code Sec-WebSocket-Protocol}. Verification is a local HMAC,
 * cheap enough for the event loop; thread-safe. Never logs a token.
 */
public final class SessionTokens implements dev.tollgate.core.auth.GatewayTokenVerifier {

  /** {@code iss} and {@code aud} of every gateway session token; tenants' issuers never match it. */
  public static final String ISSUER = "tollgate-gateway";
  static final String AUDIENCE = "tollgate-realtime";

  private final byte[] secret;
  private final MACSigner signer;
  private final MACVerifier verifier;
  private final Clock clock;

  /** @param secret the HS256 key, at least 32 bytes; empty = a random key for this process */
  public SessionTokens(String secret, Clock clock) {
    Objects.requireNonNull(secret, "secret");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (secret.isEmpty()) {
      this.secret = new byte[32];
      new SecureRandom().nextBytes(this.secret);
    } else {
      this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }
    try {
      this.signer = new MACSigner(this.secret);
      this.verifier = new MACVerifier(this.secret);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("sessionTokenSecret: too short (expected: >= 32 bytes)", e);
    }
  }

  /** A token for {@code principal}'s tenant, project and key, for {@code userId}, valid {@code ttlSeconds}. */
  public String mint(Principal principal, String userId, String sessionId, long ttlSeconds) {
    long now = clock.millis();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .subject(userId)
        .issueTime(new Date(now))
        .expirationTime(new Date(now + ttlSeconds * 1000))
        .jwtID(sessionId)
        .claim("tid", principal.tenantId())
        .claim("pid", principal.projectId())
        .claim("kid", principal.keyId())
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing a session token failed", e);
    }
    return jwt.serialize();
  }

  /**
   * The principal a valid token stands for (subject = the user), or empty when the token is malformed,
   * not HS256, wrongly signed, expired, or not ours.
   */
  @Override
  public String issuer() {
    return ISSUER;
  }

  @Override
  public Optional<Principal> verify(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
        return Optional.empty();
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      Date expiry = claims.getExpirationTime();
      if (!ISSUER.equals(claims.getIssuer()) || !claims.getAudience().contains(AUDIENCE)
          || expiry == null || expiry.getTime() <= clock.millis()) {
        return Optional.empty();
      }
      String tenantId = claims.getStringClaim("tid");
      String keyId = claims.getStringClaim("kid");
      if (tenantId == null || keyId == null) {
        return Optional.empty();
      }
      return Optional.of(new Principal(tenantId, claims.getStringClaim("pid"), keyId, claims.getSubject()));
    } catch (ParseException | JOSEException | RuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return "SessionTokens[HS256, secret=[redacted]]";
  }
}
