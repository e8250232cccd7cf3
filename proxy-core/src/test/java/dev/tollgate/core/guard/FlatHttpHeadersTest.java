package dev.tollgate.core.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@link FlatHttpHeaders} must answer as Netty's default (validating) headers answer. */
class FlatHttpHeadersTest {

  private static final String[] NAMES = {
      "Content-Length", "content-length", "Transfer-Encoding", "Connection", "connection", "X-Api-Key",
      "x-stainless-os", "X-Stainless-OS", "Accept", "Host", "a", "B",
  };
  /** Each name as a String and as AsciiStrings in other cases (the hash-first look-up of the flat list). */
  private static final CharSequence[] LOOKUPS = Arrays.stream(NAMES)
      .flatMap(name -> Stream.of(name, new AsciiString(name), new AsciiString(name.toUpperCase(Locale.ROOT)),
          new AsciiString(name.toLowerCase(Locale.ROOT))))
      .toArray(CharSequence[]::new);
  private static final String[] VALUES = {
      "", "12", "chunked", "gzip, chunked", " Chunked ,x", "close", "keep-alive, Close", "abc",
      "text/event-stream", ",", "a,,b", "\tclose\t",
  };

  @Test
  void headersMadeWithRoomForSomeGrowPastIt() {
    for (int room : new int[] {0, 1, 3}) {
      FlatHttpHeaders flat = FlatHttpHeaders.withRoomFor(room);
      HttpHeaders netty = DefaultHttpHeadersFactory.headersFactory().newHeaders();
      for (int i = 0; i < 7; i++) {
        flat.add("x-h" + i, "v" + i);
        netty.add("x-h" + i, "v" + i);
      }
      assertSameAnswers(netty, flat);
      assertThat(flat.names()).hasSize(7);
      assertThat(flat.get("x-h6")).isEqualTo("v6");
    }
  }

  @Test
  void randomOperationsAnswerAsNettysHeadersDo() {
    Random random = new Random(42);
    for (int round = 0; round < 300; round++) {
      HttpHeaders netty = DefaultHttpHeadersFactory.headersFactory().newHeaders();
      HttpHeaders flat = new FlatHttpHeaders();
      for (int step = 0; step < 40; step++) {
        CharSequence name = name(random);
        String value = VALUES[random.nextInt(VALUES.length)];
        int op = random.nextInt(8);
        int n = step;
        HttpHeaders before = flat.copy();
        boolean nettyRefused = refused(() -> apply(netty, op, name, value, n));
        boolean flatRefused = refused(() -> apply(flat, op, name, value, n));
        assertThat(flatRefused).as("refuses %s: %s", name, value).isEqualTo(nettyRefused);
        if (flatRefused) {
          // a refused change changes nothing here; Netty may have applied part of a list of values
          assertThat(byName(flat)).isEqualTo(byName(before));
          netty.set(flat);
        }
        assertSameAnswers(netty, flat);
      }
      HttpHeaders copy = flat.copy();
      flat.clear();
      assertThat(flat.isEmpty()).isTrue();
      assertSameAnswers(netty, copy);
    }
  }

  private static void apply(HttpHeaders headers, int op, CharSequence name, String value, int n) {
    switch (op) {
      case 0, 1, 2 -> headers.add(name, value);
      case 3 -> headers.set(name, value);
      case 4 -> headers.remove(name);
      case 5 -> headers.setInt(name, n);
      case 6 -> headers.add(name, List.of(value, "second"));
      default -> headers.set(name, List.of("one", value));
    }
  }

  private static boolean refused(Runnable change) {
    try {
      change.run();
      return false;
    } catch (IllegalArgumentException e) {
      return true;
    }
  }

  private static CharSequence name(Random random) {
    String name = NAMES[random.nextInt(NAMES.length)];
    return random.nextBoolean() ? new AsciiString(name) : name;
  }

