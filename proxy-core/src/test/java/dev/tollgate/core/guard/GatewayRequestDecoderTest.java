package dev.tollgate.core.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.guard.Http1MessageDecoder.FramingException;
import dev.tollgate.core.guard.Http1MessageDecoder.Problem;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The client-request decoder against Netty's request decoder: the same requests, heads, bodies and
 * trailers, read whole and split at every byte; then what it refuses, and how.
 */
class GatewayRequestDecoderTest {

  private static final String SDK_HEAD = "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost:8080\r\n"
      + "Accept: application/json\r\nContent-Type: application/json\r\nUser-Agent: OpenAI/Python 1.54.0\r\n"
      + "X-Stainless-Lang: python\r\nX-Stainless-Retry-Count: 0\r\nAuthorization: Bearer tg_live_abc\r\n";
  private static final String BODY = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private static final Supplier<ChannelHandler> OURS = () -> new GatewayRequestDecoder(4096, 8192);
  private static final Supplier<ChannelHandler> NETTYS = () -> new HttpRequestDecoder(4096, 8192, 65536);

  @Test
  void aRequestWhoseWholeBodyCameWithItIsOneRequestAroundTheBodyAsRead() {
    List<Object> messages = decode(OURS, SDK_HEAD + "Content-Length: " + BODY.length() + "\r\n\r\n" + BODY);

    assertThat(messages).hasSize(1);
    FullHttpRequest request = (FullHttpRequest) messages.get(0);
    assertThat(request.uri()).isEqualTo("/v1/chat/completions");
    assertThat(request.headers().get("x-stainless-lang")).isEqualTo("python");
    assertThat(request.content().toString(StandardCharsets.UTF_8)).isEqualTo(BODY);
    Http1Reads.release(messages);
  }

  @Test
  void aRequestWithoutABodyIsWholeWithALengthOfNothing() {
    List<Object> messages = decode(OURS, "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n");

    FullHttpRequest request = (FullHttpRequest) messages.get(0);
    assertThat(request.content().readableBytes()).isZero();
    assertThat(request.headers().get("content-length")).isEqualTo("0");
    Http1Reads.release(messages);
  }

  @Test
  void decodesWhatNettysDecoderDecodesWhereverTheReadsSplitTheBytes() {
    List<String> connections = List.of(
        SDK_HEAD + "Content-Length: " + BODY.length() + "\r\n\r\n" + BODY,
        // keep-alive: no body, a length, chunked with extensions and trailers, an empty chunked body
        "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n"
            + "POST /v1/messages HTTP/1.1\r\nx-api-key: k\r\ncontent-length: 2\r\n\r\n{}"
            + "POST /v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 ;a=b\r\n{\"a\":\r\nA;x\r\n1234567890\r\n"
            + "0\r\nx-checksum: abc\r\nX-Other:  two words \r\n\r\n"
            + "POST /v1/embeddings HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n",
        // more header lines than a head usually has
        "GET /v1/models HTTP/1.1\r\n" + "X-Many: v\r\n".repeat(100) + "\r\nGET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n",
        // HTTP/1.0, Expect, an unusual method, a stray CRLF between requests
        "GET /healthz HTTP/1.0\r\n\r\n\r\nPOST /v1/messages HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc"
            + "PROPFIND /x?y=z HTTP/1.1\r\nHost: x\r\n\r\n");
    for (int c = 0; c < connections.size(); c++) {
      String bytes = connections.get(c);
      String expected = summary(decode(NETTYS, bytes));
      for (int split = 0; split <= bytes.length(); split++) {
        assertThat(summary(decode(OURS, bytes.substring(0, split), bytes.substring(split))))
            .as("connection %d split at %d", c, split).isEqualTo(expected);
      }
      assertThat(summary(decode(OURS, bytes.chars().mapToObj(ch -> String.valueOf((char) ch)).toArray(String[]::new))))
          .as("connection %d a byte per read", c).isEqualTo(expected);
    }
  }

