package dev.tollgate.core.cache;

import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.context.RequestStage;
import dev.tollgate.core.metrics.GatewayMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.Optional;

/**
 * Pipeline stage for the optional exact-match response cache, on routes whose plan rule sets a cache
 * TTL (the analysis catalogue's 30 minutes, for example). A hit answers with the stored bytes — never
 * across tenants, projects or routes — and the provider is not called; a miss goes on upstream and,
 * if the answer is a complete non-streaming 200 within the size limit, its bytes are copied into the
 * cache as they are written to the client. Streaming requests are never cached. Sits between the
 * concurrency stage and the upstream forwarder; one per channel.
 */
public final class CacheHandler extends RequestStage {

  private final ResponseCache cache;
  private final GatewayMetrics metrics;
  private final int maxEntryBytes;
  /** The key of the request being answered from upstream, while its response is captured. */
  private CacheKey pendingKey;
  private int pendingTtlSeconds;
  private HttpResponse pendingHead;
  private ByteArrayOutputStream pendingBody;

  public CacheHandler(ResponseCache cache, GatewayMetrics metrics, int maxEntryBytes) {
    this.cache = cache;
    this.metrics = metrics;
    this.maxEntryBytes = maxEntryBytes;
  }

  @Override
  protected void onRequest(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context) {
    resetPending();
    if (context.cacheTtlSeconds() <= 0 || context.stream()) {
      ctx.fireChannelRead(request);
      return;
    }
    CacheKey key = ResponseCache.key(context.principal().tenantId(), context.principal().projectId(),
        context.method(), context.route().clientPath(), request.content());
    Optional<CachedResponse> hit = cache.get(key);
    if (hit.isPresent()) {
      ReferenceCountUtil.release(request);
      context.cacheHit(true);
      metrics.recordCache(true);
      ctx.writeAndFlush(hit.get().toHttpResponse());
      return;
    }
    metrics.recordCache(false);
    pendingKey = key;
    pendingTtlSeconds = context.cacheTtlSeconds();
    ctx.fireChannelRead(request);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (pendingKey != null) {
      capture(msg);
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    resetPending();
    ctx.fireChannelInactive();
  }

  /** Copies the response's bytes (not its buffers) while it passes, and stores it once complete. */
  private void capture(Object msg) {
    if (msg instanceof HttpResponse head) {
      String type = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
      if (head.status().code() != 200 || type != null && type.startsWith("text/event-stream")) {
        resetPending();
        return;
      }
      pendingHead = head;
      pendingBody = new ByteArrayOutputStream(1024);
    }
    if (msg instanceof HttpContent content && pendingBody != null) {
      ByteBuf bytes = content.content();
      if (pendingBody.size() + bytes.readableBytes() > maxEntryBytes) {
        resetPending();
        return;
      }
      byte[] copy = new byte[bytes.readableBytes()];
      bytes.getBytes(bytes.readerIndex(), copy);
      pendingBody.writeBytes(copy);
      if (msg instanceof LastHttpContent) {
        FullHttpResponse full = new DefaultFullHttpResponse(pendingHead.protocolVersion(), pendingHead.status(),
            Unpooled.wrappedBuffer(pendingBody.toByteArray()), pendingHead.headers().copy(),
            io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
        try {
          CachedResponse.from(full, CachedResponse.DEFAULT_KEPT_HEADERS)
              .ifPresent(response -> cache.put(pendingKey, response, pendingTtlSeconds));
        } finally {
          full.release();
        }
        resetPending();
      }
    }
  }

  private void resetPending() {
    pendingKey = null;
    pendingHead = null;
    pendingBody = null;
  }
}
