package dev.tollgate.core.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random valid JSON bodies and event streams, written by Jackson, full of look-alikes (the words
 * {@code usage} and {@code model} in content, in other keys, as values, escaped quotes and backslashes
 * around them, keys that only start like ours), read in random pieces: the scanner must find exactly
 * the one usage object and the first {@code model} key with a string value, as a JSON tree would.
 */
class UsageScannerPropertyTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String[] KEYS = {
      "id", "object", "model", "usage", "unit", "mode", "u", "m", "usage_x", "models", "modelo", "us",
      "content", "text", "choices", "delta", "x\"usage", "usage\\", "\\u", "\"model\"", "type",
  };
  private static final String[] WORDS = {
      "usage", "model", "\"usage\":{\"prompt_tokens\":999}", "\"model\":\"fake\"", "\\", "\\\"", "\"",
      "\"u", "\"m", "u", "tok", " ", "\n", "caf\u00e9 \u2615", "\u0001", "{", "}", "[DONE]", "data: ",
  };

  @Test
  void findsTheOneUsageAndTheFirstModelInRandomBodiesReadInRandomPieces() throws Exception {
    Random random = new Random(20261123);
    for (int round = 0; round < 400; round++) {
      boolean sse = random.nextBoolean();
      StringBuilder body = new StringBuilder();
      String[] firstModel = {null};
      int prompt = random.nextInt(100_000);
      int completion = random.nextInt(100_000);
      int events = sse ? 1 + random.nextInt(5) : 1;
      for (int e = 0; e < events; e++) {
        ObjectNode event = randomObject(random, 0);
        if (e == events - 1) {
          ObjectNode usage = event.putObject("usage"); // the one real usage object, last of its event
          usage.put("prompt_tokens", prompt).put("completion_tokens", completion);
        }
        firstModel[0] = firstModel[0] != null ? firstModel[0] : firstModelIn(event);
        String json = JSON.writeValueAsString(event);
        body.append(sse ? "data: " + json + "\n\n" : json);
      }
      if (sse) {
        body.append("data: [DONE]\n\n");
      }
      byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);

      UsageScanner scanner = new UsageScanner(UsageDialect.OPENAI_CHAT, sse);
      int at = 0;
      while (at < bytes.length) {
        int piece = 1 + random.nextInt(random.nextBoolean() ? 12 : 400);
        int end = Math.min(bytes.length, at + piece);
        ByteBuf chunk = Unpooled.wrappedBuffer(bytes, at, end - at);
        try {
          scanner.scan(chunk);
        } finally {
          chunk.release();
        }
        at = end;
      }
      String shown = body.toString();
      assertThat(scanner.sawUsage()).as(shown).isTrue();
      assertThat(scanner.usage()).as(shown).isEqualTo(TokenUsage.of(prompt, completion));
      assertThat(scanner.model()).as(shown).isEqualTo(firstModel[0]);
    }
  }

  private static ObjectNode randomObject(Random random, int depth) {
    ObjectNode object = NODES.objectNode();
    int members = random.nextInt(depth == 0 ? 7 : 4);
    for (int k = 0; k < members; k++) {
      String key = KEYS[random.nextInt(KEYS.length)];
      if (key.equals("usage")) {
        object.set(key, random.nextBoolean() ? NODES.nullNode() : randomScalar(random)); // never an object
      } else {
        object.set(key, randomValue(random, depth + 1));
      }
    }
    return object;
  }

  private static JsonNode randomValue(Random random, int depth) {
    int kind = random.nextInt(depth > 3 ? 2 : 4);
    if (kind == 2) {
      return randomObject(random, depth);
    }
    if (kind == 3) {
      ArrayNode array = NODES.arrayNode();
      for (int k = random.nextInt(3); k > 0; k--) {
        array.add(randomValue(random, depth + 1));
      }
      return array;
    }
    return randomScalar(random);
  }

  private static JsonNode randomScalar(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> NODES.numberNode(random.nextInt(1000));
      case 1 -> NODES.booleanNode(random.nextBoolean());
      default -> {
        StringBuilder text = new StringBuilder();
        for (int k = random.nextInt(4); k > 0; k--) {
          text.append(WORDS[random.nextInt(WORDS.length)]);
        }
        yield NODES.textNode(text.toString());
      }
    };
  }

  /** The value of the first "model" member (in document order) whose value is a string, or null. */
  private static String firstModelIn(JsonNode node) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> members = node.fields();
      while (members.hasNext()) {
        Map.Entry<String, JsonNode> member = members.next();
        if (member.getKey().equals("model") && member.getValue().isTextual()) {
          return member.getValue().textValue();
        }
        String inside = firstModelIn(member.getValue());
        if (inside != null) {
          return inside;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        String inside = firstModelIn(element);
        if (inside != null) {
          return inside;
        }
      }
    }
    return null;
  }
}
