package dev.tollgate.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.auth.CompactJws.Kind;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class CompactJwsTest {

  @Test
  void sendsTollgateKeysToTheKeyVerifier() {
    assertThat(CompactJws.classify(ApiKeys.generate())).isEqualTo(Kind.API_KEY);
    // a malformed tg_ value is still a key: the key verifier rejects it, the JWT path never sees it
    assertThat(CompactJws.classify("tg_a.b.c")).isEqualTo(Kind.API_KEY);
  }

  @Test
  void sendsThreeBase64UrlPartsToTheJwtPath() {
    assertThat(CompactJws.classify(token("{\"alg\":\"RS256\"}", "{\"iss\":\"https://idp\"}") + "c2ln"))
        .isEqualTo(Kind.JWT);
  }

  @Test
  void sendsAnUnsignedTokenToTheJwtPathSoTheVerifierRejectsIt() {
    assertThat(CompactJws.classify(token("{\"alg\":\"none\"}", "{\"iss\":\"https://idp\"}")))
        .isEqualTo(Kind.JWT);
  }

  @Test
  void rejectsEverythingElseWithoutALookup() {
    assertThat(CompactJws.classify(null)).isEqualTo(Kind.UNKNOWN);
    assertThat(CompactJws.classify("")).isEqualTo(Kind.UNKNOWN);
    assertThat(CompactJws.classify("sk-provider-key")).isEqualTo(Kind.UNKNOWN);
    assertThat(CompactJws.classify("a.b")).isEqualTo(Kind.UNKNOWN);
    assertThat(CompactJws.classify("a.b.c.d")).isEqualTo(Kind.UNKNOWN);
    assertThat(CompactJws.classify(".b.c")).isEqualTo(Kind.UNKNOWN);
    assertThat(CompactJws.classify("a..c")).isEqualTo(Kind.UNKNOWN);
    assertThat(CompactJws.classify("a+b.c/d.e=")).isEqualTo(Kind.UNKNOWN);
    assertThat(CompactJws.classify("a".repeat(CompactJws.MAX_TOKEN_CHARS) + ".b.c")).isEqualTo(Kind.UNKNOWN);
  }

  @Test
  void readsTheClaimedIssuerWithoutVerifyingAnything() {
    assertThat(CompactJws.unverifiedIssuer(token("{\"alg\":\"RS256\"}", "{\"iss\":\"https://idp.acme/\"}") + "x"))
        .isEqualTo("https://idp.acme/");
  }

  @Test
  void findsNoIssuerInAPayloadWithoutOneOrThatIsNotJson() {
    assertThat(CompactJws.unverifiedIssuer(token("{}", "{\"sub\":\"u\"}") + "x")).isNull();
    assertThat(CompactJws.unverifiedIssuer(token("{}", "{\"iss\":42}") + "x")).isNull();
    assertThat(CompactJws.unverifiedIssuer(token("{}", "not json") + "x")).isNull();
    assertThat(CompactJws.unverifiedIssuer("abc.!!!.x")).isNull();
  }

  /** header.payload. (no signature), base64url without padding. */
  private static String token(String header, String payload) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + ".";
  }
}
