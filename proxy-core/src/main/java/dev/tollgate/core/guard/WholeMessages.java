package dev.tollgate.core.guard;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Writes a whole HTTP/1.1 message with a small body as one buffer: start line, header lines, the empty
 * line and the body. Our encoders use it for the requests they send upstream and the whole answers they
 * send clients. Netty's encoders would copy the body into their head buffer through a new NIO view of
 * each buffer, or write it as a second buffer tied to the head's by a promise combiner.
 */
public final class WholeMessages {

  /** Bodies up to this length are copied; a larger one keeps the encoder's own writes, uncopied. */
  private static final int MAX_COPIED_BODY_BYTES = 8 * 1024;
  /** Room for a start line and headers, grown by the buffer if a head is larger. */
  private static final int HEAD_ROOM_BYTES = 1024;
  private static final int CRLF = ('\r' << 8) | '\n';

  private WholeMessages() {
  }

  /** How an encoder writes the head of a message of type {@code M}: its start line and header lines. */
  public interface HeadEncoder<M> {
    void encodeHead(ByteBuf out, M message) throws Exception;
  }

  /**
   * Whether {@code message} is written here: a body of at most {@link #MAX_COPIED_BODY_BYTES}, no
   * trailers, not chunked. The encoder adds what else it must know (that it is between messages).
   */
  public static boolean fits(FullHttpMessage message) {
    return message.content().readableBytes() <= MAX_COPIED_BODY_BYTES && message.trailingHeaders().isEmpty()
        && !HttpUtil.isTransferEncodingChunked(message);
  }

  /** {@code message} as one buffer, its head written by {@code head}; releases {@code message}. */
  public static <M extends FullHttpMessage> ByteBuf encode(ByteBufAllocator alloc, M message, HeadEncoder<M> head)
      throws Exception {
    try {
      ByteBuf body = message.content();
      int length = body.readableBytes();
      ByteBuf out = alloc.buffer(HEAD_ROOM_BYTES + length);
      try {
        head.encodeHead(out, message);
        out.writeShort(CRLF);
        // buffer to buffer by address when both have one: no NIO views, unlike writeBytes(ByteBuf)
        out.ensureWritable(length);
        body.getBytes(body.readerIndex(), out, out.writerIndex(), length);
        out.writerIndex(out.writerIndex() + length);
        return out;
      } catch (Exception | Error e) {
        out.release();
        throw e;
      }
    } finally {
      message.release();
    }
  }
}
