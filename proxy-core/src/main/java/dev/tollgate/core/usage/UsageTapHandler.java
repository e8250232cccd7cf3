package dev.tollgate.core.usage;

import dev.tollgate.core.context.ChannelAttrs;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.route.Operation;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;
import java.util.List;

/**
 * Upstream-side stage that reads usage as the provider's response passes, without copying it: the
 * {@link UsageScanner} looks at each chunk and the chunk goes on unchanged. When the gateway added
 * {@code stream_options.include_usage} on the client's behalf, the {@link SseUsageChunkFilter} removes
 * the extra usage-only event before it reaches the client. At the end of the response the tokens and
 * model are written to the request's context, from which the metrics stage emits the usage event.
 * One per upstream channel; state is reset per response.
 */
public final class UsageTapHandler extends ChannelInboundHandlerAdapter {

  private RequestContext request;
  private UsageScanner scanner;
  /** The last response's scanner, restarted for the next response when it reads the same kind of body. */
  private UsageScanner spare;
  private SseUsageChunkFilter filter;
  private final List<Object> filtered = new ArrayList<>(4);

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpResponse response) {
      begin(ctx, response);
    }
    if (msg instanceof HttpContent content && scanner != null) {
      scanner.scan(content.content());
      boolean last = content instanceof LastHttpContent;
      if (last) {
        // record before relaying: writing the last chunk may end the request synchronously
        record();
      }
      if (filter != null) {
        if (msg instanceof FullHttpResponse whole) { // the whole answer at once: its head goes on alone
          ctx.fireChannelRead(new DefaultHttpResponse(whole.protocolVersion(), whole.status(), whole.headers()));
          content = new DefaultLastHttpContent(whole.content(), whole.trailingHeaders()); // the same buffer
        }
        relayFiltered(ctx, content, last);
        if (last) {
          reset();
        }
        return;
      }
      if (last) {
        reset();
      }
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    reset();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    reset();
  }

  private void begin(ChannelHandlerContext ctx, HttpResponse response) {
    reset();
    RequestContext current = ctx.channel().attr(ChannelAttrs.UPSTREAM_REQUEST).get();
    if (current == null || current.route() == null || response.status().code() / 100 != 2) {
      return;
    }
    String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
    boolean sse = type != null && type.regionMatches(true, 0, "text/event-stream", 0, 17);
    request = current;
    UsageDialect dialect = dialectOf(current.route().operation());
    if (spare != null && spare.reads(dialect, sse)) {
      spare.restart();
    } else {
      spare = new UsageScanner(dialect, sse);
    }
    scanner = spare;
    if (sse && current.usageInjected()) {
      filter = new SseUsageChunkFilter();
    }
  }

  /** Replaces {@code content} by what the filter lets through; the original is released here. */
  private void relayFiltered(ChannelHandlerContext ctx, HttpContent content, boolean last) {
    try {
      filter.filter(content.content(), filtered);
    } finally {
      content.release(); // the filter retained what it passes on
    }
    int n = filtered.size();
    for (int i = 0; i < n; i++) {
      ByteBuf part = (ByteBuf) filtered.get(i);
      boolean lastPart = last && i == n - 1;
      ctx.fireChannelRead(lastPart ? new DefaultLastHttpContent(part) : new DefaultHttpContent(part));
    }
    filtered.clear();
    if (last && n == 0) {
      ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
    }
  }

  private void record() {
    RequestContext current = request;
    if (current != null && scanner != null) {
      if (scanner.sawUsage()) {
        current.usage(scanner.usage());
      }
      if (scanner.model() != null) {
        current.responseModel(scanner.model());
      }
    }
  }

  private void reset() {
    if (filter != null) {
      filter.releaseHeld();
    }
    filter = null;
    scanner = null;
    request = null;
  }

  static UsageDialect dialectOf(Operation operation) {
    return switch (operation) {
      case CHAT_COMPLETIONS, COMPLETIONS -> UsageDialect.OPENAI_CHAT;
      case RESPONSES -> UsageDialect.OPENAI_RESPONSES;
      case EMBEDDINGS -> UsageDialect.OPENAI_EMBEDDINGS;
      case MESSAGES -> UsageDialect.ANTHROPIC_MESSAGES;
      case REALTIME -> UsageDialect.REALTIME;
      default -> UsageDialect.GENERIC;
    };
  }
}
