package dev.tollgate.core.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Trailers made by {@link FlatHttpHeaders#TRAILERS_FACTORY}, on their own and through the client codec. */
class FlatHttpHeadersTrailersTest {

  @Test
  void isEmptyUntilATrailerIsAddedThenAnswersLikeHeaders() {
    HttpHeaders trailers = FlatHttpHeaders.TRAILERS_FACTORY.newHeaders();
    assertThat(trailers.isEmpty()).isTrue();
    assertThat(trailers.size()).isZero();
    assertThat(trailers.get("x-checksum")).isNull();
    assertThat(trailers.getInt("x-count", 7)).isEqualTo(7);
    assertThat(trailers.contains("x-checksum")).isFalse();
    assertThat(trailers.iteratorCharSequence().hasNext()).isFalse();
    assertThat(trailers.remove("x-checksum").isEmpty()).isTrue();

    trailers.add("X-Checksum", "abc").addInt("x-count", 3);

    assertThat(trailers.isEmpty()).isFalse();
    assertThat(trailers.size()).isEqualTo(2);
    assertThat(trailers.get("x-checksum")).isEqualTo("abc");
    assertThat(trailers.getInt("X-COUNT")).isEqualTo(3);
    assertThat(trailers.names()).containsExactlyInAnyOrder("X-Checksum", "x-count");
    assertThat(trailers.copy().get("x-checksum")).isEqualTo("abc");
    trailers.remove("x-count");
    assertThat(trailers.contains("x-count")).isFalse();
  }

  @Test
  void checksNamesAndValuesAsNettysTrailersDo() {
    HttpHeaders trailers = FlatHttpHeaders.TRAILERS_FACTORY.newHeaders();

    assertThatThrownBy(() -> trailers.add("bad name", "v")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> trailers.add("content-length", "1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> trailers.add("x-ok", "line\r\nbreak")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theClientCodecStillDecodesTheTrailersOfAChunkedRequest() {
    EmbeddedChannel channel = new EmbeddedChannel(new GatewayHttpCodec(4096, 8192));

    channel.writeInbound(bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "2\r\n{}\r\n0\r\nX-Checksum: abc\r\n\r\n"));

    assertThat((Object) channel.readInbound()).isInstanceOf(HttpRequest.class);
    LastHttpContent last = channel.readInbound(); // the one read's data comes with the body's end
    assertThat(last.content().toString(StandardCharsets.US_ASCII)).isEqualTo("{}");
    assertThat(last.trailingHeaders().get("x-checksum")).isEqualTo("abc");
    last.release();
    assertThat(channel.finish()).isFalse();
  }

  private static ByteBuf bytes(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
  }
}
