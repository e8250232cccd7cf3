package dev.tollgate.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.guard.Http1Reads;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import dev.tollgate.core.guard.FlatHttpHeaders;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The upstream codec against Netty's client codec: the same responses, heads, bodies and trailers, read
 * whole and split at every byte; then the framing it refuses.
 */
class UpstreamHttpCodecTest {

  private static final String SSE_HEAD = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
      + "transfer-encoding: chunked\r\nx-request-id: req_1\r\n\r\n";
  private static final String EVENTS = chunk("data: {\"delta\":\"Hel\"}\n\n") + chunk("data: {\"delta\":\"lo!\"}\n\n")
      + chunk("data: [DONE]\n\n") + "0\r\n\r\n";

  private static final Supplier<ChannelHandler> OURS = () -> new UpstreamHttpCodec(8192, 65536);
  private static final Supplier<ChannelHandler> NETTYS = () -> new HttpClientCodec(8192, 65536, 65536);

  @Test
  void aChunkedAnswerReadWholeComesAsItsHeadAndOneLastPieceWithAllItsData() {
    List<Object> messages = decode(OURS, List.of(HttpMethod.POST), SSE_HEAD + EVENTS);

    assertThat(messages).hasSize(2);
    assertThat(((HttpResponse) messages.get(0)).headers().get("x-request-id")).isEqualTo("req_1");
    LastHttpContent last = (LastHttpContent) messages.get(1);
    assertThat(last.content().toString(StandardCharsets.US_ASCII))
        .isEqualTo("data: {\"delta\":\"Hel\"}\n\ndata: {\"delta\":\"lo!\"}\n\ndata: [DONE]\n\n");
    Http1Reads.release(messages);
  }

  @Test
  void decodesWhatNettysClientCodecDecodesWhereverTheReadsSplitTheBytes() {
    List<String> exchanges = List.of(
        SSE_HEAD + EVENTS,
        // extensions, white space before them, upper-case hex, trailers
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 ;a=b\r\nhello\r\nA;x\r\n, world!!!\r\n"
            + "0\r\nx-checksum: abc\r\nX-Other:  two words \r\n\r\n",
        // keep-alive: chunked, fixed length, an empty chunked body, chunked again
        SSE_HEAD + EVENTS + "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nabcde"
            + "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n" + SSE_HEAD + EVENTS,
        // no body for 204, nor for the answer to HEAD whatever its headers say
        "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" + SSE_HEAD + EVENTS);
    List<List<HttpMethod>> methods = List.of(List.of(HttpMethod.POST), List.of(HttpMethod.POST),
        List.of(HttpMethod.POST, HttpMethod.POST, HttpMethod.POST, HttpMethod.POST),
        List.of(HttpMethod.POST, HttpMethod.HEAD, HttpMethod.POST));
    for (int e = 0; e < exchanges.size(); e++) {
      String bytes = exchanges.get(e);
      String expected = summary(decode(NETTYS, methods.get(e), bytes));
      for (int split = 0; split <= bytes.length(); split++) {
        assertThat(summary(decode(OURS, methods.get(e), bytes.substring(0, split), bytes.substring(split))))
            .as("exchange %d split at %d", e, split).isEqualTo(expected);
      }
      // and a byte per read
      assertThat(summary(decode(OURS, methods.get(e), bytes.chars().mapToObj(c -> String.valueOf((char) c)).toArray(String[]::new))))
          .as("exchange %d a byte per read", e).isEqualTo(expected);
    }
  }

  @Test
  void decodesRandomChunkedExchangesAsNettysCodecDoesWhateverTheReads() {
    java.util.Random random = new java.util.Random(7_2026_11_23L);
    for (int round = 0; round < 200; round++) {
      StringBuilder bytes = new StringBuilder();
      List<HttpMethod> methods = new ArrayList<>();
      for (int response = 1 + random.nextInt(3); response > 0; response--) {
        methods.add(HttpMethod.POST);
        if (random.nextBoolean()) {
          String body = "x".repeat(random.nextInt(40));
          bytes.append("HTTP/1.1 200 OK\r\ncontent-length: ").append(body.length()).append("\r\n\r\n").append(body);
          continue;
        }
        bytes.append(SSE_HEAD);
        for (int chunks = random.nextInt(6); chunks > 0; chunks--) {
          String data = "data: " + "abc\"\\\n".repeat(1 + random.nextInt(30)) + "\n\n";
          String size = Integer.toHexString(data.length());
          bytes.append(random.nextBoolean() ? size.toUpperCase(java.util.Locale.ROOT) : size)
              .append(random.nextInt(4) == 0 ? " ;ext=\"v\"" : "").append("\r\n").append(data).append("\r\n");
        }
        bytes.append("0\r\n").append(random.nextInt(4) == 0 ? "x-trailer: t" + round + "\r\n" : "").append("\r\n");
      }
      String exchange = bytes.toString();
      String[] reads = Http1Reads.randomReads(exchange, random);
      assertThat(summary(decode(OURS, methods, reads)))
          .as("round %d", round).isEqualTo(summary(decode(NETTYS, methods, exchange)));
    }
  }

