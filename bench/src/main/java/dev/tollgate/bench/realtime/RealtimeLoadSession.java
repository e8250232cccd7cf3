package dev.tollgate.bench.realtime;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * One bench WebSocket session: once upgraded it sends {@code inFlight} text frames, each led by the stamp
 * {@code t=<19 digits>;}, and sends one more for every answer that carries a stamp back, flushing once per
 * read batch. Other text events (such as {@code session.created}) are skipped. Runs on its channel's event
 * loop; {@link #isOpen} and {@link #lastAnswerNanos} are read by the load's thread.
 */
final class RealtimeLoadSession extends ChannelInboundHandlerAdapter {

  private static final int STAMP_DIGITS = 19;

  private final RealtimeLoad load;
  private final int inFlight;
  private final int frameBytes;
  private volatile boolean open;
  private volatile long lastAnswerNanos;
  private boolean settled;
  private boolean closing;
  private boolean pendingFlush;

  RealtimeLoadSession(RealtimeLoad load, int inFlight, int frameBytes) {
    this.load = load;
    this.inFlight = inFlight;
    this.frameBytes = frameBytes;
  }

  boolean isOpen() {
    return open;
  }

  long lastAnswerNanos() {
    return lastAnswerNanos;
  }

  /** Sends close 1000 from any thread; the channel closes once the peer answers (or after 2 s). */
  void closeNormally(Channel channel) {
    channel.eventLoop().execute(() -> {
      closing = true;
      if (!channel.isActive()) {
        return;
      }
      if (!open) {
        channel.close();
        return;
      }
      channel.writeAndFlush(new CloseWebSocketFrame(1000, "bench done"));
      channel.eventLoop().schedule(() -> channel.close(), 2, java.util.concurrent.TimeUnit.SECONDS);
    });
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
      open = true;
      lastAnswerNanos = System.nanoTime();
      settle();
      for (int i = 0; i < inFlight; i++) {
        ctx.write(newFrame(ctx));
      }
      ctx.flush();
      return;
    }
    if (event == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
      load.error("handshake");
      settle();
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof CloseWebSocketFrame) {
        if (!closing && !load.stopping()) {
          load.error("closed");
        }
        closing = true;
        ctx.close();
        return;
      }
      if (!(msg instanceof TextWebSocketFrame frame)) {
        return;
      }
      long stamp = stampOf(frame.content());
      if (stamp < 0) {
        if (!isSessionEvent(frame.content())) {
          load.error("bad_frame");
        }
        return;
      }
      lastAnswerNanos = System.nanoTime();
      load.answered(stamp);
      if (!closing && !load.stopping()) {
        ctx.write(newFrame(ctx));
        pendingFlush = true;
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (pendingFlush) {
      pendingFlush = false;
      ctx.flush();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (open && !closing && !load.stopping()) {
      load.error("closed");
    }
    if (!open && !settled) {
      load.error("handshake"); // refused (or cut) before the upgrade; a handshake timeout counted already
    }
    open = false;
    settle();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  private void settle() {
    if (!settled) {
      settled = true;
      load.settled();
    }
  }

  /** {@code t=<stamp, 19 digits>;} then {@code x} up to {@code frameBytes}. */
  private WebSocketFrame newFrame(ChannelHandlerContext ctx) {
    ByteBuf text = ctx.alloc().buffer(frameBytes);
    text.writeByte('t').writeByte('=');
    long stamp = load.stampNanos();
    int at = text.writerIndex();
    text.writerIndex(at + STAMP_DIGITS);
    for (int i = STAMP_DIGITS - 1; i >= 0; i--) {
      text.setByte(at + i, '0' + (int) (stamp % 10));
      stamp /= 10;
    }
    text.writeByte(';');
    while (text.writerIndex() < frameBytes) {
      text.writeByte('x');
    }
    return new TextWebSocketFrame(text);
  }

  /** The stamp echoed in {@code content} ({@code t=} then 19 digits), or -1 when there is none. */
  static long stampOf(ByteBuf content) {
    int end = content.writerIndex() - STAMP_DIGITS;
    for (int i = content.readerIndex(); i + 1 < end; i++) {
      if (content.getByte(i) != 't' || content.getByte(i + 1) != '=') {
        continue;
      }
      long stamp = 0;
      int j = 0;
      for (; j < STAMP_DIGITS; j++) {
        byte b = content.getByte(i + 2 + j);
        if (b < '0' || b > '9') {
          break;
        }
        stamp = stamp * 10 + (b - '0');
      }
      if (j == STAMP_DIGITS) {
        return stamp;
      }
    }
    return -1;
  }

  private static boolean isSessionEvent(ByteBuf content) {
    String head = content.toString(content.readerIndex(), Math.min(64, content.readableBytes()),
        java.nio.charset.StandardCharsets.US_ASCII);
    return head.contains("\"session.");
  }
}
