package dev.tollgate.core.upstream;

import dev.tollgate.core.context.ChannelAttrs;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.error.GatewayError;
import dev.tollgate.core.metrics.GatewayMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import dev.tollgate.core.usage.UsageSink;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's round trip to the provider, from acquiring a pooled connection to the last byte
 * relayed back. Responses stream to the client chunk by chunk as they arrive — the same buffers, never
 * aggregated — paced by {@link RelayBackpressure}.
 *
 * <pre>
 *  client ──FullHttpRequest──▶ UpstreamForwardHandler ──▶ UpstreamExchange ──write──▶ upstream
 *  client ◀──HttpResponse/HttpContent (same ByteBufs)── UpstreamRelayHandler ◀── UsageTapHandler ◀──
 * </pre>
 *
 * Failures before the response starts become errors in the route's dialect (connect refused → 502,
 * connect or response timeout → 504, upstream closed → 502); after it has started, the client
 * connection is closed so the client sees the stream end abnormally. A client that goes away closes
 * the upstream connection. Event-loop confined: client and upstream share one loop.
 */
final class UpstreamExchange extends ResponseDeadlines.Waiter {

  private static final Logger log = LoggerFactory.getLogger(UpstreamExchange.class);

  private enum State { CONNECTING, AWAITING_RESPONSE, STREAMING, DONE }

  private final ChannelHandlerContext clientCtx;
  private final RequestContext request;
  private final UpstreamConnector connector;
  private final GatewayMetrics metrics;
  private final UsageSink usageSink;
  private final Runnable onDone;
  private final long connectTimeoutMillis;
  private final long responseTimeoutMillis;

  private State state = State.CONNECTING;
  /** Our reference to the upstream request, kept until the response starts so it can be re-sent once. */
  private FullHttpRequest pending;
  private Channel upstream;
  private RelayBackpressure backpressure;
  /** Where this exchange waits for its response head: one list and timer per loop and timeout. */
  private final ResponseDeadlines responseDeadlines;
  private final long idleTimeoutMillis;
  /**
   * Where it waits, while a body streams, for the body's next bytes (the provider's idle timeout): found
   * when a body first streams, so an answer that comes whole does not look it up.
   */
  private ResponseDeadlines idleDeadlines;
  private boolean retried;
  /** Whether the current connection came from the pool: only then may a failed send be retried. */
  private boolean reusedConnection;
  private boolean streamCounted;
  private boolean upstreamKeepAlive;

  UpstreamExchange(ChannelHandlerContext clientCtx, RequestContext request, UpstreamConnector connector,
      GatewayMetrics metrics, UsageSink usageSink, long connectTimeoutMillis, long responseTimeoutMillis,
      long idleTimeoutMillis, Runnable onDone) {
    this.clientCtx = clientCtx;
    this.usageSink = usageSink;
    this.request = request;
    this.connector = connector;
    this.metrics = metrics;
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.responseTimeoutMillis = responseTimeoutMillis;
    this.responseDeadlines = ResponseDeadlines.of(clientCtx.executor(), responseTimeoutMillis);
    this.idleTimeoutMillis = idleTimeoutMillis;
    this.onDone = onDone;
  }

  /** Starts the exchange; takes ownership of {@code upstreamRequest}. */
  void start(FullHttpRequest upstreamRequest) {
    pending = upstreamRequest;
    connect();
  }

  private void connect() {
    Future<Channel> acquired = connector.acquire(clientCtx.channel().eventLoop(),
        request.route().endpoint(), connectTimeoutMillis);
    if (acquired.isDone()) {
      onAcquired(acquired);
    } else {
      acquired.addListener(f -> onAcquired(acquired));
    }
  }

  private void onAcquired(Future<Channel> acquired) {
    if (state == State.DONE) {
      if (acquired.isSuccess()) {
        acquired.getNow().close();
      }
      return;
    }
    if (!acquired.isSuccess()) {
      Throwable cause = acquired.cause();
      boolean timeout = cause instanceof ConnectTimeoutException;
      metrics.recordUpstreamError(request.route().providerName(), timeout ? "connect_timeout" : "connect");
      log.debug("{} upstream connect failed: {}", request.requestId(), cause.toString());
      fail(timeout ? GatewayError.UPSTREAM_TIMEOUT : GatewayError.UPSTREAM_UNAVAILABLE);
      return;
    }
    Channel ch = acquired.getNow();
    if (!clientCtx.channel().isActive()) {
      connector.release(ch);
      finish();
      return;
    }
    bind(ch);
    // 1. send the request; 2. arm the response timer (the channel reads on its own: AUTO_READ)
    // pending stays ours for a retry: this attempt gets its own view of the content (released by the
    // encoder once written) and shares the headers, which the encoder only reads (no copy per request);
    // its method and target were checked when pending was made, so the copy does not check them again
    FullHttpRequest attempt = new DefaultFullHttpRequest(pending.protocolVersion(), pending.method(),
        pending.uri(), pending.content().retainedDuplicate(), pending.headers(), pending.trailingHeaders(), false);
    ChannelFuture written = ch.writeAndFlush(attempt);
    written.addListener(f -> {
      if (!f.isSuccess() && state == State.AWAITING_RESPONSE && upstream == ch) {
        onWriteFailed(ch, f.cause());
      }
    });
    state = State.AWAITING_RESPONSE;
    responseDeadlines.arm(this);
  }

