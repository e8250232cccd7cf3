package dev.tollgate.core.realtime;

import dev.tollgate.core.context.ChannelAttrs;
import dev.tollgate.core.context.RequestContext;
import dev.tollgate.core.route.Operation;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Pipeline stage, just before {@code AuthHandler}, for the credential browsers send on realtime
 * WebSocket upgrades: they cannot set headers, so without an {@code Authorization} or {@code x-api-key}
 * header the credential is lifted out of {@code Sec-WebSocket-Protocol}
 * ({@code openai-insecure-api-key.<credential>} or {@code tollgate-session.<token>}) into
 * {@code Authorization}, where {@code AuthHandler} verifies it like any other (gateway session tokens
 * included). Every other request passes untouched. Stateless.
 */
@Sharable
public final class SessionTokenHandler extends ChannelInboundHandlerAdapter {

  /** Subprotocol prefixes that carry a credential; OpenAI's browser form, and ours. */
  static final String OPENAI_KEY_PROTOCOL = "openai-insecure-api-key.";
  static final String SESSION_PROTOCOL = "tollgate-session.";

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpRequest request) {
      RequestContext context = ctx.channel().attr(ChannelAttrs.REQUEST_CONTEXT).get();
      HttpHeaders headers = request.headers();
      if (context.route().operation() == Operation.REALTIME && !headers.contains(HttpHeaderNames.AUTHORIZATION)
          && !headers.contains("x-api-key")) {
        String lifted = subprotocolCredential(headers.get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL));
        if (lifted != null) {
          // AuthHandler reads the credential where SDKs put it; the upstream never sees client headers
          headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + lifted);
        }
      }
    }
    ctx.fireChannelRead(msg);
  }

  /** The credential in a {@code Sec-WebSocket-Protocol} list, or null. */
  static String subprotocolCredential(String protocols) {
    if (protocols == null) {
      return null;
    }
    for (String raw : protocols.split(",")) {
      String protocol = raw.trim();
      for (String prefix : new String[] {SESSION_PROTOCOL, OPENAI_KEY_PROTOCOL}) {
        if (protocol.startsWith(prefix) && protocol.length() > prefix.length()) {
          return protocol.substring(prefix.length());
        }
      }
    }
    return null;
  }
}
