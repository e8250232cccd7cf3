package dev.tollgate.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyDigestTest {

  @Test
  void isTheSha256TheStoreKeepsInOtherForm() {
    for (int i = 0; i < 200; i++) {
      String key = ApiKeys.generate();
      KeyDigest digest = KeyDigest.of(key);
      assertThat(digest.hex()).isEqualTo(ApiKeys.hash(key));
      assertThat(KeyDigest.ofHex(ApiKeys.hash(key))).isEqualTo(digest).hasSameHashCodeAs(digest);
      assertThat(KeyDigest.of(key)).as("the same key again, through the same arrays").isEqualTo(digest);
    }
    String other = ApiKeys.generate();
    assertThat(KeyDigest.of(other)).isNotEqualTo(KeyDigest.of(ApiKeys.generate()));
  }

  @Test
  void aKeyWithinAHeaderValueHasTheDigestOfTheKeyAlone() {
    String key = ApiKeys.generate();
    String value = "Bearer  " + key + " ";

    assertThat(KeyDigest.of(value, 8, 8 + key.length())).isEqualTo(KeyDigest.of(key));
    assertThat(KeyDigest.of(value, 8, 8 + key.length() + 1)).isNotEqualTo(KeyDigest.of(key));
  }

  @Test
  void readsALongerTextThanItsFirstArray() {
    String text = "x".repeat(500);
    assertThat(KeyDigest.of(text).hex()).isEqualTo(ApiKeys.hash(text));
  }

  @Test
  void aStringThatIsNoDigestIsNone() {
    assertThat(KeyDigest.ofHex(null)).isNull();
    assertThat(KeyDigest.ofHex("abc")).isNull();
    assertThat(KeyDigest.ofHex("z".repeat(64))).isNull();
  }
}
