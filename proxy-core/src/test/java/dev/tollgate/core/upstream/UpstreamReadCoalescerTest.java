package dev.tollgate.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UpstreamReadCoalescerTest {

  private static final String READ_END = "|read end|";
  private static final String INACTIVE = "|inactive|";

  /** What reached the stage after the coalescer, in order: body text per message, or a marker. */
  private final List<String> seen = new ArrayList<>();
  private final List<Object> messages = new ArrayList<>();
  private final EmbeddedChannel channel = new EmbeddedChannel(new UpstreamReadCoalescer(), new Recorder());

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  @Test
  void thePiecesOfOneReadGoOnAsOneBeforeTheReadEnds() {
    ByteBuf a = text("data: one\n\n");
    ByteBuf b = text("data: two\n\n");
    ByteBuf c = text("data: three\n\n");

    channel.writeInbound(new DefaultHttpContent(a), new DefaultHttpContent(b), new DefaultHttpContent(c));

    assertThat(seen).containsExactly("data: one\n\ndata: two\n\ndata: three\n\n", READ_END);
    assertThat(messages.get(0)).isInstanceOf(HttpContent.class).isNotInstanceOf(LastHttpContent.class);
    assertThat(a.refCnt()).isZero();
    assertThat(b.refCnt()).isZero();
    assertThat(c.refCnt()).isZero();
  }

  @Test
  void aPieceAloneInItsReadGoesOnAsItIs() {
    HttpContent only = new DefaultHttpContent(text("data: one\n\n"));

    channel.writeInbound(only);

    assertThat(messages).containsExactly(only);
    assertThat(seen).containsExactly("data: one\n\n", READ_END);
  }

  @Test
  void piecesOfDifferentReadsStaySeparate() {
    channel.writeInbound(new DefaultHttpContent(text("data: one\n\n")));
    channel.writeInbound(new DefaultHttpContent(text("data: two\n\n")));

    assertThat(seen).containsExactly("data: one\n\n", READ_END, "data: two\n\n", READ_END);
  }

  @Test
  void theLastPieceCarriesWhatItsReadHeldBackAndKeepsItsTrailers() {
    LastHttpContent last = new DefaultLastHttpContent(text("data: [DONE]\n\n"));
    last.trailingHeaders().add("x-trailer", "kept");

    channel.writeInbound(new DefaultHttpContent(text("data: one\n\n")), last);

    assertThat(seen).containsExactly("data: one\n\ndata: [DONE]\n\n", READ_END);
    LastHttpContent joined = (LastHttpContent) messages.get(0);
    assertThat(joined.trailingHeaders().get("x-trailer")).isEqualTo("kept");
    assertThat(last.refCnt()).isZero();
  }

  @Test
  void aLastPieceAloneGoesOnAsItIs() {
    channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);

    assertThat(messages).containsExactly(LastHttpContent.EMPTY_LAST_CONTENT);
  }

  @Test
  void aResponseHeadPassesAtOnceAndHandsOnWhatWasHeldBeforeIt() {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);

    channel.writeInbound(new DefaultHttpContent(text("tail of the last answer")), head,
        new DefaultHttpContent(text("a")), new DefaultHttpContent(text("b")));

    assertThat(seen).containsExactly("tail of the last answer", "head", "ab", READ_END);
  }

  @Test
  void aPieceTheDecoderFailedOnPassesAfterWhatWasHeld() {
    HttpContent broken = new DefaultHttpContent(Unpooled.EMPTY_BUFFER);
    broken.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad chunk size")));

    channel.writeInbound(new DefaultHttpContent(text("a")), new DefaultHttpContent(text("b")), broken);

    assertThat(seen).containsExactly("ab", "", READ_END);
    assertThat(messages.get(1)).isSameAs(broken);
  }

  @Test
  void aLongBurstIsHandedOnInBoundedPieces() {
    byte[] kilobyte = new byte[1024];
    Arrays.fill(kilobyte, (byte) 'x');
    int pieces = 3 * UpstreamReadCoalescer.MAX_MERGED_BYTES / 1024;
    for (int i = 0; i < pieces; i++) {
      channel.pipeline().fireChannelRead(new DefaultHttpContent(Unpooled.wrappedBuffer(kilobyte.clone())));
    }
    channel.pipeline().fireChannelReadComplete();

    int total = 0;
    for (String s : seen.subList(0, seen.size() - 1)) {
      assertThat(s.length()).isLessThanOrEqualTo(UpstreamReadCoalescer.MAX_MERGED_BYTES);
      total += s.length();
    }
    assertThat(total).isEqualTo(pieces * 1024);
    assertThat(seen).hasSizeGreaterThanOrEqualTo(4).endsWith(READ_END);
  }

  @Test
  void whatIsHeldGoesOnBeforeTheConnectionCloses() {
    channel.pipeline().fireChannelRead(new DefaultHttpContent(text("a")));
    channel.pipeline().fireChannelRead(new DefaultHttpContent(text("b")));

    channel.pipeline().fireChannelInactive();

    assertThat(seen).containsExactly("ab", INACTIVE);
  }

  @Test
  void whatIsHeldIsReleasedWhenTheStageIsRemoved() {
    ByteBuf a = text("a");
    ByteBuf b = text("b");
    channel.pipeline().fireChannelRead(new DefaultHttpContent(a));
    channel.pipeline().fireChannelRead(new DefaultHttpContent(b));

    channel.pipeline().remove(UpstreamReadCoalescer.class);

    assertThat(seen).isEmpty();
    assertThat(a.refCnt()).isZero();
    assertThat(b.refCnt()).isZero();
  }

  private static ByteBuf text(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  /** Records what arrives, then releases it. */
  private final class Recorder extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      messages.add(msg);
      if (msg instanceof HttpContent content) {
        seen.add(content.content().toString(StandardCharsets.UTF_8));
      } else {
        seen.add("head");
      }
      // keep the object for identity checks, but give its buffer back now
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      seen.add(READ_END);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      seen.add(INACTIVE);
    }
  }
}
