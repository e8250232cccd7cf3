package dev.tollgate.core.auth.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies one tenant's JWTs with Nimbus JOSE+JWT: signature with a key taken only from the
 * configured source (never from {@code jku}, {@code x5u} or an embedded {@code jwk} header), an
 * algorithm from the allow-list, exact issuer, accepted audience, {@code exp}/{@code nbf} within the
 * clock skew, and the required claims. Thread-safe.
 *
 * <p>{@link #verify(String)} may BLOCK: with a {@code jwksUri} a cold cache or an unknown {@code kid}
 * fetches the JWK set over HTTP (at most once per {@code jwksRefetchMinIntervalSeconds}). Call it off
 * the event loop (the auth stage's lookup executor), and come back with {@code ctx.executor()}.
 */
public final class JwtVerifier {

  static final int JWKS_CONNECT_TIMEOUT_MILLIS = 2_000;
  static final int JWKS_READ_TIMEOUT_MILLIS = 2_000;
  static final int JWKS_MAX_BYTES = 256 * 1024;
  private static final long JWKS_REFRESH_TIMEOUT_MILLIS = 5_000;

  private final JwtVerifierConfig config;
  private final DefaultJWTProcessor<SecurityContext> processor;

  /** A verifier on the system clock. */
  public JwtVerifier(JwtVerifierConfig config) {
    this(config, Clock.systemUTC());
  }

  /** A verifier whose {@code exp}/{@code nbf} checks use {@code clock} (tests). */
  public JwtVerifier(JwtVerifierConfig config, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(clock, "clock");
    DefaultJWTProcessor<SecurityContext> jwtProcessor = new DefaultJWTProcessor<>();
    // typ JWT, at+jwt (RFC 9068 access tokens) or absent; null needs a set that allows it
    Set<JOSEObjectType> types = new HashSet<>(Arrays.asList(
        JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
    jwtProcessor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(types));
    jwtProcessor.setJWSKeySelector(config.staticKey() != null
        ? new StaticKeySelector(config.jwsAlgorithms(), parseStaticKey(config.staticKey()))
        : new JWSVerificationKeySelector<>(config.jwsAlgorithms(), jwksSource(config)));
    jwtProcessor.setJWTClaimsSetVerifier(claimsVerifier(config, clock));
    this.processor = jwtProcessor;
  }

  /** The configuration this verifier was built from. */
  public JwtVerifierConfig config() {
    return config;
  }

  /**
   * Verifies {@code token} (compact JWS serialisation) and maps its claims. May block on a JWKS fetch;
   * see the class comment.
   *
   * @throws JwtRejectedException for every failure: malformed, unsigned, wrong algorithm or key,
   *     bad signature, expired, not yet valid, wrong issuer or audience, missing claims, JWKS
   *     unreachable
   */
  public VerifiedJwt verify(String token) throws JwtRejectedException {
    Objects.requireNonNull(token, "token");
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ParseException e) {
      throw new JwtRejectedException("malformed token: " + e.getMessage(), null);
    } catch (BadJOSEException | JOSEException e) {
      // e.g. RateLimitReachedException (unknown kid while refetches are rate limited) has no message
      String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
      throw new JwtRejectedException("token rejected: " + reason, null);
    } catch (RuntimeException e) {
      throw new JwtRejectedException("token rejected: " + e.getClass().getSimpleName(), e);
    }
    return map(claims);
  }

  private VerifiedJwt map(JWTClaimsSet claims) throws JwtRejectedException {
    String subject = stringClaim(claims, config.subjectClaim());
    if (subject == null || subject.isBlank()) {
      throw new JwtRejectedException("claim " + config.subjectClaim() + ": missing or blank", null);
    }
    if (config.tenantClaim() != null
        && !config.tenantId().equals(stringClaim(claims, config.tenantClaim()))) {
      throw new JwtRejectedException("claim " + config.tenantClaim() + ": not this tenant", null);
    }
    String projectId = config.projectClaim() == null ? null : stringClaim(claims, config.projectClaim());
    String keyId = claims.getJWTID() != null && !claims.getJWTID().isBlank() ? claims.getJWTID() : subject;
    return new VerifiedJwt(config.tenantId(), projectId, subject, keyId,
        claims.getExpirationTime().toInstant());
  }

  private static String stringClaim(JWTClaimsSet claims, String name) throws JwtRejectedException {
    try {
      return claims.getStringClaim(name);
    } catch (ParseException e) {
      throw new JwtRejectedException("claim " + name + ": not a string", null);
    }
  }

  private static DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier(JwtVerifierConfig config,
      Clock clock) {
    Set<String> required = new HashSet<>(Set.of("exp", config.subjectClaim()));
    if (config.tenantClaim() != null) {
      required.add(config.tenantClaim());
    }
    JWTClaimsSet exactMatch = new JWTClaimsSet.Builder().issuer(config.issuer()).build();
    // Nimbus probes its sets with contains(null): give it HashSets, not Set.of
    DefaultJWTClaimsVerifier<SecurityContext> verifier =
        new DefaultJWTClaimsVerifier<>(new HashSet<>(config.audiences()), exactMatch, required, null) {
          @Override
          protected Date currentTime() {
            return Date.from(clock.instant());
          }
        };
    verifier.setMaxClockSkew(config.clockSkewSeconds());
    return verifier;
  }

  private static JWKSource<SecurityContext> jwksSource(JwtVerifierConfig config) {
    try {
      DefaultResourceRetriever retriever = new DefaultResourceRetriever(
          JWKS_CONNECT_TIMEOUT_MILLIS, JWKS_READ_TIMEOUT_MILLIS, JWKS_MAX_BYTES);
      return JWKSourceBuilder.<SecurityContext>create(config.jwksUri().toURL(), retriever)
          .cache(config.jwksCacheTtlSeconds() * 1000L, JWKS_REFRESH_TIMEOUT_MILLIS)
          .rateLimited(config.jwksRefetchMinIntervalSeconds() * 1000L)
          .refreshAheadCache(false)
          .build();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("jwksUri: not a URL (expected: http(s) URL)", e);
    }
  }

  /** Parses a PEM public key (RSA or EC), a JWK or a JWK set; private parts are dropped. */
  static JWKSet parseStaticKey(String text) {
    String trimmed = text.strip();
    try {
      if (trimmed.startsWith("-----BEGIN PUBLIC KEY-----")) {
        return new JWKSet(fromPem(trimmed));
      }
      if (trimmed.contains("\"keys\"")) {
        return JWKSet.parse(trimmed).toPublicJWKSet();
      }
      JWK jwk = JWK.parse(trimmed);
      return new JWKSet(jwk.isPrivate() ? jwk.toPublicJWK() : jwk);
    } catch (ParseException | GeneralSecurityException | IllegalArgumentException e) {
      // the message stays generic: the text may be a secret (an HMAC JWK)
      throw new IllegalArgumentException("staticKey: unreadable (expected: PEM PUBLIC KEY, JWK or JWK set)");
    }
  }

  private static JWK fromPem(String pem) throws GeneralSecurityException {
    String base64 = pem.replace("-----BEGIN PUBLIC KEY-----", "")
        .replace("-----END PUBLIC KEY-----", "")
        .replaceAll("\\s", "");
    X509EncodedKeySpec spec = new X509EncodedKeySpec(Base64.getDecoder().decode(base64));
    PublicKey key;
    try {
      key = KeyFactory.getInstance("RSA").generatePublic(spec);
    } catch (GeneralSecurityException notRsa) {
      key = KeyFactory.getInstance("EC").generatePublic(spec);
    }
    if (key instanceof RSAPublicKey rsa) {
      return new RSAKey.Builder(rsa).build();
    }
    ECPublicKey ec = (ECPublicKey) key;
    return new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec).build();
  }
}
