package dev.tollgate.core.context;

import io.netty.util.AttributeKey;

/** Every channel attribute the gateway uses, named for the value it holds. */
public final class ChannelAttrs {

  /** On a client channel: the request currently being served. */
  public static final AttributeKey<RequestContext> REQUEST_CONTEXT =
      AttributeKey.valueOf("tollgate.requestContext");

  /** On an upstream channel: the client request it is currently serving (null while pooled). */
  public static final AttributeKey<RequestContext> UPSTREAM_REQUEST =
      AttributeKey.valueOf("tollgate.upstreamRequest");

  private ChannelAttrs() {
  }
}