  @Test
  void decodesRandomHeadsAndBodiesAsNettysCodecDoesWhateverTheReads() {
    String[] names = {"content-type", "Content-Type", "x-request-id", "X-Request-Id", "openai-version", "date",
        "set-cookie", "x-ratelimit-remaining-tokens", "cache-control", "a"};
    String[] values = {"application/json", "text/event-stream; charset=utf-8", "2020-10-01", "", "no-cache",
        "Mon, 23 Nov 2026 07:00:00 GMT", "__cf_bm=abc; path=/; HttpOnly", "1234", "two  words", "\u00e9t\u00e9"};
    String[] statusLines = {"HTTP/1.1 200 OK", "HTTP/1.1 200 Fine", "HTTP/1.1 201 Created", "HTTP/1.1 429 Too Many Requests",
        "HTTP/1.1 500 Internal Server Error", "HTTP/1.0 200 OK", "HTTP/1.1 200 ", "HTTP/1.1 404 Not Found",
        "HTTP/1.1  200  OK  "};
    java.util.Random random = new java.util.Random(23_11_2026L);
    for (int round = 0; round < 300; round++) {
      StringBuilder bytes = new StringBuilder();
      List<HttpMethod> methods = new ArrayList<>();
      for (int response = 1 + random.nextInt(3); response > 0; response--) {
        String status = statusLines[random.nextInt(statusLines.length)];
        boolean http10 = status.startsWith("HTTP/1.0");
        bytes.append(status).append("\r\n");
        for (int h = random.nextInt(8); h > 0; h--) {
          String ows = random.nextInt(3) == 0 ? " \t " : random.nextBoolean() ? " " : "";
          bytes.append(names[random.nextInt(names.length)]).append(':').append(ows)
              .append(values[random.nextInt(values.length)]).append(random.nextInt(4) == 0 ? " \t" : "").append("\r\n");
        }
        HttpMethod method = random.nextInt(8) == 0 ? HttpMethod.HEAD : HttpMethod.POST;
        methods.add(method);
        String body = "b".repeat(random.nextInt(50));
        if (http10 || random.nextBoolean()) {
          bytes.append("content-length: ").append(body.length()).append("\r\n\r\n");
        } else {
          bytes.append("transfer-encoding: chunked\r\n\r\n");
          body = (body.isEmpty() ? "" : chunk(body)) + "0\r\n\r\n";
        }
        if (method != HttpMethod.HEAD) {
          bytes.append(body);
        }
      }
      String exchange = bytes.toString();
      String[] reads = Http1Reads.randomReads(exchange, random);
      assertThat(summary(decode(OURS, methods, reads)))
          .as("round %d: %s", round, exchange).isEqualTo(summary(decode(NETTYS, methods, exchange)));
    }
  }

  @Test
  void aBodyWithoutALengthEndsWithTheConnectionAsNettysDoes() {
    for (String bytes : List.of("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nall of it, until the close",
        "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\nnot chunked", "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\ncut")) {
      assertThat(summary(decodeAndClose(OURS, bytes))).as(bytes).isEqualTo(summary(decodeAndClose(NETTYS, bytes)));
    }
    // a head cut by the close fails (Netty fails the head it had begun)
    assertThat(summary(decodeAndClose(OURS, "HTTP/1.1 200 OK\r\ncontent-le"))).isEqualTo(" <end [] failed>\n");
  }

