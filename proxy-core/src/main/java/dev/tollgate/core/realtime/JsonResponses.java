package dev.tollgate.core.realtime;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Writes the realtime endpoints' successful answers (errors go through {@code ErrorResponses}). */
final class JsonResponses {

  private JsonResponses() {
  }

  static ChannelFuture send(ChannelHandlerContext ctx, HttpResponseStatus status, String contentType, byte[] body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return ctx.writeAndFlush(response);
  }

  static ChannelFuture json(ChannelHandlerContext ctx, String json) {
    return send(ctx, HttpResponseStatus.OK, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  static ChannelFuture noContent(ChannelHandlerContext ctx) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    return ctx.writeAndFlush(response);
  }
}
