package dev.tollgate.core.upstream;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import java.util.List;

/**
 * The Netty handlers of the HTTP/2 upstream stages, made here so that {@code GatewayPipeline} adds
 * them without knowing their settings: the connection's frame codec and stream multiplexer, each
 * stream's frame-to-HTTP-object codec, and the TLS context that offers "h2" by ALPN.
 */
public final class UpstreamHttp2Stages {

  /** Stream and connection flow-control window we grant a provider (Netty's default is 64 KiB each). */
  static final int CONNECTION_WINDOW_BYTES = 8 << 20;
  /** Flushes held back at most before one is let through (Netty's default for this handler). */
  static final int FLUSHES_PER_WRITE = 256;

  private static final ApplicationProtocolConfig ALPN_H2 = new ApplicationProtocolConfig(
      ApplicationProtocolConfig.Protocol.ALPN,
      ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
      // the connection checks the outcome itself and fails with a clear log line
      ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
      ApplicationProtocolNames.HTTP_2);
  private static final ChannelHandler REFUSE_PUSHED_STREAMS = new RefusePushedStreams();
  private static final ChannelHandler STREAM_CODEC = new StreamCodec();

  private UpstreamHttp2Stages() {
  }

  /** A new connection's frame codec: client side, server push off. */
  public static Http2FrameCodec frameCodec() {
    return Http2FrameCodecBuilder.forClient()
        .initialSettings(Http2Settings.defaultSettings().pushEnabled(false).maxHeaderListSize(65536))
        .build();
  }

  /**
   * A new connection's flush consolidation (Netty's {@link FlushConsolidationHandler}): the streams that
   * client requests open while the loop handles one batch of reads are flushed together at its end, so
   * many requests share one write to the provider instead of one write (and one wake-up of the
   * provider's side) each. At most {@link #FLUSHES_PER_WRITE} flushes are held back before one goes out.
   */
  public static FlushConsolidationHandler flushConsolidation() {
    return new FlushConsolidationHandler(FLUSHES_PER_WRITE, true);
  }

  /** A new connection's multiplexer: each stream becomes a child channel. */
  public static Http2MultiplexHandler multiplexer() {
    return new Http2MultiplexHandler(REFUSE_PUSHED_STREAMS);
  }

  /** A stream's codec: the request as HTTP/2 frames out, the response as HTTP objects in. */
  public static ChannelHandler streamCodec() {
    return STREAM_CODEC;
  }

  /**
   * The client context for https providers with {@code http2: true}: {@code http1}'s trust (the JDK's
   * CAs plus {@code upstream.trustCertFile}) with ALPN offering only "h2".
   */
  public static SslContext alpnH2(SslContext http1) {
    if (!(http1 instanceof JdkSslContext jdk)) {
      throw new IllegalStateException("upstream TLS: an HTTP/2 provider needs the JDK TLS provider (found: "
          + http1.getClass().getSimpleName() + ")");
    }
    return new JdkSslContext(jdk.context(), true, null, IdentityCipherSuiteFilter.INSTANCE, ALPN_H2,
        ClientAuth.NONE, null, false);
  }

  /**
   * Netty's codec, plus: the {@code x-http2-stream-id} header it adds to a response is dropped, so it
   * never reaches the client. Stateless, so one instance serves every stream.
   */
  @ChannelHandler.Sharable
  private static final class StreamCodec extends Http2StreamFrameToHttpObjectCodec {

    StreamCodec() {
      super(false);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Http2StreamFrame frame, List<Object> out) throws Exception {
      int before = out.size();
      super.decode(ctx, frame, out);
      for (int i = before; i < out.size(); i++) {
        if (out.get(i) instanceof HttpResponse response) {
          response.headers().remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
        }
      }
    }
  }

  /** Push is disabled in our SETTINGS; a stream the provider opens anyway is closed (reset) at once. */
  @ChannelHandler.Sharable
  private static final class RefusePushedStreams extends ChannelInboundHandlerAdapter {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      ctx.close();
    }
  }
}
