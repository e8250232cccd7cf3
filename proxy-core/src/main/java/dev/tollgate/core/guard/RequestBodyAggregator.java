package dev.tollgate.core.guard;

import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.error.GatewayError;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Pipeline stage that gathers a request body (LLM request bodies are small) up to
 * {@code server.maxBodyBytes}, so later stages can read the model and stream flag. A larger body gets
 * 413 in the route's dialect and the connection is closed. Responses are never aggregated. One per
 * channel; sits right after {@link RequestGuardHandler}.
 *
 * <p>The common request, whose whole body came in the read that brought its head, is already whole:
 * {@link GatewayRequestDecoder} hands it on as one request around that body as read, and it passes here
 * (if not over the limit). Every other request (a body in several pieces, chunked, {@code Expect:
 * 100-continue}, a length over the limit) is aggregated by Netty's aggregator.
 */
public final class RequestBodyAggregator extends HttpObjectAggregator {

  public RequestBodyAggregator(int maxBodyBytes) {
    super(maxBodyBytes, true);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof FullHttpRequest whole) {
      if (whole.content().readableBytes() > maxContentLength()) {
        whole.release();
        handleOversizedMessage(ctx, whole);
        return;
      }
      // passed on untouched, as Netty's aggregator passes on a message already whole (it takes part in
      // no aggregation: a whole request comes only after the last piece of the one before), without
      // the decoder's output list around it
      ctx.fireChannelRead(whole);
      return;
    }
    super.channelRead(ctx, msg);
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