  @Test
  void decodesRandomRequestsAsNettysDecoderDoesWhateverTheReads() {
    String[] names = {"Content-Type", "content-type", "Authorization", "User-Agent", "X-Stainless-Os",
        "x-stainless-arch", "anthropic-version", "Accept", "Accept-Encoding", "Connection", "a"};
    String[] values = {"application/json", "Bearer tg_live_abc", "Anthropic/Python 0.40.0", "", "MacOS", "arm64",
        "2023-06-01", "gzip, deflate", "keep-alive", "two  words", "\u00e9t\u00e9", "*/*"};
    String[] lines = {"POST /v1/chat/completions HTTP/1.1", "POST /v1/messages HTTP/1.1", "GET /v1/models HTTP/1.1",
        "GET /v1/models?limit=5 HTTP/1.1", "DELETE /v1/files/f_1 HTTP/1.1", "POST /v1/embeddings HTTP/1.0",
        "OPTIONS * HTTP/1.1", "PATCH /admin/tenants/t1 HTTP/1.1"};
    Random random = new Random(23_11_2026L);
    for (int round = 0; round < 300; round++) {
      StringBuilder bytes = new StringBuilder();
      for (int request = 1 + random.nextInt(3); request > 0; request--) {
        String line = lines[random.nextInt(lines.length)];
        bytes.append(line).append("\r\n");
        for (int h = random.nextInt(10); h > 0; h--) {
          String ows = random.nextInt(3) == 0 ? " \t " : random.nextBoolean() ? " " : "";
          bytes.append(names[random.nextInt(names.length)]).append(':').append(ows)
              .append(values[random.nextInt(values.length)]).append(random.nextInt(4) == 0 ? " \t" : "").append("\r\n");
        }
        String body = "b".repeat(random.nextInt(4) == 0 ? 0 : random.nextInt(300));
        int framing = random.nextInt(line.endsWith("1.0") ? 2 : 3); // no chunks in HTTP/1.0: ours refuses them
        if (framing == 0 && body.isEmpty()) {
          bytes.append("\r\n"); // no body
        } else if (framing < 2) {
          bytes.append("Content-Length: ").append(body.length()).append("\r\n\r\n").append(body);
        } else {
          bytes.append("Transfer-Encoding: chunked\r\n\r\n");
          for (int at = 0; at < body.length(); ) {
            int n = Math.min(body.length() - at, 1 + random.nextInt(100));
            bytes.append(Integer.toHexString(n)).append("\r\n").append(body, at, at + n).append("\r\n");
            at += n;
          }
          bytes.append("0\r\n").append(random.nextInt(4) == 0 ? "x-trailer: t" + round + "\r\n" : "").append("\r\n");
        }
      }
      String connection = bytes.toString();
      assertThat(summary(decode(OURS, Http1Reads.randomReads(connection, random))))
          .as("round %d: %s", round, connection).isEqualTo(summary(decode(NETTYS, connection)));
    }
  }

  @Test
  void aHeadAsLongAsTheLimitsAllowIsReadWholeAndSplitAsNettysDecoderReadsIt() {
    // a head is copied into the event loop's array a stretch at a time as it is searched, and the array
    // grows for a head longer than it: a start line and header lines at their limits, then a body
    String target = "/v1/chat/completions?q=" + "a".repeat(4096 - "POST  HTTP/1.1".length() - 23);
    StringBuilder lines = new StringBuilder();
    for (int i = 0; lines.length() < 8192 - 40; i++) {
      lines.append("X-Line-").append(i).append(": ").append("v".repeat(i % 50)).append("\r\n");
    }
    String body = "{\"model\":\"m\"}";
    String connection = "POST " + target + " HTTP/1.1\r\n" + lines + "Content-Length: " + body.length()
        + "\r\n\r\n" + body + "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n";
    String expected = summary(decode(NETTYS, connection));
    assertThat(expected).contains("X-Line-1=v", "GET /v1/models");

    assertThat(summary(decode(OURS, connection))).isEqualTo(expected);
    Random random = new Random(22_11_2026L);
    for (int round = 0; round < 50; round++) {
      assertThat(summary(decode(OURS, Http1Reads.randomReads(connection, random)))).as("round %d", round)
          .isEqualTo(expected);
    }
    for (int split : new int[] {1, 511, 512, 513, 4095, 4096, 4097, 4104, connection.indexOf("\r\n\r\n") + 3}) {
      assertThat(summary(decode(OURS, connection.substring(0, split), connection.substring(split))))
          .as("split at %d", split).isEqualTo(expected);
    }
  }

