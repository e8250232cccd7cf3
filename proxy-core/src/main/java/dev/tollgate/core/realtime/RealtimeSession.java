package dev.tollgate.core.realtime;

import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.error.GatewayError;
import dev.tollgate.core.plan.Plan;
import dev.tollgate.core.pricing.ModelPriceTable;
import dev.tollgate.core.quota.QuotaHandler;
import dev.tollgate.core.quota.QuotaLedger;
import dev.tollgate.core.quota.Reservation;
import dev.tollgate.core.route.RouteMatch;
import dev.tollgate.core.upstream.ProviderKey;
import dev.tollgate.core.usage.TokenUsage;
import dev.tollgate.core.usage.UsageDialect;
import dev.tollgate.core.usage.UsageScanner;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One realtime WebSocket session: the client's upgraded connection relayed to the provider's realtime
 * WebSocket, frame by frame, both ways, metered and limited like any request.
 *
 * <pre>
 *   client  ⇄ text/binary/ping/pong/close ⇄  gateway  ⇄ (wss, provider key) ⇄  upstream
 *     │ both sides read on their own; each batch read is flushed to the peer once
 *     │ peer not writable ──▶ AUTO_READ off   ·   peer writable again ──▶ AUTO_READ on  ({@link RealtimeBackpressure})
 *     │ upstream text frames pass the {@link UsageScanner} (response.done usage, per response)
 * </pre>
 *
 * 1. The upstream WebSocket is opened first; only when its handshake succeeds does the client get
 * {@code 101} — an unreachable or refusing provider is a plain HTTP 502/504 the client can read.
 * 2. The client request stays open for the whole session, so the concurrency slot (and stream slot) is
 * held until the client connection closes; that close completes the request and runs its hooks.
 * 3. Close frames are relayed with their codes; when either side's connection ends, the other side
 * gets a close frame and the session ends. A tenant over its token or cost budget gets an error event
 * and close 1008. Confined to the client channel's event loop (the upstream channel shares it).
 */
final class RealtimeSession {

  private static final Logger log = LoggerFactory.getLogger(RealtimeSession.class);
  private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  /** Upstream frames that may arrive with the handshake answer, before the client is switched. */
  private static final int MAX_EARLY_FRAMES = 64;
  /** How long a close frame waits for the peer's answering close before the connections are cut. */
  private static final long CLOSE_WAIT_MILLIS = 5_000;
  static final int POLICY_VIOLATION = 1008;

  private final ChannelHandlerContext clientCtx;
  private final Channel client;
  private final RequestContext context;
  private final ClientHandshake handshake;
  private final ProviderKey providerKey;
  private final RealtimeMetrics metrics;
  private final QuotaHandler.Ledgers ledgers;
  private final RealtimeChannels channels;
  private final int maxFrameBytes;
  private final long handshakeTimeoutMillis;
  private final UsageScanner scanner = new UsageScanner(UsageDialect.REALTIME, false);
  private final List<Held> heldBudget = new ArrayList<>(4);
  private final ArrayDeque<WebSocketFrame> early = new ArrayDeque<>();

  private Channel upstream;
  private WebSocketClientHandshaker upstreamHandshaker;
  private ScheduledFuture<?> handshakeTimeout;
  private boolean switched;
  private boolean ended;
  private long startedNanos;
  private RealtimeBackpressure backpressure;
  private boolean upstreamTextMessage;
  private boolean clientCloseSent;
  private boolean upstreamCloseSent;
  private boolean budgetStopped;

  RealtimeSession(ChannelHandlerContext clientCtx, RequestContext context, ClientHandshake handshake,
      ProviderKey providerKey, RealtimeMetrics metrics, QuotaHandler.Ledgers ledgers, RealtimeChannels channels,
      int maxFrameBytes, long handshakeTimeoutMillis) {
    this.clientCtx = clientCtx;
    this.client = clientCtx.channel();
    this.context = context;
    this.handshake = handshake;
    this.providerKey = providerKey;
    this.metrics = metrics;
    this.ledgers = ledgers;
    this.channels = channels;
    this.maxFrameBytes = maxFrameBytes;
    this.handshakeTimeoutMillis = handshakeTimeoutMillis;
  }

