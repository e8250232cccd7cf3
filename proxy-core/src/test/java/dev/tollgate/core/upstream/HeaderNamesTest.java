package dev.tollgate.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeaderNamesTest {

  private static final List<AsciiString> HOP_BY_HOP = List.of(AsciiString.cached("connection"),
      AsciiString.cached("keep-alive"), AsciiString.cached("te"), AsciiString.cached("upgrade"));

  private final HeaderNames hopByHop = new HeaderNames(HOP_BY_HOP);

  @Test
  void matchesANameInAnyCaseAndNothingThatOnlyStartsOrEndsLikeOne() {
    assertThat(hopByHop.contains("Connection")).isTrue();
    assertThat(hopByHop.contains("KEEP-ALIVE")).isTrue();
    assertThat(hopByHop.contains("tE")).isTrue();
    assertThat(hopByHop.contains("connections")).isFalse();
    assertThat(hopByHop.contains("keep-alivf")).isFalse();
    assertThat(hopByHop.contains("t")).isFalse();
    assertThat(hopByHop.contains("")).isFalse();
    assertThat(hopByHop.contains("x-a-name-longer-than-any-in-the-set")).isFalse();
    // as the decoders read names: AsciiStrings, each with its own hash kept
    assertThat(hopByHop.contains(new AsciiString("Connection"))).isTrue();
    assertThat(hopByHop.contains(new AsciiString("KEEP-ALIVE"))).isTrue();
    assertThat(hopByHop.contains(new AsciiString("UpGrade"))).isTrue();
    assertThat(hopByHop.contains(new AsciiString("keep-alivf"))).isFalse();
    assertThat(hopByHop.contains(new AsciiString("upgradf"))).isFalse();
  }

  /** Netty's headers (an HTTP/2 answer's) and the flat list our HTTP/1.1 codecs read. */
  static java.util.stream.Stream<HttpHeaders> headerKinds() {
    return java.util.stream.Stream.of(new DefaultHttpHeaders(), new dev.tollgate.core.guard.FlatHttpHeaders());
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("headerKinds")
  void removesTheNamesOfTheSetThoseTheConnectionHeaderListsAndThoseThePredicatePicks(HttpHeaders empty) {
    HttpHeaders headers = empty
        .add("Content-Type", "application/json")
        .add("Connection", "keep-alive ,  X-Hop-Secret,x-other")
        .add("KEEP-ALIVE", "timeout=5")
        .add("x-hop-secret", "1")
        .add("X-Other", "2")
        .add("x-other", "3")
        .add("x-tollgate-debug", "4")
        .add("Upgrade", "h2c")
        .add("x-kept", "5");

    new HeaderNames(HOP_BY_HOP, name -> name.toString().startsWith("x-tollgate-")).removeFrom(headers);

    assertThat(headers.names()).containsExactlyInAnyOrder("Content-Type", "x-kept");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("headerKinds")
  void removesWhatAConnectionHeaderListsOnlyFromItsOwnMessage(HttpHeaders empty) {
    HttpHeaders listing = new DefaultHttpHeaders().add("Connection", "x-hop-secret").add("x-hop-secret", "1");
    HttpHeaders next = empty.add("x-hop-secret", "2").add("x-kept", "3");

    hopByHop.removeFrom(listing);
    hopByHop.removeFrom(next);

    assertThat(listing.isEmpty()).isTrue();
    assertThat(next.names()).containsExactlyInAnyOrder("x-hop-secret", "x-kept");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("headerKinds")
  void leavesHeadersWithoutAnyOfTheNamesAsTheyAre(HttpHeaders empty) {
    HttpHeaders headers = empty.add("content-type", "text/event-stream")
        .add("x-request-id", "req_1").add("cache-control", "no-cache");

    hopByHop.removeFrom(headers);

    assertThat(headers.size()).isEqualTo(3);
    assertThat(headers.get("x-request-id")).isEqualTo("req_1");
  }
}
