package dev.tollgate.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The mock's realtime provider: a {@code GET /v1/realtime} WebSocket upgrade answers {@code session.created}
 * right after the 101, then echoes each text frame as a {@code response.output_text.delta} event carrying the
 * same text, echoes binary frames, answers pings and close frames. Replies are flushed once per read batch.
 * Other requests pass on to {@link MockUpstreamHandler}. One per channel, on its event loop.
 */
final class MockRealtimeHandler extends ChannelInboundHandlerAdapter {

  static final String REALTIME_PATH = "/v1/realtime";
  private static final int MAX_FRAME_BYTES = 1 << 20;
  private static final byte[] DELTA_PREFIX =
      "{\"type\":\"response.output_text.delta\",\"delta\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DELTA_SUFFIX = "\"}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private WebSocketServerHandshaker handshaker;
  private boolean pendingFlush;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof WebSocketFrame frame) {
      onFrame(ctx, frame);
      return;
    }
    if (msg instanceof FullHttpRequest request && isRealtimeUpgrade(request)) {
      try {
        upgrade(ctx, request);
      } finally {
        request.release();
      }
      return;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (pendingFlush) {
      pendingFlush = false;
      ctx.flush();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // a bench client that goes away is normal noise
    ctx.close();
  }

  private static boolean isRealtimeUpgrade(FullHttpRequest request) {
    return request.method() == HttpMethod.GET
        && new QueryStringDecoder(request.uri()).path().equals(REALTIME_PATH)
        && request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
  }

  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request) {
    List<String> models = new QueryStringDecoder(request.uri()).parameters().get("model");
    String model = models == null || models.isEmpty() ? "gpt-4o-realtime-preview" : models.get(0);
    handshaker = new WebSocketServerHandshakerFactory("ws://127.0.0.1" + REALTIME_PATH, "realtime", false,
        MAX_FRAME_BYTES).newHandshaker(request);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
      return;
    }
    handshaker.handshake(ctx.channel(), request).addListener(f -> {
      if (!f.isSuccess()) {
        ctx.close();
        return;
      }
      // like a provider: the first event follows the 101 at once (it may share its TCP segment)
      ctx.writeAndFlush(new TextWebSocketFrame("{\"type\":\"session.created\",\"event_id\":\"event_mock\","
          + "\"session\":{\"id\":\"sess_mock\",\"object\":\"realtime.session\",\"model\":\"" + model + "\"}}"));
    });
  }

  private void onFrame(ChannelHandlerContext ctx, WebSocketFrame frame) {
    try {
      if (frame instanceof TextWebSocketFrame) {
        ctx.write(new TextWebSocketFrame(delta(ctx, frame.content())));
        pendingFlush = true;
      } else if (frame instanceof BinaryWebSocketFrame) {
        // retained for the echo; released by the encoder once written
        ctx.write(new BinaryWebSocketFrame(frame.content().retain()));
        pendingFlush = true;
      } else if (frame instanceof PingWebSocketFrame) {
        // retained for the pong; released by the encoder once written
        ctx.write(new PongWebSocketFrame(frame.content().retain()));
        pendingFlush = true;
      } else if (frame instanceof CloseWebSocketFrame close) {
        ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), "bye")).addListener(ChannelFutureListener.CLOSE);
      }
    } finally {
      ReferenceCountUtil.release(frame);
    }
  }

  /** {@code {"type":"response.output_text.delta","delta":"<text as a JSON string>"}} in one buffer. */
  private static ByteBuf delta(ChannelHandlerContext ctx, ByteBuf text) {
    int length = text.readableBytes();
    ByteBuf out = ctx.alloc().buffer(DELTA_PREFIX.length + length + DELTA_SUFFIX.length + 16);
    out.writeBytes(DELTA_PREFIX);
    for (int i = text.readerIndex(), end = i + length; i < end; i++) {
      byte b = text.getByte(i);
      if (b == '"' || b == '\\') {
        out.writeByte('\\').writeByte(b);
      } else if (b >= 0 && b < 0x20) {
        out.writeByte('\\').writeByte('u').writeByte('0').writeByte('0').writeByte(HEX[b >> 4]).writeByte(HEX[b & 15]);
      } else {
        out.writeByte(b);
      }
    }
    return out.writeBytes(DELTA_SUFFIX);
  }
}
