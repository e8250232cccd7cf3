package dev.tollgate.core.route;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.core.context.RequestContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;

/**
 * Reads the few top-level fields of a JSON request body that routing, metering and admission need —
 * {@code model}, {@code stream}, {@code stream_options.include_usage} and the output token limit —
 * skipping everything else. A body in plain JSON is read by {@link PlainJsonBody} without allocating;
 * any other is read by a streaming Jackson parser, which has the last word on what is valid. Runs on
 * the event loop. Public for the bench's {@code RequestBodyBenchmark}; the route stage is its caller.
 */
public final class RequestBodyInspector {

  private static final JsonFactory JSON = new JsonFactory();
  /** Largest direct body copied for {@link PlainJsonBody}; a larger one is streamed to Jackson. */
  private static final int MAX_COPIED_BYTES = 256 * 1024;
  /** Per event-loop thread: a direct body is read from a copy in this array, grown up to MAX_COPIED_BYTES. */
  private static final FastThreadLocal<byte[]> COPY = new FastThreadLocal<>() {
    @Override
    protected byte[] initialValue() {
      return new byte[8 * 1024];
    }
  };

  private RequestBodyInspector() {
  }

  /**
   * Fills {@code request} from {@code body} (left untouched: indexes and refCnt unchanged).
   *
   * @throws IOException when the body is not a JSON object
   */
  public static void inspect(ByteBuf body, RequestContext request) throws IOException {
    if (!readPlain(body, request)) {
      inspectWithJackson(body, request);
    }
  }

  /** Reads {@code body} with Jackson alone (the plain path's reference, also in tests). */
  static void inspectWithJackson(ByteBuf body, RequestContext request) throws IOException {
    try (JsonParser parser = open(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("request body is not a JSON object");
      }
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "model" -> {
            if (value == JsonToken.VALUE_STRING) {
              request.requestModel(parser.getText());
            }
          }
          case "stream" -> request.stream(value == JsonToken.VALUE_TRUE);
          case "stream_options" -> readStreamOptions(parser, value, request);
          case "max_tokens", "max_completion_tokens", "max_output_tokens" -> {
            if (value == JsonToken.VALUE_NUMBER_INT) {
              request.maxOutputTokens(parser.getLongValue());
            }
          }
          default -> parser.skipChildren();
        }
      }
      if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
        throw new IOException("trailing content after the JSON object");
      }
    }
  }

  private static void readStreamOptions(JsonParser parser, JsonToken value, RequestContext request)
      throws IOException {
    if (value != JsonToken.START_OBJECT) {
      parser.skipChildren();
      return;
    }
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken v = parser.nextToken();
      if (field.equals("include_usage")) {
        request.clientIncludeUsage(v == JsonToken.VALUE_TRUE);
      } else {
        parser.skipChildren();
      }
    }
  }

  private static boolean readPlain(ByteBuf body, RequestContext request) {
    int length = body.readableBytes();
    if (body.hasArray()) {
      int from = body.arrayOffset() + body.readerIndex();
      return PlainJsonBody.read(body.array(), from, from + length, request);
    }
    if (length > MAX_COPIED_BYTES) {
      return false;
    }
    byte[] copy = COPY.get();
    if (copy.length < length) {
      copy = new byte[Math.min(MAX_COPIED_BYTES, Math.max(length, copy.length * 2))];
      COPY.set(copy);
    }
    body.getBytes(body.readerIndex(), copy, 0, length);
    return PlainJsonBody.read(copy, 0, length, request);
  }

  private static JsonParser open(ByteBuf body) throws IOException {
    if (body.hasArray()) {
      return JSON.createParser(body.array(), body.arrayOffset() + body.readerIndex(), body.readableBytes());
    }
    // the stream reads through a duplicate of the indexes, so the caller's buffer is left as it was
    return JSON.createParser((java.io.InputStream) new ByteBufInputStream(body.duplicate(), false));
  }
}
