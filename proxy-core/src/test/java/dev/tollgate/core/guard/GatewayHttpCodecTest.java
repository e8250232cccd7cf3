package dev.tollgate.core.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
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