  private void bind(Channel ch) {
    upstream = ch;
    reusedConnection = UpstreamConnector.reused(ch);
    ch.attr(ChannelAttrs.UPSTREAM_REQUEST).set(request);
    relayOf(ch).bind(this);
    backpressure = new RelayBackpressure(clientCtx.channel(), ch);
  }

  private void unbind(Channel ch) {
    UpstreamRelayHandler relay = relayOf(ch);
    if (relay != null) {
      relay.unbind();
    }
    ch.attr(ChannelAttrs.UPSTREAM_REQUEST).set(null);
  }

  /** The connection's relay: its last stage as GatewayPipeline builds it, so found without a walk. */
  private static UpstreamRelayHandler relayOf(Channel ch) {
    return ch.pipeline().last() instanceof UpstreamRelayHandler relay ? relay
        : ch.pipeline().get(UpstreamRelayHandler.class);
  }

  private void onWriteFailed(Channel ch, Throwable cause) {
    unbind(ch);
    ch.close();
    cancelTimer();
    if (!retried && reusedConnection) {
      // a pooled connection the provider had just closed: one fresh attempt is safe, nothing was processed
      retried = true;
      upstream = null;
      state = State.CONNECTING;
      log.debug("{} upstream write failed, retrying on a new connection: {}", request.requestId(), cause.toString());
      connect();
      return;
    }
    metrics.recordUpstreamError(request.route().providerName(), "write");
    fail(GatewayError.UPSTREAM_UNAVAILABLE);
  }

