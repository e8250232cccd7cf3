package dev.tollgate.core.error;

import dev.tollgate.core.context.ChannelAttrs;
import dev.tollgate.core.context.RequestContext;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/**
 * The only code that writes an error response. The body shape comes from the request's
 * {@link ErrorDialect}; the writer sets Content-Length, {@code x-request-id}, a {@code Retry-After}
 * on 429/503 when the caller gave one, and records the error code on the request for the metrics
 * stage. If the response has already started, it cannot be replaced: the connection is closed.
 */
public final class ErrorResponses {

  public static final AsciiString REQUEST_ID_HEADER = AsciiString.cached("x-request-id");

  private ErrorResponses() {
  }

  public static ChannelFuture send(ChannelHandlerContext ctx, GatewayError error) {
    return send(ctx, error, error.message(), null, false);
  }

  public static ChannelFuture send(ChannelHandlerContext ctx, GatewayError error, String message) {
    return send(ctx, error, message, null, false);
  }

  /**
   * Writes {@code error} with a client-safe {@code message}, optional extra headers (rate limit
   * headers, Retry-After), and closes the connection afterwards when {@code close} is set (framing
   * errors, where the rest of the request cannot be trusted).
   */
  public static ChannelFuture send(ChannelHandlerContext ctx, GatewayError error, String message,
      HttpHeaders extraHeaders, boolean close) {
    RequestContext request = ctx.channel().attr(ChannelAttrs.REQUEST_CONTEXT).get();
    if (request != null && request.responseStarted()) {
      // headers are out already: the only honest signal left is to end the connection
      return ctx.close();
    }
    ErrorDialect dialect = request != null ? request.dialect() : ErrorDialect.OPENAI;
    String requestId = request != null ? request.requestId() : RequestIds.next();
    if (request != null) {
      request.errorCode(error.code());
    }
    byte[] body = dialect.body(error, message, requestId);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, error.status(),
        Unpooled.wrappedBuffer(body));
    HttpHeaders headers = response.headers();
    headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    headers.set(REQUEST_ID_HEADER, requestId);
    if (extraHeaders != null) {
      headers.add(extraHeaders);
    }
    if (close) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    ChannelFuture future = ctx.writeAndFlush(response);
    if (close) {
      future.addListener(ChannelFutureListener.CLOSE);
    }
    return future;
  }
}