  @Test
  void refusesRequestsThatNettysDecoderRefusesAndIgnoresWhatFollows() {
    List<String> bad = List.of(
        "POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n", // two lengths
        "POST / HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n", // both framings
        "POST / HTTP/1.1\r\nContent-Length: -2\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 2x\r\n\r\n",
        "POST / HTTP/1.1\r\nx-a: one\u0001two\r\n\r\n", // a control byte in a value
        "POST / HTTP/1.1\r\nx-a: one\u007ftwo\r\n\r\n", // DEL in a value
        "POST / HTTP/1.1\r\nx-a: \u0000\r\n\r\n", // a value of one NUL
        "POST / HTTP/1.1\r\nx(a): v\r\n\r\n", // not a token
        "POST / HTTP/1.1\r\nx-a : v\r\n\r\n", // white space before the colon
        "POST / HTTP/1.1\r\nx-long: " + "v".repeat(9_000) + "\r\n\r\n", // longer than the header limit
        "GET /" + "a".repeat(5_000) + " HTTP/1.1\r\n\r\n"); // longer than the line limit
    for (String head : bad) {
      String what = head.substring(0, Math.min(70, head.length()));
      List<Object> nettys = decode(NETTYS, head + "ok");
      assertThat(nettys.stream().anyMatch(m -> ((HttpObject) m).decoderResult().isFailure()))
          .as("Netty refuses %s", what).isTrue();
      Http1Reads.release(nettys);
      assertRefused(head, what);
    }
  }

  @Test
  void aControlCharacterAnywhereInAValueIsRefusedAndATabOrObsTextIsNot() {
    for (int at = 0; at < 24; at++) {
      for (char refused : new char[] {'\u0000', '\u0001', '\u001f', '\u007f'}) {
        String value = "v".repeat(at) + refused + "w".repeat(23 - at);
        String head = "POST / HTTP/1.1\r\nx-a: " + value + "\r\n\r\n";
        assertRefused(head, "0x" + Integer.toHexString(refused) + " at " + at);
      }
      for (char kept : new char[] {'\t', '\u00e9', '~'}) {
        String value = "v".repeat(at + 1) + kept + "w".repeat(24 - at);
        List<Object> messages = decode(OURS, "POST / HTTP/1.1\r\nx-a: " + value + "\r\n\r\n");
        assertThat(((HttpObject) messages.get(0)).decoderResult().isSuccess()).as("0x%s at %s",
            Integer.toHexString(kept), at).isTrue();
        assertThat(((HttpRequest) messages.get(0)).headers().get("x-a")).isEqualTo(value);
        Http1Reads.release(messages);
      }
    }
  }

