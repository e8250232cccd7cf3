package dev.tollgate.core.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayHttpCodecTest {

  @Test
  void writesEachSmallChunkOfAChunkedResponseAsOneBuffer() {
    EmbeddedChannel channel = newChannel();
    channel.writeOutbound(chunkedResponse());
    String head = drain(channel).get(0);

    HttpContent event = new DefaultHttpContent(ascii("data: {\"x\":1}\n\n"));
    ChannelFuture written = channel.writeAndFlush(event);

    assertThat(written.isSuccess()).isTrue();
    assertThat(event.refCnt()).isZero();
    assertThat(drain(channel)).containsExactly("f\r\ndata: {\"x\":1}\n\n\r\n");
    assertThat(head).startsWith("HTTP/1.1 200 OK\r\n");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void writesTheLastChunkWithItsDataAndTheEndMarker() {
    EmbeddedChannel channel = newChannel();
    channel.writeOutbound(chunkedResponse());
    drain(channel);

    channel.writeOutbound(new DefaultLastHttpContent(ascii("data: [DONE]\n\n")));

    assertThat(String.join("", drain(channel))).isEqualTo("e\r\ndata: [DONE]\n\n\r\n0\r\n\r\n");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void framesChunksWhoseSizeNeedsSeveralHexDigits() {
    EmbeddedChannel channel = newChannel();
    channel.writeOutbound(chunkedResponse());
    drain(channel);
    String data = "z".repeat(4_097);

    channel.writeOutbound(new DefaultHttpContent(ascii(data)));

    assertThat(drain(channel)).containsExactly("1001\r\n" + data + "\r\n");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void leavesChunksOfABodylessStatusToNetty() {
    EmbeddedChannel channel = newChannel();
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    channel.writeOutbound(response);
    drain(channel);

    channel.writeOutbound(new DefaultHttpContent(ascii("ignored")));

    assertThat(String.join("", drain(channel))).doesNotContain("\r\n");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void leavesLargeChunksToNettysZeroCopyWrites() {
    EmbeddedChannel channel = newChannel();
    channel.writeOutbound(chunkedResponse());
    drain(channel);
    String data = "y".repeat(10_000);

    ChannelFuture written = channel.writeAndFlush(new DefaultHttpContent(ascii(data)));

    assertThat(written.isSuccess()).isTrue();
    List<String> parts = drain(channel);
    assertThat(parts).hasSize(3);
    assertThat(String.join("", parts)).isEqualTo("2710\r\n" + data + "\r\n");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void writesContentOfAContentLengthResponseUnframed() {
    EmbeddedChannel channel = newChannel();
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 5);
    channel.writeOutbound(response);
    drain(channel);

    channel.writeOutbound(new DefaultHttpContent(ascii("hel")), new DefaultLastHttpContent(ascii("lo")));

    assertThat(String.join("", drain(channel))).isEqualTo("hello");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void writesAWholeResponseAsNettysEncoderDoesInOneBufferWhenItsBodyIsSmall() {
    String small = "{\"id\":\"c1\",\"usage\":{\"prompt_tokens\":7}}";
    String large = "x".repeat(9_000);
    List<java.util.function.Supplier<List<Object>>> writes = List.of(
        () -> List.of(whole(HttpResponseStatus.OK, small, true)),
        () -> List.of(whole(HttpResponseStatus.TOO_MANY_REQUESTS, small, true)),
        () -> List.of(whole(HttpResponseStatus.OK, large, true)),
        () -> List.of(whole(HttpResponseStatus.OK, "", true)),
        () -> List.of(whole(HttpResponseStatus.NO_CONTENT, "", true)), // a length Netty's encoder removes
        () -> {
          FullHttpResponse chunked = whole(HttpResponseStatus.OK, small, false);
          chunked.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
          return List.of(chunked);
        },
        () -> { // a streamed response, then whole ones on the same connection
          HttpResponse head = chunkedResponse();
          return List.of(head, new DefaultHttpContent(ascii("data: 1\n\n")), new DefaultLastHttpContent(ascii("")),
              whole(HttpResponseStatus.OK, small, true), whole(HttpResponseStatus.OK, small, true));
        });
    for (int w = 0; w < writes.size(); w++) {
      EmbeddedChannel ours = newChannel();
      EmbeddedChannel nettys = new EmbeddedChannel(new HttpResponseEncoder());
      for (Object message : writes.get(w).get()) {
        ours.writeOutbound(message);
      }
      for (Object message : writes.get(w).get()) {
        nettys.writeOutbound(message);
      }
      List<String> ourBuffers = drain(ours);
      assertThat(String.join("", ourBuffers)).as("write %d", w).isEqualTo(String.join("", drain(nettys)));
      if (w == 0 || w == 1) {
        assertThat(ourBuffers).as("write %d: one buffer", w).hasSize(1);
      }
      assertThat(ours.finish()).isFalse();
      assertThat(nettys.finish()).isFalse();
    }
  }

  @Test
  void aWholeResponseIsReleasedOnceWrittenAndItsPromiseCompleted() {
    EmbeddedChannel channel = newChannel();
    FullHttpResponse response = whole(HttpResponseStatus.OK, "{}", true);

    ChannelFuture written = channel.writeAndFlush(response);

    assertThat(written.isSuccess()).isTrue();
    assertThat(response.refCnt()).isZero();
    assertThat(drain(channel)).containsExactly("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
        + "content-length: 2\r\n\r\n{}");
    assertThat(channel.finish()).isFalse();
  }

  private static FullHttpResponse whole(HttpResponseStatus status, String body, boolean withLength) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, ascii(body),
        new FlatHttpHeaders(), new FlatHttpHeaders());
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    if (withLength) {
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length());
    }
    return response;
  }

  private static EmbeddedChannel newChannel() {
    return new EmbeddedChannel(new GatewayHttpCodec(4096, 8192));
  }

  private static HttpResponse chunkedResponse() {
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    return response;
  }

  /** Every outbound buffer as text, released. */
  private static List<String> drain(EmbeddedChannel channel) {
    List<String> parts = new ArrayList<>();
    ByteBuf part;
    while ((part = channel.readOutbound()) != null) {
      parts.add(part.toString(StandardCharsets.US_ASCII));
      part.release();
    }
    return parts;
  }

  private static ByteBuf ascii(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
  }
}