  private static void assertSameAnswers(HttpHeaders netty, HttpHeaders flat) {
    assertThat(flat.size()).isEqualTo(netty.size());
    assertThat(flat.isEmpty()).isEqualTo(netty.isEmpty());
    assertThat(byName(flat)).isEqualTo(byName(netty));
    for (CharSequence name : LOOKUPS) {
      assertThat(flat.get(name)).as(name.toString()).isEqualTo(netty.get(name));
      assertThat(flat.getAll(name)).as(name.toString()).isEqualTo(netty.getAll(name));
      assertThat(flat.contains(name)).as(name.toString()).isEqualTo(netty.contains(name));
      assertThat(flat.getInt(name)).as(name.toString()).isEqualTo(netty.getInt(name));
      assertThat(flat.getInt(name, -1)).as(name.toString()).isEqualTo(netty.getInt(name, -1));
      List<String> values = new ArrayList<>();
      flat.valueStringIterator(name).forEachRemaining(values::add);
      assertThat(values).isEqualTo(netty.getAll(name));
      for (String value : new String[] {"chunked", "close", "12", "", "x", "CLOSE", "b"}) {
        for (boolean ignoreCase : new boolean[] {true, false}) {
          assertThat(flat.containsValue(name, value, ignoreCase)).as(name + " has " + value)
              .isEqualTo(netty.containsValue(name, value, ignoreCase));
          assertThat(flat.contains(name, value, ignoreCase)).as(name + " is " + value)
              .isEqualTo(netty.contains(name, value, ignoreCase));
        }
      }
    }
    assertThat(lowerCase(flat.names())).isEqualTo(lowerCase(netty.names()));
  }

  /** Each name (lower case) with its values in order: the order of different names may differ. */
  private static Map<String, List<String>> byName(HttpHeaders headers) {
    Map<String, List<String>> byName = new TreeMap<>();
    Iterator<Map.Entry<CharSequence, CharSequence>> all = headers.iteratorCharSequence();
    while (all.hasNext()) {
      Map.Entry<CharSequence, CharSequence> header = all.next();
      byName.computeIfAbsent(header.getKey().toString().toLowerCase(), k -> new ArrayList<>())
          .add(header.getValue().toString());
    }
    List<Map.Entry<String, String>> entries = headers.entries();
    assertThat(entries).hasSize(headers.size());
    return byName;
  }

  private static java.util.Set<String> lowerCase(java.util.Set<String> names) {
    java.util.Set<String> lower = new java.util.TreeSet<>();
    names.forEach(n -> lower.add(n.toLowerCase()));
    return lower;
  }

  @Test
  void refusesWhatNettysValidationRefuses() {
    HttpHeaders netty = DefaultHttpHeadersFactory.headersFactory().newHeaders();
    HttpHeaders flat = new FlatHttpHeaders();
    for (String badName : new String[] {"", "a b", "a:b", "x\u0001", "na\u00efve", "(x)"}) {
      assertThatThrownBy(() -> netty.add(badName, "v")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> flat.add(badName, "v")).as(badName).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> flat.set(badName, "v")).as(badName).isInstanceOf(IllegalArgumentException.class);
    }
    for (String badValue : new String[] {"a\r\nb", "a\nb", "\u0000", "x\u007f"}) {
      assertThatThrownBy(() -> netty.add("x", badValue)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> flat.add("x", badValue)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> flat.set("x", List.of("ok", badValue)))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(flat.isEmpty()).as("a refused change changes nothing").isTrue();
    flat.add("x", "tab\tinside");
    assertThat(flat.get("X")).isEqualTo("tab\tinside");
  }

  @Test
  void setKeepsTheFirstPlaceAndRemoveIfKeepsTheOrder() {
    FlatHttpHeaders flat = new FlatHttpHeaders();
    flat.add("Host", "a").add("Accept", "1").add("accept", "2").add("X-Tollgate-Trace", "t").add("Via", "v");
    flat.set(HttpHeaderNames.ACCEPT, "3");
    assertThat(names(flat)).containsExactly("Host", "Accept", "X-Tollgate-Trace", "Via");
    flat.removeIf(name -> AsciiString.regionMatches(name, true, 0, "x-tollgate-", 0, 11));
    assertThat(names(flat)).containsExactly("Host", "Accept", "Via");
    assertThat(flat.get("accept")).isEqualTo("3");
  }