  @Test
  void eachHeadOfAConnectionIsReadAsItsOwnBytesSayWhateverTheHeadBeforeIt() {
    String first = "POST /a HTTP/1.1\r\nHost: gw\r\nx-a: 1\r\nContent-Length: 2\r\nCookie: c=1\r\n\r\nok";
    String sameLengths = "POST /b HTTP/1.1\r\nHost: gw\r\nx-a: 2\r\nContent-Length: 3\r\nCookie: c=1\r\n\r\nokk";
    String again = sameLengths.replace("/b", "/c");
    String reordered = "POST /d HTTP/1.1\r\nx-a: 2\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nk\r\n0\r\n\r\n";
    String shorter = "POST /e HTTP/1.1\r\nx-a: 2\r\nHost: gw\r\nContent-Length: 1\r\n\r\nk";
    String[] heads = {first, sameLengths, again, reordered, shorter, first};

    List<Object> ours = decode(OURS, String.join("", heads));
    List<Object> nettys = decode(NETTYS, String.join("", heads));
    List<HttpRequest> requests = ours.stream().filter(m -> m instanceof HttpRequest).map(m -> (HttpRequest) m).toList();
    assertThat(requests).hasSize(heads.length);
    assertThat(requests.get(1).headers().get("x-a")).isEqualTo("2");
    assertThat(requests.get(2).headers().get("content-length")).isEqualTo("3");
    assertThat(requests.get(2).headers().get("cookie")).as("a cookie is never the string read before")
        .isEqualTo("c=1").isNotSameAs(requests.get(1).headers().get("cookie"));
    assertThat(requests.get(3).headers().names()).containsExactly("x-a", "Host", "Transfer-Encoding");
    assertThat(requests.get(5).headers().get("x-a")).isEqualTo("1");
    assertThat(summary(ours)).isEqualTo(summary(nettys));
  }

  @Test
  void refusesWhatRfc9112AsksAServerToRefuse() {
    List<String> bad = List.of(
        "POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n", // a repeated length
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", // chunked not last
        "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nx-a: b\r\n folded\r\n\r\n", // an obsolete folded line
        "POST / HTTP/1.1\r\n x-a: b\r\n\r\n",
        "POST / HTTP/1.1\nx-a: b\r\n\r\n", // a bare LF
        "POST / HTTP/1.1\r\nx-a: b\rc\r\n\r\n", // a bare CR
        "POST /a b HTTP/1.1\r\n\r\n", // a space in the target
        "POST  / HTTP/1.1\r\n\r\n",
        "POST /\u00e9 HTTP/1.1\r\n\r\n", // not ASCII in the target
        "POST / HTTP/2.0\r\n\r\n",
        "POST / HTTP/1.1 \r\n\r\n",
        "PO(ST / HTTP/1.1\r\n\r\n", // a method that is not a token
        "POST / HTTP/1.1\r\nno colon here\r\n\r\n");
    for (String head : bad) {
      assertRefused(head, head.substring(0, Math.min(70, head.length())));
    }
  }

  @Test
  void namesTheProblemTheGuardAnswers() {
    assertThat(problem("GET /" + "a".repeat(5_000) + " HTTP/1.1\r\n\r\n")).isEqualTo(Problem.START_LINE_TOO_LONG);
    assertThat(problem("GET / HTTP/1.1\r\nx: " + "a".repeat(9_000) + "\r\n\r\n")).isEqualTo(Problem.HEAD_TOO_LONG);
    assertThat(problem("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n"))
        .isEqualTo(Problem.AMBIGUOUS_LENGTH);
    assertThat(problem("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n"))
        .isEqualTo(Problem.AMBIGUOUS_LENGTH);
    assertThat(problem("POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n")).isEqualTo(Problem.MALFORMED);
  }

  @Test
  void aBrokenChunkFailsTheBodyAndWhatFollowsIsIgnored() {
    for (String body : List.of("zz\r\nhello\r\n0\r\n\r\n", "5\r\nhelloXX0\r\n\r\n", "5\r\nhello\r\n0\r\ncontent-length: 5\r\n\r\n")) {
      List<Object> messages = decode(OURS, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + body
          + "GET / HTTP/1.1\r\n\r\n");
      Object last = messages.get(messages.size() - 1);
      assertThat(((LastHttpContent) last).decoderResult().isFailure()).as(body).isTrue();
      assertThat(messages.stream().filter(m -> m instanceof HttpRequest).count()).as(body).isEqualTo(1);
      Http1Reads.release(messages);
    }
  }

