package dev.tollgate.core.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.error.WrittenResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestGuardHandlerTest {

  private static final int MAX_LINE_BYTES = 256;
  private static final int MAX_HEADER_BYTES = 1024;

  @Test
  void refusesContentLengthTogetherWithTransferEncodingAndClosesTheConnection() {
    EmbeddedChannel channel = newChannel();

    channel.writeInbound(bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));

    assertThat((Object) channel.readInbound()).isNull();
    WrittenResponse response = WrittenResponse.read(channel);
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.errorCode()).isEqualTo("ambiguous_framing");
    assertThat(response.headers().get("connection")).isEqualToIgnoringCase("close");
    assertThat(channel.isOpen()).isFalse();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void refusesOversizedHeadersWith431() {
    EmbeddedChannel channel = newChannel();

    channel.writeInbound(bytes("GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(2 * MAX_HEADER_BYTES)
        + "\r\n\r\n"));

    assertThat((Object) channel.readInbound()).isNull();
    WrittenResponse response = WrittenResponse.read(channel);
    assertThat(response.status()).isEqualTo(431);
    assertThat(response.errorCode()).isEqualTo("headers_too_large");
    assertThat(channel.isOpen()).isFalse();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void refusesAnOversizedRequestLineWith414() {
    EmbeddedChannel channel = newChannel();

    channel.writeInbound(bytes("GET /v1/models?q=" + "a".repeat(2 * MAX_LINE_BYTES) + " HTTP/1.1\r\nHost: x\r\n\r\n"));

    assertThat((Object) channel.readInbound()).isNull();
    WrittenResponse response = WrittenResponse.read(channel);
    assertThat(response.status()).isEqualTo(414);
    assertThat(response.errorCode()).isEqualTo("uri_too_long");
    assertThat(channel.isOpen()).isFalse();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void refusesAPathThatClimbsWithDotDot() {
    EmbeddedChannel channel = newChannel();

    channel.writeInbound(bytes("GET /openai/v1/../../admin/keys HTTP/1.1\r\nHost: x\r\n\r\n"));

    assertThat((Object) channel.readInbound()).isNull();
    WrittenResponse response = WrittenResponse.read(channel);
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.errorCode()).isEqualTo("bad_request");
    assertThat(channel.isOpen()).isFalse();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void refusesAPercentEncodedDotDotAndANonOriginFormTarget() {
    assertThat(RequestGuardHandler.refusal(request("/v1/%2e%2e/admin"))).isNotNull();
    assertThat(RequestGuardHandler.refusal(request("http://evil.example/v1/models"))).isNotNull();
    assertThat(RequestGuardHandler.refusal(request("/v1//models"))).isNotNull();
    assertThat(RequestGuardHandler.refusal(request("/v1/models?next=/../x"))).isNull();
  }

  @Test
  void refusesABodyWhoseChunkedFramingBreaksAndCloses() {
    EmbeddedChannel channel = newChannel();

    channel.writeInbound(bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "2\r\n{}XX0\r\n\r\n"));

    HttpRequest head = channel.readInbound(); // the head passed before the body broke
    assertThat(head.uri()).isEqualTo("/v1/chat/completions");
    assertThat((Object) channel.readInbound()).isNull(); // nothing of the broken body goes on
    WrittenResponse response = WrittenResponse.read(channel);
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.errorCode()).isEqualTo("bad_request");
    assertThat(channel.isOpen()).isFalse();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void passesANormalRequestThroughUntouched() {
    EmbeddedChannel channel = newChannel();

    channel.writeInbound(bytes("POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"));

    FullHttpRequest request = channel.readInbound(); // its whole body came with it
    try {
      assertThat(request.method()).isEqualTo(HttpMethod.POST);
      assertThat(request.uri()).isEqualTo("/v1/chat/completions?x=1");
      assertThat(request.headers().get("content-length")).isEqualTo("2");
      assertThat(request.content().toString(StandardCharsets.UTF_8)).isEqualTo("{}");
    } finally {
      request.release();
    }
    assertThat((Object) channel.readOutbound()).isNull();
    assertThat(channel.isOpen()).isTrue();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void releasesTheRemainingBodyChunksOfARefusedRequest() {
    EmbeddedChannel channel = new EmbeddedChannel(new RequestGuardHandler());
    ByteBuf first = Unpooled.copiedBuffer("{\"a\":", StandardCharsets.UTF_8);
    ByteBuf last = Unpooled.copiedBuffer("1}", StandardCharsets.UTF_8);

    // one read: the decoder hands over the chunks it decoded along with the refused request
    channel.writeInbound(request("/v1/../secret"), new DefaultHttpContent(first), new DefaultLastHttpContent(last));

    assertThat(first.refCnt()).isZero();
    assertThat(last.refCnt()).isZero();
    assertThat((Object) channel.readInbound()).isNull();
    assertThat(WrittenResponse.read(channel).status()).isEqualTo(400);
    assertThat(channel.isOpen()).isFalse();
    assertThat(channel.finish()).isFalse();
  }

  private static EmbeddedChannel newChannel() {
    return new EmbeddedChannel(new GatewayHttpCodec(MAX_LINE_BYTES, MAX_HEADER_BYTES), new RequestGuardHandler());
  }

  private static HttpRequest request(String uri) {
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
  }

  private static ByteBuf bytes(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
  }
}
