package dev.tollgate.core.metrics;

import dev.tollgate.core.auth.Principal;
import dev.tollgate.core.clock.CoarseClock;
import dev.tollgate.core.config.ConfigHolder;
import dev.tollgate.core.context.ChannelAttrs;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.error.RequestIds;
import dev.tollgate.core.route.RouteMatch;
import dev.tollgate.core.usage.UsageSink;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First stage after the codec, so it sees every outcome, rejections included. It opens each request's
 * {@link RequestContext} (request id, start time, config snapshot), stamps {@code x-request-id} on
 * responses that lack one, and ends the request exactly once — when its last byte is written or the
 * client goes away; a request answered with {@code 101 Switching Protocols} (a realtime WebSocket
 * session) ends only when its connection closes — recording status and latency and handing the usage event to the
 * {@link UsageSink}. A pipelined request waits here until the one before it has ended. One per channel.
 */
public final class MetricsHandler extends ChannelDuplexHandler {

  private static final Logger log = LoggerFactory.getLogger(MetricsHandler.class);
  /** HTTP status recorded when the client closed the connection before the response ended. */
  public static final int CLIENT_CLOSED_REQUEST = 499;

  private final ConfigHolder config;
  private final GatewayMetrics metrics;
  private final UsageSink usageSink;
  private RequestContext current;
  /** The current request switched protocols (realtime WebSocket): it ends when the connection closes. */
  private boolean switchedProtocols;
  /** Messages of a pipelined request, held until {@link #current} ends; released on close. */
  private ArrayDeque<Object> pipelined;

  private final dev.tollgate.core.audit.AuditLog audit;

  public MetricsHandler(ConfigHolder config, GatewayMetrics metrics, UsageSink usageSink) {
    this(config, metrics, usageSink, null);
  }

  /** @param audit where refused credentials are recorded (rate-limited per source), or null */
  public MetricsHandler(ConfigHolder config, GatewayMetrics metrics, UsageSink usageSink,
      dev.tollgate.core.audit.AuditLog audit) {
    this.config = config;
    this.metrics = metrics;
    this.usageSink = usageSink;
    this.audit = audit;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (current != null && (msg instanceof HttpRequest || pipelined != null)) {
      if (pipelined == null) {
        pipelined = new ArrayDeque<>(4);
      }
      pipelined.add(msg); // released in channelInactive/handlerRemoved, or re-read when current ends
      ctx.channel().config().setAutoRead(false);
      return;
    }
    if (msg instanceof HttpRequest request) {
      long start = System.nanoTime();
      current = new RequestContext(RequestIds.next(), start, CoarseClock.wallMillisAt(start),
          config.current(), request.method().name(), request.uri());
      ctx.channel().attr(ChannelAttrs.REQUEST_CONTEXT).set(current);
      switchedProtocols = false;
      metrics.inFlight().incrementAndGet();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    RequestContext request = current;
    if (request == null || isInterim(msg)) {
      ctx.write(msg, promise);
      return;
    }
    if (msg instanceof HttpResponse response) {
      switchedProtocols = response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code();
      request.status(response.status().code());
      request.responseStarted(true);
      if (!response.headers().contains(ErrorResponses.REQUEST_ID_HEADER)) { // absent: added, not looked up again
        response.headers().add(ErrorResponses.REQUEST_ID_HEADER, request.requestId());
      }
    }
    if (msg instanceof HttpContent content) {
      int bytes = content.content().readableBytes();
      request.addResponseBytes(bytes);
      metrics.addRelayedBytes(bytes);
    }
    if (msg instanceof LastHttpContent && !switchedProtocols) {
      ChannelPromise p = promise.unvoid();
      p.addListener(f -> finish(ctx, request, f.isSuccess() ? request.status() : CLIENT_CLOSED_REQUEST));
      ctx.write(msg, p);
      return;
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    RequestContext request = current;
    if (request != null) {
      // a switched session (101) ended normally when its connection closed; any other request did not
      finish(ctx, request, switchedProtocols ? request.status() : CLIENT_CLOSED_REQUEST);
    }
    releasePipelined();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releasePipelined();
  }

  private void finish(ChannelHandlerContext ctx, RequestContext request, int status) {
    if (!request.complete()) {
      return;
    }
    if (status == CLIENT_CLOSED_REQUEST || request.status() == 0) {
      request.status(status);
    }
    long now = System.nanoTime();
    metrics.inFlight().decrementAndGet();
    Principal principal = request.principal();
    RouteMatch route = request.route();
    metrics.recordRequest(principal == null ? null : principal.tenantId(),
        route == null ? null : route.providerName(),
        route == null ? null : route.operation().id(),
        request.status(), now - request.startNanos());
    if (request.errorCode() != null) {
      metrics.recordError(request.errorCode());
      if (audit != null && request.errorCode().equals(dev.tollgate.core.error.GatewayError.UNAUTHENTICATED.code())) {
        java.net.SocketAddress remote = ctx.channel().remoteAddress();
        audit.authFailure(remote instanceof java.net.InetSocketAddress inet ? inet.getHostString() : null,
            route == null ? request.method() : request.method() + " " + route.clientPath());
      }
    }
    if (principal != null && !request.usageRecorded()) {
      try {
        usageSink.accept(request.toUsageEvent(now));
      } catch (RuntimeException e) {
        log.error("{} usage sink failed", request.requestId(), e);
      }
    }
    if (current == request) {
      current = null;
      ctx.channel().attr(ChannelAttrs.REQUEST_CONTEXT).set(null);
      resumePipelined(ctx);
    }
  }

  /**
   * An interim response ({@code 100 Continue} from the body aggregator): the request goes on, so it
   * must not end it, even though it is written as a full (last-content) response.
   */
  private static boolean isInterim(Object msg) {
    return msg instanceof HttpResponse response
        && response.status().codeClass() == HttpStatusClass.INFORMATIONAL
        && response.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code();
  }

  private void resumePipelined(ChannelHandlerContext ctx) {
    if (pipelined == null || !ctx.channel().isActive()) {
      return;
    }
    ArrayDeque<Object> held = pipelined;
    pipelined = null;
    ctx.channel().config().setAutoRead(true);
    // re-read in order; a new request among them becomes current and re-queues what follows
    ctx.executor().execute(() -> {
      boolean open = ctx.channel().isActive();
      Object msg;
      while ((msg = held.poll()) != null) {
        if (open) {
          channelRead(ctx, msg);
        } else {
          io.netty.util.ReferenceCountUtil.release(msg);
        }
      }
    });
  }

  private void releasePipelined() {
    if (pipelined != null) {
      Object msg;
      while ((msg = pipelined.poll()) != null) {
        io.netty.util.ReferenceCountUtil.release(msg);
      }
      pipelined = null;
    }
  }
}