  @Test
  void repeatedValuesAreTheStringsMadeBeforeButCredentialsAndQueriesNeverAre() {
    String request = "POST /v1/messages HTTP/1.1\r\ncontent-type: application/json\r\nx-api-key: sk-1\r\n"
        + "authorization: Bearer tg_1\r\nCookie: s=1\r\nProxy-Authorization: Basic eA==\r\nSet-Cookie: a=b\r\n"
        + "content-length: 0\r\n\r\nGET /v1/models?key=s3cret HTTP/1.1\r\n\r\n";
    List<Object> messages = decode(OURS, request + request);
    HttpRequest first = (HttpRequest) messages.get(0);
    HttpRequest second = (HttpRequest) messages.get(2);
    assertThat(second.headers().get("content-type")).isSameAs(first.headers().get("content-type"));
    assertThat(second.uri()).isSameAs(first.uri());
    assertThat(second.headers().get("x-api-key")).isEqualTo("sk-1").isNotSameAs(first.headers().get("x-api-key"));
    assertThat(second.headers().get("authorization")).isEqualTo("Bearer tg_1")
        .isNotSameAs(first.headers().get("authorization"));
    for (String secret : List.of("cookie", "proxy-authorization", "set-cookie")) {
      assertThat(second.headers().get(secret)).isEqualTo(first.headers().get(secret))
          .isNotSameAs(first.headers().get(secret));
    }
    assertThat(((HttpRequest) messages.get(3)).uri()).isEqualTo("/v1/models?key=s3cret")
        .isNotSameAs(((HttpRequest) messages.get(1)).uri());
    Http1Reads.release(messages);
  }

  @Test
  void aClientThatClosesInTheMiddleOfAHeadIsNotAnswered() {
    EmbeddedChannel channel = new EmbeddedChannel(OURS.get());
    channel.writeInbound(Unpooled.copiedBuffer("POST /v1/chat/completions HTTP/1.1\r\nHost: x", StandardCharsets.US_ASCII));
    channel.close();
    assertThat((Object) channel.readInbound()).isNull();
  }

  private static void assertRefused(String head, String what) {
    List<Object> messages = decode(OURS, head + "okGET / HTTP/1.1\r\n\r\n");
    assertThat(messages).as(what).hasSize(1);
    assertThat(((HttpObject) messages.get(0)).decoderResult().isFailure()).as(what).isTrue();
    assertThat(messages.get(0)).as(what).isInstanceOf(FullHttpRequest.class);
    Http1Reads.release(messages);
  }

  private static Problem problem(String head) {
    List<Object> messages = decode(OURS, head);
    Throwable cause = ((HttpObject) messages.get(0)).decoderResult().cause();
    Http1Reads.release(messages);
    return ((FramingException) cause).problem();
  }

  private static List<Object> decode(Supplier<ChannelHandler> decoder, String... reads) {
    EmbeddedChannel channel = new EmbeddedChannel(decoder.get());
    return Http1Reads.readAll(channel, reads);
  }

  /**
   * The requests as read: each head's request line and headers, then its body (all pieces joined), its
   * trailers and how it ended. The content-length of nothing that ours gives a request without a body
   * (as an aggregated request has it) is left out. Releases the messages.
   */
  private static String summary(List<Object> messages) {
    StringBuilder out = new StringBuilder();
    for (Object message : messages) {
      if (message instanceof HttpRequest head) {
        String headers = head.headers().entries().toString();
        headers = headers.replace(", content-length=0]", "]").replace("[content-length=0]", "[]");
        out.append("[").append(head.method()).append(' ').append(head.uri()).append(' ').append(head.protocolVersion())
            .append(' ').append(headers).append("] ");
      }
      Http1Reads.appendBody(out, message);
    }
    Http1Reads.release(messages);
    return out.toString();
  }
}