  void onUpstreamMessage(Object msg) {
    if (state == State.DONE) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
      // a response the provider got wrong (its head, or its body's framing): never relayed as if whole,
      // and its connection, whose decoder now ignores what follows, never goes back to the pool
      String cause = String.valueOf(object.decoderResult().cause());
      ReferenceCountUtil.release(msg);
      metrics.recordUpstreamError(request.route().providerName(), "malformed");
      abort(GatewayError.UPSTREAM_UNAVAILABLE, "malformed response: " + cause);
      return;
    }
    if (msg instanceof HttpResponse response) {
      if (response.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL) {
        ReferenceCountUtil.release(msg);
        return;
      }
      cancelTimer();
      releasePending();
      state = State.STREAMING;
      upstreamKeepAlive = HttpUtil.isKeepAlive(response);
      toClient(response);
      if (request.stream()) {
        streamCounted = true;
        metrics.openStreams().incrementAndGet();
      }
      if (response instanceof FullHttpResponse whole) { // the whole answer in one message: one write
        relayLast(whole);
        return;
      }
      // no promise per write: a failed write surfaces as an exception on the client pipeline (the
      // error stage closes the connection); only the last write's outcome is observed
      clientCtx.write(response, clientCtx.voidPromise());
      return;
    }
    if (msg instanceof HttpContent content) {
      relayContent(content);
      return;
    }
    ReferenceCountUtil.release(msg);
  }

  private void relayContent(HttpContent content) {
    if (!(content instanceof LastHttpContent)) {
      // ownership passes to the client channel: the encoder releases it once written
      clientCtx.write(content, clientCtx.voidPromise());
      return;
    }
    relayLast(content);
  }

  /** Ends the exchange with {@code last}, the answer's last piece or the whole answer, once its usage is durable. */
  private void relayLast(HttpObject last) {
    state = State.DONE;
    cancelTimer();
    Channel ch = upstream;
    unbind(ch);
    if (upstreamKeepAlive) {
      connector.release(ch);
    } else {
      ch.close();
    }
    // the answer is only complete for the client once its usage would survive a crash
    CompletableFuture<Void> durable = recordUsage();
    if (durable.isDone()) {
      clientCtx.writeAndFlush(last);
      finish();
      return;
    }
    // not flushed yet: what arrived with the end (the last body bytes, an SSE [DONE]) waits with it;
    // the relay is unbound above, so no batch end flushes this exchange again. The journal completes
    // on this loop at the end of its turn (or on another thread in the fsync-durable mode).
    durable.whenComplete((ignored, error) -> {
      if (clientCtx.executor().inEventLoop()) {
        endDurably(last, error);
      } else {
        clientCtx.executor().execute(() -> endDurably(last, error));
      }
    });
  }

  private void endDurably(HttpObject last, Throwable error) {
    if (error != null) {
      log.warn("{} usage journal failed; the request is counted but not crash-safe: {}",
          request.requestId(), error.toString());
    }
    if (clientCtx.channel().isActive()) {
      clientCtx.writeAndFlush(last);
    } else {
      ReferenceCountUtil.release(last);
    }
    finish();
  }

  /** Hands the request's usage to the sink now, before the last byte; the metrics stage will not again. */
  private CompletableFuture<Void> recordUsage() {
    if (request.principal() == null) {
      return UsageSink.DONE;
    }
    request.usageRecorded(true);
    try {
      if (!request.config().metering().durableAnswers()) {
        usageSink.accept(request.toUsageEvent(System.nanoTime()));
        return UsageSink.DONE;
      }
      return usageSink.recordDurably(request.toUsageEvent(System.nanoTime()));
    } catch (RuntimeException e) {
      log.error("{} usage sink failed", request.requestId(), e);
      return UsageSink.DONE;
    }
  }

  /**
   * After each read of the provider's answer: while its body streams, the idle wait starts again (a
   * field write or two, no clock read), and what was relayed is pushed to the client.
   */
  void onUpstreamBatchEnd() {
    if (state == State.STREAMING) {
      if (idleDeadlines == null) {
        idleDeadlines = ResponseDeadlines.of(clientCtx.executor(), idleTimeoutMillis);
      }
      idleDeadlines.arm(this);
      backpressure.afterUpstreamBatch();
    }
  }

  void onClientWritabilityChanged() {
    if (state == State.STREAMING) {
      backpressure.clientWritabilityChanged();
    }
  }

  /** The client went away: stop spending the provider's tokens. */
  void onClientClosed() {
    if (state == State.DONE) {
      return;
    }
    state = State.DONE;
    cancelTimer();
    Channel ch = upstream;
    if (ch != null) {
      unbind(ch);
      ch.close();
    }
    finish();
  }

  void onUpstreamClosed() {
    if (state == State.DONE) {
      return;
    }
    upstream = null;
    if (state == State.AWAITING_RESPONSE && !retried && reusedConnection && pending != null) {
      // closed before answering anything (stale keep-alive connection): one fresh attempt
      cancelTimer();
      retried = true;
      state = State.CONNECTING;
      connect();
      return;
    }
    metrics.recordUpstreamError(request.route().providerName(), "closed");
    abort(GatewayError.UPSTREAM_UNAVAILABLE, "upstream closed the connection");
  }

  void onUpstreamFailure(Throwable cause) {
    if (state == State.DONE) {
      return;
    }
    metrics.recordUpstreamError(request.route().providerName(), "reset");
    abort(GatewayError.UPSTREAM_UNAVAILABLE, cause.toString());
  }

  /** The response head did not come in time, or the body streaming since fell silent for too long. */
  @Override
  void deadlinePassed() {
    if (state == State.AWAITING_RESPONSE) {
      metrics.recordUpstreamError(request.route().providerName(), "response_timeout");
      abort(GatewayError.UPSTREAM_TIMEOUT, "no response headers in " + responseTimeoutMillis + " ms");
    } else if (state == State.STREAMING) {
      metrics.recordUpstreamError(request.route().providerName(), "idle_timeout");
      abort(GatewayError.UPSTREAM_TIMEOUT, "upstream idle");
    }
  }

  /** Ends the exchange on an upstream failure: an error if nothing was sent yet, else a cut stream. */
  private void abort(GatewayError error, String reason) {
    State was = state;
    state = State.DONE;
    cancelTimer();
    Channel ch = upstream;
    if (ch != null) {
      unbind(ch);
      ch.close();
    }
    log.debug("{} upstream failed ({}): {}", request.requestId(), error.code(), reason);
    if (was == State.STREAMING) {
      clientCtx.flush();
      clientCtx.close(); // the client sees the stream end without its terminating chunk
      finish();
    } else {
      fail(error);
    }
  }

  private void fail(GatewayError error) {
    state = State.DONE;
    releasePending();
    ErrorResponses.send(clientCtx, error);
    finish();
  }

  private void finish() {
    releasePending();
    cancelTimer();
    if (streamCounted) {
      streamCounted = false;
      metrics.openStreams().decrementAndGet();
    }
    onDone.run();
  }

  private void releasePending() {
    FullHttpRequest p = pending;
    pending = null;
    if (p != null) {
      p.release();
    }
  }

  private void cancelTimer() {
    ResponseDeadlines.disarm(this);
  }

  /**
   * Makes the provider's answer the client's, in place (no new message per answer): HTTP/1.1, the
   * provider's status and end-to-end headers, our framing.
   */
  private void toClient(HttpResponse upstreamResponse) {
    upstreamResponse.setProtocolVersion(HttpVersion.HTTP_1_1);
    HttpHeaders headers = upstreamResponse.headers();
    boolean lengthKnown = headers.contains(HttpHeaderNames.CONTENT_LENGTH) && !request.usageInjected();
    ResponseHeaders.stripHopByHop(headers);
    int code = upstreamResponse.status().code();
    boolean bodyless = code == 204 || code == 304 || request.method().equals("HEAD");
    if (!lengthKnown && !bodyless) {
      headers.remove(HttpHeaderNames.CONTENT_LENGTH);
      headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
  }
}
