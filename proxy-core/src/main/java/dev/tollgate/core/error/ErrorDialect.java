package dev.tollgate.core.error;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The error body shape a route's SDK understands: OpenAI's {@code {"error":{...}}} or Anthropic's
 * {@code {"type":"error","error":{...}}} (PROTOCOLS.md §4–5). Chosen by the route; before routing,
 * guessed from the path.
 */
public enum ErrorDialect {
  OPENAI {
    @Override
    public byte[] body(GatewayError error, String message, String requestId) {
      return ("{\"error\":{\"message\":\"" + escape(message) + "\",\"type\":\"" + error.openAiType()
          + "\",\"param\":null,\"code\":\"" + error.code() + "\"}}")
          .getBytes(StandardCharsets.UTF_8);
    }
  },
  ANTHROPIC {
    @Override
    public byte[] body(GatewayError error, String message, String requestId) {
      return ("{\"type\":\"error\",\"error\":{\"type\":\"" + error.anthropicType()
          + "\",\"message\":\"" + escape(message) + "\",\"code\":\"" + error.code()
          + "\"},\"request_id\":\"" + escape(requestId) + "\"}")
          .getBytes(StandardCharsets.UTF_8);
    }
  };

  /** The JSON body for {@code error}, with {@code message} replacing the catalogue's default. */
  public abstract byte[] body(GatewayError error, String message, String requestId);

  /** Best guess before the route stage has run: Anthropic paths get Anthropic's shape. */
  public static ErrorDialect forPath(String uri) {
    if (uri.startsWith("/anthropic/") || uri.startsWith("/v1/messages")) {
      return ANTHROPIC;
    }
    return OPENAI;
  }

  private static String escape(String text) {
    return new String(JsonStringEncoder.getInstance().quoteAsString(text));
  }
}
