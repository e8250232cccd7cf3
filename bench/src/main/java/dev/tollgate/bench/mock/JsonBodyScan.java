package dev.tollgate.bench.mock;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Cheap byte scans of a request body for the few fields the mock reacts to ({@code "stream":true},
 * {@code "include_usage":true}, {@code "model":"..."}), without parsing JSON. Stateless.
 */
final class JsonBodyScan {

  private static final int MAX_MODEL_CHARS = 64;

  private JsonBodyScan() {}

  /** True when the body holds {@code "<field>"} followed by {@code : true} (whitespace allowed). */
  static boolean isTrue(ByteBuf body, String field) {
    int at = valueIndex(body, field);
    if (at < 0 || at + 4 > body.writerIndex()) {
      return false;
    }
    return body.getByte(at) == 't' && body.getByte(at + 1) == 'r' && body.getByte(at + 2) == 'u'
        && body.getByte(at + 3) == 'e';
  }

  /** The string value of {@code field}, only letters, digits and {@code -._:/} kept; the fallback if absent. */
  static String string(ByteBuf body, String field, String fallback) {
    int at = valueIndex(body, field);
    if (at < 0 || body.getByte(at) != '"') {
      return fallback;
    }
    StringBuilder value = new StringBuilder();
    for (int i = at + 1; i < body.writerIndex() && value.length() < MAX_MODEL_CHARS; i++) {
      char c = (char) body.getByte(i);
      if (c == '"') {
        break;
      }
      if (Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_' || c == ':' || c == '/') {
        value.append(c);
      }
    }
    return value.length() == 0 ? fallback : value.toString();
  }

  private static int valueIndex(ByteBuf body, String field) {
    byte[] needle = ('"' + field + '"').getBytes(StandardCharsets.US_ASCII);
    int end = body.writerIndex() - needle.length;
    outer:
    for (int i = body.readerIndex(); i <= end; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (body.getByte(i + j) != needle[j]) {
          continue outer;
        }
      }
      int at = skipBlanks(body, i + needle.length);
      if (at < body.writerIndex() && body.getByte(at) == ':') {
        return skipBlanks(body, at + 1);
      }
    }
    return -1;
  }

  private static int skipBlanks(ByteBuf body, int from) {
    int i = from;
    while (i < body.writerIndex() && Character.isWhitespace(body.getByte(i))) {
      i++;
    }
    return i;
  }
}
