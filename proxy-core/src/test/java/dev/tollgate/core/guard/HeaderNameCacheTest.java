package dev.tollgate.core.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HeaderNameCacheTest {

  private static AsciiString read(String head, String name) {
    byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
    return HeaderNameCache.name(bytes, head.indexOf(name), name.length());
  }

  @Test
  void aRepeatedNameIsTheSameStringInTheCaseItWasRead() {
    AsciiString first = read("Authorization: Bearer a\r\n", "Authorization");
    AsciiString again = read("x-api-key: 1\r\nAuthorization: Bearer b\r\n", "Authorization");
    AsciiString lower = read("authorization: Bearer c\r\n", "authorization");
    assertThat((Object) again).isSameAs(first).hasToString("Authorization");
    assertThat((Object) lower).isNotSameAs(first).hasToString("authorization");
  }

  @Test
  void aClientsAndAProvidersSpellingOfOneNameAreBothKept() {
    AsciiString client = read("Content-Type: application/json\r\n", "Content-Type");
    AsciiString provider = read("content-type: application/json\r\n", "content-type");
    assertThat((Object) read("Content-Type: text/plain\r\n", "Content-Type")).isSameAs(client);
    assertThat((Object) read("content-type: text/plain\r\n", "content-type")).isSameAs(provider);
    assertThat(HeaderNameCache.keeps(client)).isTrue();
    assertThat(HeaderNameCache.keeps(provider)).isTrue();
  }

  @Test
  void everyNameReadIsSpelledAsItsBytesWhateverTheTableHolds() {
    // far more names than slots: collisions replace each other, and each answer is still its own bytes
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 5000; i++) {
        String name = "x-h" + i;
        AsciiString read = read("pad " + name + ": v", name);
        assertThat(read.toString()).isEqualTo(name);
      }
    }
  }

  @Test
  void aNewTableHoldsTheNamesTheGatewaySetsAndAProvidersLowerCaseNameIsThatString() throws Exception {
    AsciiString[] names = {HttpHeaderNames.HOST, HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderNames.CONTENT_LENGTH,
        HttpHeaderNames.AUTHORIZATION, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.CONTENT_TYPE,
        HeaderNameCache.X_API_KEY};
    java.util.List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread fresh = new io.netty.util.concurrent.FastThreadLocalThread(() -> { // a thread whose table is new
      for (AsciiString name : names) {
        if (!HeaderNameCache.keeps(name)) {
          problems.add("not kept: " + name);
        }
      }
      if (read("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n", "content-length") != HttpHeaderNames.CONTENT_LENGTH) {
        problems.add("a provider's content-length is not Netty's constant");
      }
      if (read("POST / HTTP/1.1\r\nHost: x\r\n", "Host") == HttpHeaderNames.HOST) {
        problems.add("a client's Host became the lower-case constant");
      }
    });
    fresh.start();
    fresh.join();
    assertThat(problems).isEmpty();
  }

  @Test
  void aLongNameIsMadeEveryTime() {
    String name = "x-" + "a".repeat(100);
    AsciiString first = read(name + ": 1", name);
    assertThat((Object) read(name + ": 2", name)).isNotSameAs(first).isEqualTo(first);
  }

  @Test
  void keepsOnlyValidNamesAndSaysWhichItKeeps() {
    AsciiString valid = read("Content-Type: a", "Content-Type");
    AsciiString invalid = read("Bad Name: a", "Bad Name");
    assertThat(HeaderNameCache.keeps(valid)).isTrue();
    assertThat(HeaderNameCache.keeps(invalid)).isFalse();
    assertThat((Object) read("Bad Name: b", "Bad Name")).isNotSameAs(invalid);
    assertThat(HeaderNameCache.keeps(new AsciiString("Content-Type"))).as("equal, not the kept one").isFalse();
    // a decoder's invalid name is refused by the headers as before
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new FlatHttpHeaders().add(invalid, "v"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
