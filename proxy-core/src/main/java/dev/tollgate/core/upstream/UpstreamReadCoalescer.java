package dev.tollgate.core.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Upstream-side stage of an HTTP/2 stream, between its codec and the usage tap: the body pieces that one
 * socket read produced go on as one piece, at the end of that read. A provider that sends a burst of SSE
 * events (sixteen events of a fast answer, or usage and {@code [DONE]} together) is read in one go; the
 * stream codec makes a message of each DATA frame, so without this stage each would be scanned, relayed,
 * framed and written on its own. (An HTTP/1.1 connection has no such stage: {@link UpstreamHttpCodec}
 * already hands on the chunks of one read as one piece.) Nothing waits longer than before: the relay
 * flushed at the end of each read anyway, and this stage hands its piece on just before that end. One
 * piece alone is handed on as it is; only a second piece in the same read makes a copy, and that merged
 * buffer is what the rest of the path sees (the client encoder frames a small piece by copying it once
 * more, so a burst of twenty events goes to the client as one chunk instead of twenty). One per stream,
 * on its event loop.
 */
public final class UpstreamReadCoalescer extends ChannelInboundHandlerAdapter {

  /** A merged piece larger than this is handed on at once (the next piece starts a new one). */
  static final int MAX_MERGED_BYTES = 64 * 1024;

  /** The first body piece of this read, not yet handed on. */
  private HttpContent held;
  /** Once a second piece arrives: every piece of this read so far, copied in order. */
  private ByteBuf merged;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HttpContent content) || msg instanceof HttpResponse
        || content.decoderResult().isFailure()) {
      handOn(ctx);
      ctx.fireChannelRead(msg);
      return;
    }
    if (msg instanceof LastHttpContent last) {
      if (held == null) {
        ctx.fireChannelRead(last);
        return;
      }
      append(ctx, last.content());
      ByteBuf all = takeMerged();
      LastHttpContent joined;
      try {
        joined = last.replace(all);
      } finally {
        last.release();
      }
      ctx.fireChannelRead(joined);
      return;
    }
    if (held == null) {
      held = content;
      return;
    }
    try {
      append(ctx, content.content());
    } finally {
      content.release();
    }
    if (merged.readableBytes() >= MAX_MERGED_BYTES) {
      handOn(ctx);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    handOn(ctx);
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    handOn(ctx);
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    discard();
  }

  /** Adds {@code bytes} after the held piece (copying the held piece first on the second piece). */
  private void append(ChannelHandlerContext ctx, ByteBuf bytes) {
    if (merged == null) {
      ByteBuf first = held.content();
      int size = Math.max(first.readableBytes() + bytes.readableBytes(), 4096);
      merged = ctx.alloc().buffer(Math.min(size, MAX_MERGED_BYTES), MAX_MERGED_BYTES * 2);
      merged.writeBytes(first);
    }
    merged.writeBytes(bytes);
  }

  /** The merged copy of this read's pieces (two or more); nothing is held afterwards. */
  private ByteBuf takeMerged() {
    ByteBuf all = merged;
    HttpContent first = held;
    merged = null;
    held = null;
    first.release(); // copied into all
    return all;
  }

  /** Hands on what this read has held back, if anything: the single piece as it is, or the merged copy. */
  private void handOn(ChannelHandlerContext ctx) {
    HttpContent first = held;
    if (first == null) {
      return;
    }
    if (merged == null) {
      held = null;
      ctx.fireChannelRead(first);
      return;
    }
    ctx.fireChannelRead(new DefaultHttpContent(takeMerged()));
  }

  private void discard() {
    HttpContent first = held;
    ByteBuf all = merged;
    held = null;
    merged = null;
    if (first != null) {
      first.release();
    }
    if (all != null) {
      all.release();
    }
  }
}
