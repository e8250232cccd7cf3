package dev.tollgate.core.route;

import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.context.RequestStage;
import dev.tollgate.core.error.ErrorResponses;
import dev.tollgate.core.error.GatewayError;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipeline stage that decides where a request goes: provider, operation and upstream path, and reads
 * the model and stream flag from the JSON body. Unknown routes get 404 and malformed JSON bodies 400,
 * in the route's dialect, before auth (the upstream never sees them). Sits between
 * {@code RequestGuardHandler} and {@code AuthHandler}; stateless apart from a per-snapshot router cache.
 */
@Sharable
public final class RouteHandler extends RequestStage {

  private static final Logger log = LoggerFactory.getLogger(RouteHandler.class);

  private volatile Router router;

  @Override
  protected void onRequest(ChannelHandlerContext ctx, FullHttpRequest request, RequestContext context) {
    RouteMatch route = routerFor(context).route(request.uri());
    if (route == null) {
      ReferenceCountUtil.release(request);
      ErrorResponses.send(ctx, GatewayError.NOT_FOUND,
          "Unknown route: " + context.method() + " " + pathOf(request.uri()));
      return;
    }
    context.route(route);
    context.requestBytes(request.content().readableBytes());
    if (request.method().equals(HttpMethod.POST) && request.content().isReadable() && isJson(request)) {
      try {
        RequestBodyInspector.inspect(request.content(), context);
      } catch (IOException | RuntimeException e) {
        log.debug("{} malformed JSON body: {}", context.requestId(), e.getMessage());
        ReferenceCountUtil.release(request);
        ErrorResponses.send(ctx, GatewayError.BAD_REQUEST,
            "The request body is not valid JSON.");
        return;
      }
    }
    if (route.operation() == Operation.REALTIME && isWebSocketUpgrade(request)) {
      // a realtime session holds a stream slot for its whole life; the plan gate checks its model
      context.stream(true);
      context.requestModel(queryParameter(request.uri(), "model"));
    }
    ctx.fireChannelRead(request);
  }

  /** Whether {@code request} asks to switch to WebSocket ({@code Upgrade: websocket}). */
  public static boolean isWebSocketUpgrade(FullHttpRequest request) {
    String upgrade = request.headers().get(HttpHeaderNames.UPGRADE);
    return upgrade != null && upgrade.equalsIgnoreCase("websocket") && request.method().equals(HttpMethod.GET);
  }

  private static String queryParameter(String uri, String name) {
    java.util.List<String> values = new QueryStringDecoder(uri).parameters().get(name);
    return values == null || values.isEmpty() || values.get(0).isBlank() ? null : values.get(0);
  }

  private Router routerFor(RequestContext context) {
    Router current = router;
    if (current == null || current.config() != context.config()) {
      current = new Router(context.config());
      router = current;
    }
    return current;
  }

  private static boolean isJson(FullHttpRequest request) {
    String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
    return type == null || type.startsWith("application/json") // as SDKs send it; any case is the same type
        || type.regionMatches(true, 0, "application/json", 0, 16);
  }

  private static String pathOf(String uri) {
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    return path.length() > 200 ? path.substring(0, 200) + "..." : path;
  }
}
