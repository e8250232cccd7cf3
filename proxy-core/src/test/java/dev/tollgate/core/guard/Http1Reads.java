package dev.tollgate.core.guard;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** What the differential tests of our HTTP/1.1 decoders share: reads to cut bytes into, and bodies as text. */
public final class Http1Reads {

  private Http1Reads() {
  }

  /** {@code bytes} cut into reads of random sizes, short and long. */
  public static String[] randomReads(String bytes, Random random) {
    List<String> reads = new ArrayList<>();
    for (int at = 0; at < bytes.length(); ) {
      int next = Math.min(bytes.length(), at + 1 + random.nextInt(random.nextBoolean() ? 8 : 300));
      reads.add(bytes.substring(at, next));
      at = next;
    }
    return reads.toArray(String[]::new);
  }

  /** Writes each non-empty read into {@code channel}, then returns every message it decoded and finishes it. */
  public static List<Object> readAll(EmbeddedChannel channel, String... reads) {
    for (String read : reads) {
      if (!read.isEmpty()) {
        channel.writeInbound(Unpooled.copiedBuffer(read, StandardCharsets.ISO_8859_1));
      }
    }
    List<Object> messages = new ArrayList<>();
    for (Object in; (in = channel.readInbound()) != null; ) {
      messages.add(in);
    }
    channel.finishAndReleaseAll();
    return messages;
  }

  /** Appends a body piece's data, and for the last piece its trailers and how the body ended. */
  public static void appendBody(StringBuilder out, Object message) {
    if (message instanceof HttpContent piece) {
      out.append(piece.content().toString(StandardCharsets.ISO_8859_1));
    }
    if (message instanceof LastHttpContent last) {
      out.append(" <end ").append(last.trailingHeaders().entries()).append(last.decoderResult().isSuccess() ? "" : " failed")
          .append(">\n");
    }
  }

  public static void release(List<Object> messages) {
    messages.forEach(ReferenceCountUtil::release);
    messages.clear();
  }
}
