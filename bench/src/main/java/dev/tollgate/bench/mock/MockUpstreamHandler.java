package dev.tollgate.bench.mock;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Answers one aggregated request with a pre-rendered body: JSON, or SSE whose chunks are written on the
 * channel's event loop, optionally one delay apart, optionally led by a send-time stamp comment
 * ({@link MockUpstream#STAMP_HEADER}). Terminal handler, so it auto-releases the request.
 */
@Sharable
final class MockUpstreamHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  static final String CHAT_PATH = "/v1/chat/completions";
  static final String MESSAGES_PATH = "/v1/messages";
  private static final byte[] NOT_FOUND =
      "{\"error\":{\"message\":\"mock: no such route\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}"
          .getBytes(StandardCharsets.US_ASCII);

  private final int defaultChunks;
  private final long defaultChunkDelayMillis;

  MockUpstreamHandler(int defaultChunks, long defaultChunkDelayMillis) {
    this.defaultChunks = defaultChunks;
    this.defaultChunkDelayMillis = defaultChunkDelayMillis;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    String path = uri.path();
    boolean chat = path.equals(CHAT_PATH);
    if (request.method() != HttpMethod.POST || !(chat || path.equals(MESSAGES_PATH))) {
      writeJson(ctx, HttpResponseStatus.NOT_FOUND, NOT_FOUND, keepAlive);
      return;
    }
    int chunks = (int) option(uri, request, "chunks", "x-mock-chunks", defaultChunks);
    long delayMillis = option(uri, request, "chunk_delay_ms", "x-mock-chunk-delay-ms", defaultChunkDelayMillis);
    boolean stamp = option(uri, request, "stamp", MockUpstream.STAMP_HEADER, 0) != 0;
    String model = JsonBodyScan.string(request.content(), "model", chat ? "gpt-4o-mini" : "claude-sonnet-4-5");
    MockResponses bodies = MockResponses.of(model, chunks);
    if (!JsonBodyScan.isTrue(request.content(), "stream")) {
      writeJson(ctx, HttpResponseStatus.OK, chat ? bodies.chatJson : bodies.anthropicJson, keepAlive);
      return;
    }
    boolean includeUsage = chat && JsonBodyScan.isTrue(request.content(), "include_usage");
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
        .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
        .set("x-request-id", "req_mock");
    if (!keepAlive) {
      head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    ctx.write(head);
    new SseWriter(ctx, bodies, chat, includeUsage, chunks, delayMillis, keepAlive, stamp).start();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // resets from clients that went away are normal noise for a load target
    ctx.close();
  }

  private static long option(QueryStringDecoder uri, FullHttpRequest request, String param, String header,
      long fallback) {
    List<String> values = uri.parameters().get(param);
    String raw = values != null && !values.isEmpty() ? values.get(0) : request.headers().get(header);
    if (raw == null) {
      return fallback;
    }
    try {
      return Math.max(0, Long.parseLong(raw.trim()));
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static void writeJson(ChannelHandlerContext ctx, HttpResponseStatus status, byte[] body,
      boolean keepAlive) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set("x-request-id", "req_mock");
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.writeAndFlush(response);
  }

  /**
   * Writes the events of one stream; runs on the channel's event loop only. A stamped stream flushes its
   * headers alone, then the stamp comment and the first event in one flush of their own, so that the stamp is
   * the time of the write that carries the first body byte; the later events follow as unstamped ones do.
   */
  private static final class SseWriter implements Runnable {
    private final ChannelHandlerContext ctx;
    private final MockResponses bodies;
    private final boolean chat;
    private final boolean includeUsage;
    private final int chunks;
    private final long delayMillis;
    private final boolean keepAlive;
    private boolean stampPending;
    private int written;

    SseWriter(ChannelHandlerContext ctx, MockResponses bodies, boolean chat, boolean includeUsage, int chunks,
        long delayMillis, boolean keepAlive, boolean stamp) {
      this.ctx = ctx;
      this.bodies = bodies;
      this.chat = chat;
      this.includeUsage = includeUsage;
      this.chunks = chunks;
      this.delayMillis = delayMillis;
      this.keepAlive = keepAlive;
      this.stampPending = stamp;
    }

    void start() {
      if (stampPending) {
        ctx.flush(); // the headers go out on their own, as a provider sends them before the first token
      }
      if (!chat) {
        write(bodies.anthropicHead);
      }
      if (delayMillis == 0) {
        while (written < chunks) {
          write(delta());
          written++;
        }
        finish();
        return;
      }
      ctx.flush();
      ctx.executor().schedule(this, delayMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
      if (!ctx.channel().isActive()) {
        return;
      }
      write(delta());
      ctx.flush();
      written++;
      if (written < chunks) {
        ctx.executor().schedule(this, delayMillis, TimeUnit.MILLISECONDS);
        return;
      }
      finish();
    }

    private byte[] delta() {
      if (!chat) {
        return bodies.anthropicDelta;
      }
      return includeUsage ? bodies.chatChunkWithNullUsage : bodies.chatChunk;
    }

    private void finish() {
      if (chat) {
        if (includeUsage) {
          write(bodies.chatUsageChunk);
        }
        write(MockResponses.DONE);
      } else {
        write(bodies.anthropicTail);
      }
      var done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
      if (!keepAlive) {
        done.addListener(ChannelFutureListener.CLOSE);
      }
    }

    /** Writes the next body bytes; the first of a stamped stream is led by the stamp and flushed at once. */
    private void write(byte[] bytes) {
      if (!stampPending) {
        ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)));
        return;
      }
      stampPending = false;
      // the time of this flush's write to the socket: nothing else is queued, and the rendering is a few bytes
      byte[] stamp = MockResponses.stampComment(System.nanoTime());
      ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(stamp, bytes)));
    }
  }
}