  /** Opens the upstream WebSocket; the client is switched once it is up. */
  void start() {
    RouteMatch route = context.route();
    URI uri = URI.create((route.endpoint().tls() ? "wss://" : "ws://") + route.endpoint().hostHeader()
        + route.upstreamUri());
    HttpHeaders headers = new DefaultHttpHeaders();
    for (Map.Entry<String, String> auth : RealtimeHandler.authHeaders(route, providerKey).entrySet()) {
      headers.set(auth.getKey(), auth.getValue());
    }
    if (handshake.openAiBeta() != null) {
      headers.set("openai-beta", handshake.openAiBeta());
    }
    upstreamHandshaker = WebSocketClientHandshakerFactory.newHandshaker(uri, WebSocketVersion.V13, null, false,
        headers, maxFrameBytes);
    context.onComplete(done -> giveBackHeldBudget());
    handshakeTimeout = client.eventLoop().schedule(() -> refuse(GatewayError.UPSTREAM_TIMEOUT,
        "The provider's realtime endpoint did not answer in time.", "upstream_timeout"),
        handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
    channels.connectRealtimeUpstream(client, route.endpoint(), new UpstreamHandler()).addListener(f -> {
      if (!f.isSuccess()) {
        log.info("{} realtime upstream unreachable: {}", context.requestId(), f.cause().toString());
        refuse(GatewayError.UPSTREAM_UNAVAILABLE, "The provider's realtime endpoint could not be reached.",
            "upstream_unreachable");
      }
    });
  }

  // ---- 1. handshakes ------------------------------------------------------------------------

  private void upstreamHandshakeDone(Channel ch) {
    if (ended) {
      ch.close();
      return;
    }
    handshakeTimeout.cancel(false);
    ch.config().setAutoRead(false);
    FullHttpResponse switching = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.SWITCHING_PROTOCOLS, Unpooled.EMPTY_BUFFER);
    switching.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
    switching.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    switching.headers().set(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT, acceptKey(handshake.key()));
    if (handshake.protocol() != null) {
      switching.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, handshake.protocol());
    }
    channels.switchToWebSocket(client, switching, maxFrameBytes, new ClientHandler()).addListener(f -> {
      if (!f.isSuccess() || ended) {
        end("client_gone");
        return;
      }
      switched = true;
      startedNanos = System.nanoTime();
      metrics.sessionStarted();
      backpressure = new RealtimeBackpressure(client, upstream);
      WebSocketFrame frame;
      while ((frame = early.poll()) != null) {
        toClient(frame);
      }
      client.flush();
      backpressure.start();
    });
  }

  /** Before the switch: the client gets an HTTP error it can read, and the upstream is dropped. */
  private void refuse(GatewayError error, String message, String reason) {
    if (ended || switched) {
      return;
    }
    ended = true;
    handshakeTimeout.cancel(false);
    metrics.sessionRefused(reason);
    releaseEarly();
    if (upstream != null) {
      upstream.close();
    }
    if (client.isActive()) {
      client.config().setAutoRead(true);
      ErrorResponses.send(clientCtx, error, message);
    }
  }

  // ---- 2. relay -----------------------------------------------------------------------------

  private void fromClient(WebSocketFrame frame) {
    if (ended || upstreamCloseSent) {
      ReferenceCountUtil.release(frame);
      return;
    }
    metrics.frameFromClient();
    if (frame instanceof CloseWebSocketFrame) {
      upstreamCloseSent = true;
      upstream.writeAndFlush(frame);
      closeExchanged();
      return;
    }
    // released by the upstream's encoder once written; the void promise spares a promise per frame, and a
    // failed write reaches UpstreamHandler.exceptionCaught, which closes the connection
    upstream.write(frame, upstream.voidPromise());
    backpressure.afterClientFrame();
  }

  private void fromUpstream(WebSocketFrame frame) {
    if (ended || clientCloseSent) {
      ReferenceCountUtil.release(frame);
      return;
    }
    if (!switched) {
      if (early.size() >= MAX_EARLY_FRAMES) {
        ReferenceCountUtil.release(frame);
        end("upstream_flood");
        return;
      }
      early.add(frame.touch("realtime: held until the client is switched")); // flushed or released by the session
      return;
    }
    toClient(frame);
  }

  private void toClient(WebSocketFrame frame) {
    metrics.frameFromUpstream();
    boolean text = frame instanceof TextWebSocketFrame
        || (frame instanceof ContinuationWebSocketFrame && upstreamTextMessage);
    if (frame instanceof TextWebSocketFrame) {
      upstreamTextMessage = !frame.isFinalFragment();
    } else if (frame instanceof ContinuationWebSocketFrame && frame.isFinalFragment()) {
      upstreamTextMessage = false;
    }
    if (text) {
      scanner.scan(frame.content());
      if (frame.isFinalFragment()) {
        TokenUsage increment = scanner.drainIncrement();
        if (!increment.isEmpty()) {
          onUsage(increment);
        }
      }
    }
    if (frame instanceof CloseWebSocketFrame) {
      clientCloseSent = true;
      client.writeAndFlush(frame);
      closeExchanged();
      return;
    }
    if (budgetStopped) {
      ReferenceCountUtil.release(frame);
      return;
    }
    // released by the client's encoder once written; a failed write reaches ClientHandler.exceptionCaught
    client.write(frame, client.voidPromise());
    backpressure.afterUpstreamFrame();
  }

  private void clientReadComplete() {
    if (ended || backpressure == null) {
      return;
    }
    backpressure.afterClientBatch();
  }

  private void upstreamReadComplete() {
    if (ended || backpressure == null) {
      return;
    }
    backpressure.afterUpstreamBatch();
  }

  private void upstreamWritabilityChanged() {
    if (backpressure != null && !ended) {
      backpressure.upstreamWritabilityChanged();
    }
  }

  private void clientWritabilityChanged() {
    if (backpressure != null && !ended) {
      backpressure.clientWritabilityChanged();
    }
  }

  // ---- 3. metering and budget ---------------------------------------------------------------

  private void onUsage(TokenUsage increment) {
    context.usage(scanner.usage());
    if (scanner.model() != null) {
      context.responseModel(scanner.model());
    }
    Plan plan = context.plan();
    String tenantId = context.principal().tenantId();
    if (plan.monthlyTokenBudget() != null) {
      long tokens = increment.inputTokens() + increment.cacheCreationInputTokens() + increment.outputTokens();
      hold(ledgers.tokens(), ledgers.tokens().reserve(tenantId, tokens, plan.monthlyTokenBudget(), false), "token");
    }
    if (plan.monthlyCostBudgetMicroUsd() != null) {
      long cost = ledgers.prices().get().cost(context.route().providerName(), context.model(), increment);
      if (cost != ModelPriceTable.UNKNOWN && cost > 0) {
        hold(ledgers.costMicroUsd(), ledgers.costMicroUsd().reserve(tenantId, cost,
            plan.monthlyCostBudgetMicroUsd(), false), "cost");
      }
    }
  }

  /**
   * Keeps a session's running usage reserved against the budget while it lasts (so a second session
   * sees it); the quota stage settles the whole usage when the request ends, and these holds are then
   * given back. A refused increment means the budget is used up: the session stops.
   */
  private void hold(QuotaLedger ledger, CompletableFuture<Reservation> reservation, String kind) {
    reservation.whenComplete((r, error) -> client.eventLoop().execute(() -> {
      if (error != null || r == null) {
        log.warn("{} realtime budget check failed: {}", context.requestId(), String.valueOf(error));
        return;
      }
      if (context.isCompleted()) {
        ledger.refund(r);
        return;
      }
      if (r.admitted()) {
        heldBudget.add(new Held(ledger, r));
        return;
      }
      stopForBudget(kind);
    }));
  }

  private void giveBackHeldBudget() {
    for (Held held : heldBudget) {
      held.ledger().refund(held.reservation());
    }
    heldBudget.clear();
  }

  private void stopForBudget(String kind) {
    if (ended || budgetStopped) {
      return;
    }
    budgetStopped = true;
    String event = "{\"type\":\"error\",\"error\":{\"type\":\"budget_exceeded\",\"code\":\"budget_exceeded\","
        + "\"message\":\"The monthly " + kind + " budget of plan '" + context.plan().name()
        + "' is used up; the session is closed.\"}}";
    if (!clientCloseSent) {
      clientCloseSent = true;
      client.write(new TextWebSocketFrame(event));
      client.writeAndFlush(new CloseWebSocketFrame(POLICY_VIOLATION, "budget exceeded"));
    }
    if (!upstreamCloseSent) {
      upstreamCloseSent = true;
      upstream.writeAndFlush(new CloseWebSocketFrame(1000, "budget exceeded"));
    }
    end("budget_exceeded");
  }

  // ---- 4. ending ----------------------------------------------------------------------------

  private void clientClosed() {
    if (!switched) {
      refuse(GatewayError.UPSTREAM_UNAVAILABLE, "client gone", "client_gone");
      return;
    }
    if (!ended && upstream.isActive() && !upstreamCloseSent) {
      upstreamCloseSent = true;
      upstream.writeAndFlush(new CloseWebSocketFrame(1001, "client gone"));
    }
    end("client_gone");
  }

  private void upstreamClosed() {
    if (!switched) {
      refuse(GatewayError.UPSTREAM_UNAVAILABLE, "The provider closed the realtime connection during the handshake.",
          "upstream_refused");
      return;
    }
    if (!ended && client.isActive() && !clientCloseSent) {
      clientCloseSent = true;
      client.writeAndFlush(new CloseWebSocketFrame(1011, "upstream connection lost"));
    }
    end("upstream_gone");
  }

  /** A close went one way: once both ways, the closing handshake is complete; else wait for the answer. */
  private void closeExchanged() {
    if (clientCloseSent && upstreamCloseSent) {
      end("closed");
      return;
    }
    scheduleCloseWait();
  }

  private void scheduleCloseWait() {
    client.eventLoop().schedule(() -> end("close_timeout"), CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Ends the session once: closes both connections after what was written reaches them. */
  private void end(String reason) {
    if (ended) {
      return;
    }
    ended = true;
    releaseEarly();
    if (handshakeTimeout != null) {
      handshakeTimeout.cancel(false);
    }
    if (switched) {
      metrics.sessionEnded(reason, System.nanoTime() - startedNanos);
    }
    if (upstream != null) {
      upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
    // the client connection closing completes the request: slots, quota and usage are settled then
    client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  private void releaseEarly() {
    WebSocketFrame frame;
    while ((frame = early.poll()) != null) {
      ReferenceCountUtil.release(frame);
    }
  }

  static String acceptKey(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1")
          .digest((key + WEBSOCKET_GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private record Held(QuotaLedger ledger, Reservation reservation) {
  }

  /**
   * What the client's upgrade request asked for: its key, the subprotocol we answer with
   * ({@code realtime} when offered; never a credential), and the OpenAI beta flag to pass on.
   */
  record ClientHandshake(String key, String protocol, String openAiBeta) {

    /** The handshake of {@code request}, or null when it is not a version-13 WebSocket upgrade. */
    static ClientHandshake of(FullHttpRequest request) {
      HttpHeaders headers = request.headers();
      String key = headers.get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
      if (key == null || key.isBlank() || !"13".equals(headers.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
        return null;
      }
      String protocol = null;
      String beta = headers.get("openai-beta");
      String offered = headers.get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
      if (offered != null) {
        for (String raw : offered.split(",")) {
          String p = raw.trim();
          if (p.equals("realtime")) {
            protocol = p;
          } else if (p.equals("openai-beta.realtime-v1") && beta == null) {
            beta = "realtime=v1";
          }
        }
      }
      return new ClientHandshake(key.trim(), protocol, beta);
    }
  }

  /** On the client connection after the switch: frames to the session. */
  private final class ClientHandler extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof WebSocketFrame frame) {
        fromClient(frame);
        return;
      }
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      clientReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      clientWritabilityChanged();
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      clientClosed();
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("{} realtime client connection failed: {}", context.requestId(), cause.toString());
      ctx.close();
    }
  }

  /** On the upstream connection: the handshake, then frames to the session. */
  private final class UpstreamHandler extends ChannelInboundHandlerAdapter {

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      upstream = ctx.channel();
      if (ended) {
        ctx.close();
        return;
      }
      upstreamHandshaker.handshake(ctx.channel());
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!upstreamHandshaker.isHandshakeComplete()) {
        try {
          if (!(msg instanceof FullHttpResponse response)) {
            return;
          }
          if (response.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            log.info("{} realtime upstream refused the handshake: HTTP {}", context.requestId(),
                response.status().code());
            refuse(GatewayError.UPSTREAM_UNAVAILABLE, "The provider refused the realtime connection (HTTP "
                + response.status().code() + ").", "upstream_refused");
            return;
          }
          upstreamHandshaker.finishHandshake(ctx.channel(), response);
        } catch (RuntimeException e) {
          log.info("{} realtime upstream handshake failed: {}", context.requestId(), e.toString());
          refuse(GatewayError.UPSTREAM_UNAVAILABLE, "The provider's realtime handshake failed.", "upstream_refused");
          return;
        } finally {
          ReferenceCountUtil.release(msg);
        }
        upstreamHandshakeDone(ctx.channel());
        return;
      }
      if (msg instanceof WebSocketFrame frame) {
        fromUpstream(frame);
        return;
      }
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      upstreamReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      upstreamWritabilityChanged();
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      upstreamClosed();
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("{} realtime upstream connection failed: {}", context.requestId(), cause.toString());
      ctx.close();
    }
  }
}
