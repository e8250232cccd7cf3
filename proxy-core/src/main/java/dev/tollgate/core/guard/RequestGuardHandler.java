package dev.tollgate.core.guard;

import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.error.GatewayError;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Pipeline stage that refuses requests whose framing or shape cannot be trusted, before anything else
 * reads them: oversized request line (414) or headers (431), both Content-Length and
 * Transfer-Encoding or two lengths (400), undecodable requests and bodies (400), and paths that are not
 * origin-form or that climb with {@code ..} (400). A refused request's remaining body chunks are released as they arrive
 * and the connection is closed after the error. Sits after the metrics stage; one per channel.
 */
public final class RequestGuardHandler extends ChannelInboundHandlerAdapter {

  private boolean discarding;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      GatewayError refusal = refusal(request);
      if (refusal == null) {
        discarding = false;
        ctx.fireChannelRead(msg);
        return;
      }
      discarding = !(msg instanceof LastHttpContent);
      ReferenceCountUtil.release(msg);
      ErrorResponses.send(ctx, refusal, refusal.message(), null, true);
      return;
    }
    if (discarding && msg instanceof HttpContent) {
      discarding = !(msg instanceof LastHttpContent);
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
      // a body whose framing broke (a bad chunk): what the request's stages hold of it is dropped with the
      // connection
      discarding = false;
      ReferenceCountUtil.release(msg);
      ErrorResponses.send(ctx, GatewayError.BAD_REQUEST, GatewayError.BAD_REQUEST.message(), null, true);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  static GatewayError refusal(HttpRequest request) {
    DecoderResult result = request.decoderResult();
    if (result.isFailure()) {
      return result.cause() instanceof Http1MessageDecoder.FramingException framing ? switch (framing.problem()) {
        case START_LINE_TOO_LONG -> GatewayError.URI_TOO_LONG;
        case HEAD_TOO_LONG -> GatewayError.HEADERS_TOO_LARGE;
        case AMBIGUOUS_LENGTH -> GatewayError.REQUEST_SMUGGLING;
        case MALFORMED -> GatewayError.BAD_REQUEST;
      } : GatewayError.BAD_REQUEST;
    }
    String uri = request.uri();
    if (uri.isEmpty() || uri.charAt(0) != '/') {
      return GatewayError.BAD_REQUEST;
    }
    int queryAt = uri.indexOf('?');
    String path = queryAt < 0 ? uri : uri.substring(0, queryAt);
    if (path.contains("/../") || path.endsWith("/..") || path.contains("%2e%2e") || path.contains("%2E%2E")
        || path.indexOf('#') >= 0 || path.contains("//")) {
      return GatewayError.BAD_REQUEST;
    }
    return null;
  }
}
