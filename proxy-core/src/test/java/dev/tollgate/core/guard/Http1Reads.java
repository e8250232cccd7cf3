package dev.tollgate.core.guard;

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
