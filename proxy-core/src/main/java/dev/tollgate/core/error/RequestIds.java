package dev.tollgate.core.error;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** Request ids: {@code req_} and 20 hex digits, random, cheap to make on an event loop. */
public final class RequestIds {

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private RequestIds() {
  }

  public static String next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = random.nextLong();
    int low = random.nextInt();
    byte[] out = new byte[24]; // Latin-1 bytes: the String keeps this size (a char[] is twice it)
    out[0] = 'r';
    out[1] = 'e';
    out[2] = 'q';
    out[3] = '_';
    for (int i = 0; i < 16; i++) {
      out[4 + i] = HEX[(int) (high >>> (60 - 4 * i)) & 0xf];
    }
    for (int i = 0; i < 4; i++) {
      out[20 + i] = HEX[(low >>> (12 - 4 * i)) & 0xf];
    }
    return new String(out, StandardCharsets.ISO_8859_1);
  }
}
