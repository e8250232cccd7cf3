package dev.tollgate.core.guard;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.channel.CombinedChannelDuplexHandler;

/**
 * The codec stage: HTTP/1.1 request decoding with the configured line and header limits, and response
 * encoding. Unlike Netty's stock decoder, which silently drops Content-Length when Transfer-Encoding is
 * also present, it marks such a request as failed so {@link RequestGuardHandler} refuses it (the
 * classic request-smuggling shape). One per channel.
 */
public final class GatewayHttpCodec
    extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {

  public GatewayHttpCodec(int maxInitialLineBytes, int maxHeaderBytes) {
    HttpDecoderConfig config = new HttpDecoderConfig()
        .setMaxInitialLineLength(maxInitialLineBytes)
        .setMaxHeaderSize(maxHeaderBytes)
        .setMaxChunkSize(64 * 1024);
    init(new SmugglingAwareDecoder(config), new HttpResponseEncoder());
  }

  /** Signals a request that carried both Content-Length and Transfer-Encoding. */
  static final class AmbiguousFramingException extends Exception {
    private static final long serialVersionUID = 1L;

    AmbiguousFramingException() {
      super("both Content-Length and Transfer-Encoding", null, false, false);
    }
  }

  private static final class SmugglingAwareDecoder extends HttpRequestDecoder {
    SmugglingAwareDecoder(HttpDecoderConfig config) {
      super(config);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
      super.handleTransferEncodingChunkedWithContentLength(message);
      message.setDecoderResult(DecoderResult.failure(new AmbiguousFramingException()));
    }
  }
}