  @Test
  void refusesHeadsThatNettysCodecRefusesAndIgnoresWhatFollows() {
    List<String> bad = List.of(
        "HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n", // two lengths
        "HTTP/1.1 200 OK\r\ncontent-length: -2\r\n\r\n",
        "HTTP/1.1 200 OK\r\ncontent-length: 2x\r\n\r\n",
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked, gzip\r\n\r\n", // chunked not last
        "HTTP/1.1 200 OK\r\nx-a: one\u0001two\r\n\r\n", // a control byte in a value
        "HTTP/1.1 200 OK\r\nx-a: one\u007ftwo\r\n\r\n", // DEL in a value
        "HTTP/1.1 200 OK\r\nx(a): v\r\n\r\n", // not a token
        "HTTP/1.1 200 OK\r\n" + "x-long: " + "v".repeat(70_000) + "\r\n\r\n", // longer than the header limit
        "HTTP/1.1 " + "9".repeat(9_000) + "\r\n\r\n"); // longer than the status line limit
    for (String head : bad) {
      List<Object> nettys = decode(NETTYS, List.of(HttpMethod.POST, HttpMethod.POST), head + "ok");
      assertThat(nettys.stream().anyMatch(m -> ((io.netty.handler.codec.http.HttpObject) m).decoderResult().isFailure()))
          .as("Netty refuses %s", head.substring(0, Math.min(60, head.length()))).isTrue();
      Http1Reads.release(nettys);
      List<Object> messages = decode(OURS, List.of(HttpMethod.POST, HttpMethod.POST),
          head + "okHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
      assertThat(messages).as(head.substring(0, Math.min(60, head.length()))).hasSize(1);
      assertThat(((LastHttpContent) messages.get(0)).decoderResult().isFailure()).isTrue();
      Http1Reads.release(messages);
    }
  }

  @Test
  void refusesWhatNoProviderShouldSend() {
    for (String head : List.of("HTTP/2.0 200 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 200 OK\nx-a: b\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n", " x-a: b\r\n\r\n",
        "HTTP/1.0 200 OK\r\ntransfer-encoding: chunked\r\n\r\n", "HTTP/1.1 200 O\u0001K\r\n\r\n",
        "HTTP/1.1 200 OK\r\nx-a: b\rc\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        "HTTP/1.1 200 OK\r\nx-a: one\r\n two\u0001\r\n\r\n")) { // the last: a control byte in a folded line
      List<Object> messages = decode(OURS, List.of(HttpMethod.POST), head);
      assertThat(messages).as(head).hasSize(1);
      assertThat(((LastHttpContent) messages.get(0)).decoderResult().isFailure()).as(head).isTrue();
      Http1Reads.release(messages);
    }
  }

  @Test
  void anInterimAnswerComesAloneAndTheFinalOneFollows() {
    List<Object> messages = decode(OURS, List.of(HttpMethod.POST),
        "HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
    assertThat(summary(messages)).isEqualTo("[103 [link=</a>]] [200 [content-length=2]] ok <end []>\n");
  }

  @Test
  void aRepeatedValueIsTheStringMadeBeforeButACookieNeverIs() {
    String answer = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nset-cookie: s=1\r\ncontent-length: 0\r\n\r\n";
    List<Object> messages = decode(OURS, List.of(HttpMethod.POST, HttpMethod.POST), answer + answer);
    assertThat(messages).hasSize(2); // bodyless answers: each one whole message
    HttpResponse first = (HttpResponse) messages.get(0);
    HttpResponse second = (HttpResponse) messages.get(1);
    assertThat(second.headers().get("content-type")).isSameAs(first.headers().get("content-type"));
    assertThat(second.headers().get("set-cookie")).isEqualTo("s=1").isNotSameAs(first.headers().get("set-cookie"));
    Http1Reads.release(messages);
  }

  @Test
  void refusesFramingThatCouldLeaveTheConnectionOutOfStep() {
    List<String> bad = List.of(
        "zz\r\nhello\r\n0\r\n\r\n", // not hex
        "5\nhello\r\n0\r\n\r\n", // a bare LF
        "5\r\nhelloXX0\r\n\r\n", // no CRLF after the data
        "5 x\r\nhello\r\n0\r\n\r\n", // neither CRLF nor an extension after the size
        "123456789\r\n", // too many digits
        ";x\r\nhello\r\n0\r\n\r\n", // no size
        "5;a\u0001b\r\nhello\r\n0\r\n\r\n", // a control byte in an extension
        "5\r\nhello\r\n0\r\ncontent-length: 5\r\n\r\n", // a framing header as a trailer
        "5\r\nhello\r\n0\r\nno colon here\r\n\r\n",
        "5\r\nhello\r\n0\r\nx-a: \u001cv\r\n\r\n"); // a control byte, not white space, before a value
    for (String body : bad) {
      List<Object> messages = decode(OURS, List.of(HttpMethod.POST, HttpMethod.POST),
          "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" + body
              + "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
      Object last = messages.get(messages.size() - 1);
      assertThat(last).as(body).isInstanceOf(LastHttpContent.class);
      assertThat(((LastHttpContent) last).decoderResult().isFailure()).as(body).isTrue();
      assertThat(messages.stream().filter(m -> m instanceof HttpResponse).count())
          .as("what follows a failure is ignored: %s", body).isEqualTo(1);
      Http1Reads.release(messages);
    }
  }

  @Test
  void aSizeLineThatNeverEndsFailsOnceItIsTooLong() {
    List<Object> messages = decode(OURS, List.of(HttpMethod.POST),
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n", "1" + ";".repeat(UpstreamResponseDecoder.MAX_SIZE_LINE_BYTES));

    assertThat(((LastHttpContent) messages.get(messages.size() - 1)).decoderResult().isFailure()).isTrue();
    Http1Reads.release(messages);
  }

  @Test
  void aConnectionClosedInTheMiddleOfABodyEndsItWithoutALastPieceAsNettysDoes() {
    String cut = SSE_HEAD + chunk("data: {\"delta\":\"Hel\"}\n\n") + "17\r\ndata";

    assertThat(summary(decodeAndClose(OURS, cut))).isEqualTo(summary(decodeAndClose(NETTYS, cut)));
  }

  @Test
  void anAnswerWhoseWholeBodyCameWithItsHeadIsOneMessageAndOtherwiseAHeadAndItsPieces() {
    String json = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{\"ok\":true}";

    List<Object> whole = decode(OURS, List.of(HttpMethod.POST), json);
    assertThat(whole).hasSize(1);
    FullHttpResponse answer = (FullHttpResponse) whole.get(0);
    assertThat(answer.status().code()).isEqualTo(200);
    assertThat(answer.content().toString(StandardCharsets.US_ASCII)).isEqualTo("{\"ok\":true}");
    Http1Reads.release(whole);

    int bodyAt = json.indexOf('{');
    List<Object> split = decode(OURS, List.of(HttpMethod.POST), json.substring(0, bodyAt + 3), json.substring(bodyAt + 3));
    assertThat(split).hasSize(3);
    assertThat(split.get(0)).isInstanceOf(HttpResponse.class).isNotInstanceOf(HttpContent.class);
    assertThat(split.get(2)).isInstanceOf(LastHttpContent.class);
    Http1Reads.release(split);

    // no body: the answer to HEAD (whatever its length says), a 204, and a length of nothing
    List<Object> bodyless = decode(OURS, List.of(HttpMethod.HEAD, HttpMethod.DELETE, HttpMethod.POST),
        "HTTP/1.1 200 OK\r\ncontent-length: 11\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
            + "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
    assertThat(bodyless).hasSize(3).allSatisfy(message -> {
      assertThat(message).isInstanceOf(FullHttpResponse.class);
      assertThat(((FullHttpResponse) message).content().readableBytes()).isZero();
    });
    Http1Reads.release(bodyless);
  }

  @Test
  void encodesTheRequestAsNettysEncoderDoes() {
    EmbeddedChannel channel = new EmbeddedChannel(OURS.get());
    channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/chat/completions",
        Unpooled.copiedBuffer("{}", StandardCharsets.US_ASCII)));
    StringBuilder wire = new StringBuilder();
    for (ByteBuf out; (out = channel.readOutbound()) != null; out.release()) {
      wire.append(out.toString(StandardCharsets.US_ASCII));
    }
    assertThat(wire.toString()).isEqualTo("POST /v1/chat/completions HTTP/1.1\r\n\r\n{}");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void encodesEveryShapeOfRequestAsNettysEncoderDoesAndKnowsWhatEachAnswerAnswers() {
    // a whole request with a small body is written as one buffer of ours, others by Netty's encoder
    String small = "{\"model\":\"m\",\"messages\":[]}";
    String large = "{\"x\":\"" + "a".repeat(9_000) + "\"}";
    List<Supplier<List<Object>>> exchanges = List.of(
        () -> List.of(request(HttpMethod.POST, small, false)),
        () -> List.of(request(HttpMethod.POST, small, true)),
        () -> List.of(request(HttpMethod.POST, large, false)),
        () -> List.of(request(HttpMethod.GET, "", false)),
        () -> {
          DefaultFullHttpRequest chunked = request(HttpMethod.POST, small, false);
          chunked.headers().remove(HttpHeaderNames.CONTENT_LENGTH).set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
          return List.of(chunked);
        },
        () -> {
          DefaultFullHttpRequest withTrailers = request(HttpMethod.POST, small, false);
          withTrailers.headers().remove(HttpHeaderNames.CONTENT_LENGTH).set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
          withTrailers.trailingHeaders().set("x-checksum", "abc");
          return List.of(withTrailers);
        },
        () -> { // a head, its body in pieces, then a whole request: Netty's encoder is in the middle of a message
          DefaultHttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/files");
          head.headers().set(HttpHeaderNames.CONTENT_LENGTH, 4);
          return List.of(head, new DefaultHttpContent(Unpooled.copiedBuffer("ab", StandardCharsets.US_ASCII)),
              new DefaultLastHttpContent(Unpooled.copiedBuffer("cd", StandardCharsets.US_ASCII)),
              request(HttpMethod.HEAD, "", false), request(HttpMethod.POST, small, true));
        });
    for (int e = 0; e < exchanges.size(); e++) {
      assertThat(wire(OURS, exchanges.get(e).get())).as("exchange %d", e).isEqualTo(wire(NETTYS, exchanges.get(e).get()));
    }
    // the methods are noted in order, however the requests were written: the answer to HEAD has no body
    EmbeddedChannel channel = new EmbeddedChannel(OURS.get());
    for (Object message : exchanges.get(6).get()) {
      channel.writeOutbound(message);
    }
    for (Object out; (out = channel.readOutbound()) != null; ) {
      ReferenceCountUtil.release(out);
    }
    List<Object> answers = Http1Reads.readAll(channel, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
        + "HTTP/1.1 200 OK\r\ncontent-length: 7\r\n\r\n"
        + "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi");
    assertThat(summary(answers)).isEqualTo("[200 [content-length=2]] ok <end []>\n[200 [content-length=7]]  <end []>\n"
        + "[200 [content-length=2]] hi <end []>\n");
  }

  /** A whole request with FlatHttpHeaders, as the gateway builds them; its body a slice of a read if asked. */
  private static DefaultFullHttpRequest request(HttpMethod method, String body, boolean sliceOfARead) {
    ByteBuf content;
    if (sliceOfARead) {
      ByteBuf read = Unpooled.directBuffer().writeBytes(("xx" + body + "yy").getBytes(StandardCharsets.US_ASCII));
      content = read.retainedSlice(2, body.length());
      read.release();
    } else {
      content = Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII);
    }
    FlatHttpHeaders headers = new FlatHttpHeaders();
    headers.add("Host", "api.provider.test").add("Content-Type", "application/json")
        .add(HttpHeaderNames.AUTHORIZATION, "Bearer sk-test").add("Accept-Encoding", "identity");
    if (!body.isEmpty()) {
      headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length());
    }
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/v1/chat/completions", content, headers,
        new FlatHttpHeaders());
  }

  /** The bytes {@code codec} writes for {@code messages}; releases them. */
  private static String wire(Supplier<ChannelHandler> codec, List<Object> messages) {
    EmbeddedChannel channel = new EmbeddedChannel(codec.get());
    for (Object message : messages) {
      channel.writeOutbound(message);
    }
    StringBuilder wire = new StringBuilder();
    for (Object out; (out = channel.readOutbound()) != null; ReferenceCountUtil.release(out)) {
      wire.append(((ByteBuf) out).toString(StandardCharsets.US_ASCII));
    }
    assertThat(channel.finish()).isFalse();
    return wire.toString();
  }

  /** One chunk of a chunked body: its size in hex, CRLF, the data, CRLF. */
  private static String chunk(String data) {
    return Integer.toHexString(data.length()) + "\r\n" + data + "\r\n";
  }

  /** Sends a request per method (so the codec knows what each answer answers), then reads {@code reads}. */
  private static List<Object> decode(Supplier<ChannelHandler> codec, List<HttpMethod> methods, String... reads) {
    EmbeddedChannel channel = new EmbeddedChannel(codec.get());
    for (HttpMethod method : methods) {
      channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
      for (Object out; (out = channel.readOutbound()) != null; ) {
        ReferenceCountUtil.release(out);
      }
    }
    return Http1Reads.readAll(channel, reads);
  }

  private static List<Object> decodeAndClose(Supplier<ChannelHandler> codec, String bytes) {
    EmbeddedChannel channel = new EmbeddedChannel(codec.get());
    channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/"));
    for (Object out; (out = channel.readOutbound()) != null; ) {
      ReferenceCountUtil.release(out);
    }
    channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    channel.close();
    List<Object> messages = new ArrayList<>();
    for (Object in; (in = channel.readInbound()) != null; ) {
      messages.add(in);
    }
    return messages;
  }

  /**
   * The responses as read: each head's status and headers, then its body (all pieces joined), its
   * trailers and how it ended. Releases the messages.
   */
  private static String summary(List<Object> messages) {
    StringBuilder out = new StringBuilder();
    for (Object message : messages) {
      if (message instanceof HttpResponse head) {
        out.append("[").append(head.status().code()).append(' ').append(head.headers().entries()).append("] ");
      }
      Http1Reads.appendBody(out, message);
    }
    Http1Reads.release(messages);
    return out.toString();
  }
}