  @Test
  void addFirstPutsAHeaderBeforeTheOthersWhenEmptyFullOrBetween() {
    FlatHttpHeaders flat = new FlatHttpHeaders();
    flat.addFirst(HttpHeaderNames.HOST, "h0");
    assertThat(names(flat)).containsExactly("host");
    for (int i = 1; i < 16; i++) {
      flat.add("X-" + i, i);
    }
    flat.addFirst("Via", "v"); // the 17th: past the first array
    assertThat(names(flat)).hasSize(17).startsWith("Via", "host", "X-1").endsWith("X-15");
    assertThat(flat.get("x-15")).isEqualTo("15");
    assertThat(flat.get("host")).isEqualTo("h0");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> flat.addFirst("bad name", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(names(flat)).hasSize(17);
  }

  @Test
  void growsPastItsFirstArray() {
    HttpHeaders flat = new FlatHttpHeaders();
    for (int i = 0; i < 100; i++) {
      flat.addInt("x-n" + i, i);
    }
    assertThat(flat.size()).isEqualTo(100);
    assertThat(flat.getInt("X-N99")).isEqualTo(99);
    assertThat(flat.remove("x-n0").size()).isEqualTo(99);
  }

  @Test
  void encodesAsNettysEncoderWrites() {
    HttpHeaders netty = DefaultHttpHeadersFactory.headersFactory().newHeaders();
    FlatHttpHeaders flat = new FlatHttpHeaders();
    for (HttpHeaders headers : List.of(netty, flat)) {
      headers.add(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
          .add("X-Name", "caf\u00e9 \u2615") // Latin-1 as its byte, wider as '?'
          .addInt(HttpHeaderNames.CONTENT_LENGTH, 42)
          .add(new AsciiString("x-ascii"), new AsciiString("v"));
    }
    assertThat(encoded(flat)).isEqualTo(nettyEncoded(netty))
        .contains("X-Name: caf\u00e9 ?\r\n").startsWith("content-type: application/json\r\n");
    assertThat(flat.get("x-name")).as("kept as written").isEqualTo("caf\u00e9 ?");
    flat.set("X-Name", "\u2615\u2615 and \u00fc");
    flat.addFirst("x-first", "\u20ac1");
    flat.add(new StringBuilder("x-built"), new StringBuilder("\u20ac2 \u00e9"));
    assertThat(encoded(flat)).contains("X-Name: ?? and \u00fc\r\n").startsWith("x-first: ?1\r\n")
        .contains("x-built: ?2 \u00e9\r\n");
    assertThat(flat.get("x-built")).isEqualTo("?2 \u00e9");
  }

  @Test
  void encodesAHeadLargerThanItsBlock() {
    HttpHeaders netty = DefaultHttpHeadersFactory.headersFactory().newHeaders();
    FlatHttpHeaders flat = new FlatHttpHeaders();
    for (HttpHeaders headers : List.of(netty, flat)) {
      for (int i = 0; i < 40; i++) {
        headers.add("x-big-" + i, "v".repeat(1000));
      }
    }
    assertThat(encoded(flat)).hasSizeGreaterThan(40_000).isEqualTo(nettyEncoded(netty));
    assertThat(encoded(new FlatHttpHeaders())).isEmpty();
  }

  private static String encoded(FlatHttpHeaders headers) {
    ByteBuf out = Unpooled.directBuffer(4);
    try {
      headers.encode(out);
      return out.toString(StandardCharsets.ISO_8859_1);
    } finally {
      out.release();
    }
  }

  /** The header lines Netty's response encoder writes for {@code headers}. */
  private static String nettyEncoded(HttpHeaders headers) {
    EmbeddedChannel channel = new EmbeddedChannel(new HttpResponseEncoder());
    channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, headers));
    ByteBuf written = channel.readOutbound();
    try {
      String head = written.toString(StandardCharsets.ISO_8859_1);
      return head.substring(head.indexOf("\r\n") + 2, head.length() - 2); // no status line, no blank line
    } finally {
      written.release();
      channel.finishAndReleaseAll();
    }
  }

  private static List<String> names(HttpHeaders headers) {
    List<String> names = new ArrayList<>();
    headers.iteratorCharSequence().forEachRemaining(e -> names.add(e.getKey().toString()));
    return names;
  }
}
