package dev.tollgate.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.util.List;

/**
 * First stage of every mock connection: a connection that opens with the HTTP/2 preface
 * ({@code PRI * HTTP/2.0}, h2c with prior knowledge) gets an HTTP/2 frame codec and one child channel
 * per stream, each speaking HTTP objects to the same {@link MockUpstreamHandler}; any other gets the
 * HTTP/1.1 stages. Decides on the first bytes, then removes itself (handing on what it read).
 */
final class ProtocolDetector extends ByteToMessageDecoder {

  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

  private final int maxBodyBytes;
  private final ChannelHandler handler;

  ProtocolDetector(int maxBodyBytes, ChannelHandler handler) {
    this.maxBodyBytes = maxBodyBytes;
    this.handler = handler;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int length = Math.min(in.readableBytes(), PREFACE.readableBytes());
    boolean prefix = in.slice(in.readerIndex(), length).equals(PREFACE.slice(PREFACE.readerIndex(), length));
    if (prefix && length < PREFACE.readableBytes()) {
      return; // could still be HTTP/2: wait for the rest of the preface
    }
    ChannelPipeline p = ctx.pipeline();
    String self = ctx.name();
    if (prefix) {
      p.addAfter(self, "http2Codec", Http2FrameCodecBuilder.forServer().build());
      p.addAfter("http2Codec", "http2Multiplex", new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel stream) {
          stream.pipeline()
              .addLast("codec", new Http2StreamFrameToHttpObjectCodec(true))
              .addLast("aggregator", new HttpObjectAggregator(maxBodyBytes))
              .addLast("mock", handler);
        }
      }));
    } else {
      p.addAfter(self, "mock", handler);
      p.addAfter(self, "realtime", new MockRealtimeHandler());
      p.addAfter(self, "aggregator", new HttpObjectAggregator(maxBodyBytes));
      p.addAfter(self, "codec", new HttpServerCodec());
    }
    p.remove(this); // the bytes read so far go on to the codec just added
  }
}
