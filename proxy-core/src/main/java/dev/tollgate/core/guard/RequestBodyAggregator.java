package dev.tollgate.core.guard;

import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.error.GatewayError;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Pipeline stage that gathers a request body (LLM request bodies are small) up to
 * {@code server.maxBodyBytes}, so later stages can read the model and stream flag. A larger body gets
 * 413 in the route's dialect and the connection is closed. Responses are never aggregated. One per
 * channel; sits right after {@link RequestGuardHandler}.
 */
public final class RequestBodyAggregator extends HttpObjectAggregator {

  public RequestBodyAggregator(int maxBodyBytes) {
    super(maxBodyBytes, true);
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
