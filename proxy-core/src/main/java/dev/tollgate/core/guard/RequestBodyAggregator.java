package dev.tollgate.core.guard;

import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.error.GatewayError;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Pipeline stage that gathers a request body (LLM request bodies are small) up to
 * {@code server.maxBodyBytes}, so later stages can read the model and stream flag. A larger body gets
 * 413 in the route's dialect and the connection is closed. Responses are never aggregated. One per
 * channel; sits right after {@link RequestGuardHandler}.
 *
 * <p>The common request, whose whole body came in the read that brought its head, becomes one request
 * around that body as read: no composite buffer to gather one piece, and later stages scan plain bytes.
 * Every other request (a body in several pieces, chunked, {@code Expect: 100-continue}, a length over
 * the limit, a decoding failure) is aggregated by Netty's aggregator, as before.
 */
public final class RequestBodyAggregator extends HttpObjectAggregator {

  /** The head of a request whose body, if it came whole, is the next message; null otherwise. */
  private HttpRequest held;

  public RequestBodyAggregator(int maxBodyBytes) {
    super(maxBodyBytes, true);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (held != null) {
      HttpRequest head = held;
      held = null;
      if (msg instanceof LastHttpContent body && body.decoderResult().isSuccess()
          && body.content().readableBytes() <= maxContentLength()) {
        ctx.fireChannelRead(whole(head, body));
        return;
      }
      super.channelRead(ctx, head); // the body comes in pieces: Netty's aggregation from here on
    } else if (msg instanceof HttpRequest head && !(msg instanceof FullHttpRequest) && bodyMayComeWhole(head)) {
      held = head;
      return;
    }
    super.channelRead(ctx, msg);
  }

  /** A head Netty's aggregator would take as it is: no interim answer due, no 413 owed, no chunks. */
  private boolean bodyMayComeWhole(HttpRequest head) {
    if (!head.decoderResult().isSuccess()) {
      return false;
    }
    HttpHeaders headers = head.headers();
    if (headers.contains(HttpHeaderNames.EXPECT) || headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      return false;
    }
    try {
      long length = HttpUtil.getContentLength(head, 0L);
      return length >= 0 && length <= maxContentLength();
    } catch (NumberFormatException e) {
      return false; // Netty's aggregator judges it
    }
  }

  /** {@code head} around {@code body}'s content, as Netty's aggregator would make it: the length is set. */
  private static FullHttpRequest whole(HttpRequest head, LastHttpContent body) {
    HttpHeaders trailers = body.trailingHeaders().isEmpty() ? EmptyHttpHeaders.INSTANCE : body.trailingHeaders();
    // the decoder checked the request line; the body's content moves into the request, not copied
    FullHttpRequest request = new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
        body.content(), head.headers(), trailers, false);
    if (!head.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
      request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, request.content().readableBytes());
    }
    return request;
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    if (held != null && !ctx.channel().config().isAutoRead()) {
      ctx.read(); // the held head waits for its body
    }
    super.channelReadComplete(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (held != null) {
      HttpRequest head = held;
      held = null;
      super.channelRead(ctx, head); // so a close before the body is a premature close, as before
    }
    super.channelInactive(ctx);
  }

  @Override
  protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    if (HttpUtil.is100ContinueExpected(start) && HttpUtil.getContentLength(start, -1L) > maxContentLength) {
      return null; // Netty would answer an empty 413; the oversized path answers in the route's dialect
    }
    return super.newContinueResponse(start, maxContentLength, pipeline);
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    // the aggregator releases 'oversized' itself after this returns
    ErrorResponses.send(ctx, GatewayError.PAYLOAD_TOO_LARGE,
        "The request body exceeds " + maxContentLength() + " bytes.", null, true);
  }
}
