package dev.tollgate.core.route;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.core.context.RequestContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;

/**
 * Reads the few top-level fields of a JSON request body that routing, metering and admission need —
 * {@code model}, {@code stream}, {@code stream_options.include_usage} and the output token limit —
 * with a streaming parser that skips everything else and never copies the body. Runs on the event loop.
 */
final class RequestBodyInspector {

  private static final JsonFactory JSON = new JsonFactory();

  private RequestBodyInspector() {
  }

  /**
   * Fills {@code request} from {@code body} (left untouched: indexes and refCnt unchanged).
   *
   * @throws IOException when the body is not a JSON object
   */
  static void inspect(ByteBuf body, RequestContext request) throws IOException {
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

  private static JsonParser open(ByteBuf body) throws IOException {
    if (body.hasArray()) {
      return JSON.createParser(body.array(), body.arrayOffset() + body.readerIndex(), body.readableBytes());
    }
    // the stream reads through a duplicate of the indexes, so the caller's buffer is left as it was
    return JSON.createParser((java.io.InputStream) new ByteBufInputStream(body.duplicate(), false));
  }
}
