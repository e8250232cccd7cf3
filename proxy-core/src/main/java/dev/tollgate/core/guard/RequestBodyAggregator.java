package dev.tollgate.core.guard;

import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.error.GatewayError;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

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
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    // the aggregator releases 'oversized' itself after this returns
    ErrorResponses.send(ctx, GatewayError.PAYLOAD_TOO_LARGE,
        "The request body exceeds " + maxContentLength() + " bytes.", null, true);
  }
}
