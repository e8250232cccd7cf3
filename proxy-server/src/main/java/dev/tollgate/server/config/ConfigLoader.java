package dev.tollgate.server.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.core.config.GatewayConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code gateway.yaml}: the shipped defaults (config/gateway.yaml, on the classpath) with the
 * operator's file laid over them, {@code ${VAR}} and {@code ${VAR:-default}} substituted from the
 * environment, then bound strictly to {@link GatewayConfig}. Unknown keys and invalid values fail
 * with the file path and the key; values are never echoed for keys that may hold secrets.
 */
public final class ConfigLoader {

  static final String DEFAULTS_RESOURCE = "/tollgate/gateway.yaml";
  private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
  private final Function<String, String> env;

  public ConfigLoader(Function<String, String> env) {
    this.env = env;
  }

  public ConfigLoader() {
    this(System::getenv);
  }

  /** Loads {@code file} over the defaults; a null file means the defaults alone. */
  public GatewayConfig load(Path file) throws ConfigException {
    String source = file == null ? "config/gateway.yaml (built-in)" : file.toString();
    JsonNode tree = defaults();
    if (file != null) {
      JsonNode overlay;
      try {
        overlay = yaml.readTree(Files.readString(file));
      } catch (IOException e) {
        throw new ConfigException(source + ": cannot read: " + e.getMessage(), e);
      }
      if (overlay == null || overlay.isMissingNode() || overlay.isNull()) {
        // an empty file is refused: it is more likely a half-written file than a wish for every default
        throw new ConfigException(source + ": the file is empty (expected: a YAML mapping)");
      }
      if (!overlay.isObject()) {
        throw new ConfigException(source + ": expected a YAML mapping at the top level");
      }
      merge((ObjectNode) tree, (ObjectNode) overlay);
    }
    substitute(tree, "", source);
    try {
      return yaml.treeToValue(tree, GatewayConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(source + ": " + path(e) + ": unknown key");
    } catch (JsonMappingException e) {
      Throwable cause = rootCause(e);
      String reason = cause instanceof IllegalArgumentException || cause instanceof NullPointerException
          ? cause.getMessage() : e.getOriginalMessage();
      throw new ConfigException(source + ": " + path(e) + ": " + firstLine(reason));
    } catch (IOException e) {
      throw new ConfigException(source + ": " + e.getMessage(), e);
    }
  }

  private JsonNode defaults() throws ConfigException {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new ConfigException("built-in defaults " + DEFAULTS_RESOURCE + " are missing from the classpath");
      }
      return yaml.readTree(in);
    } catch (IOException e) {
      throw new ConfigException("cannot read built-in defaults", e);
    }
  }

  private static void merge(ObjectNode base, ObjectNode overlay) {
    Iterator<Map.Entry<String, JsonNode>> fields = overlay.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode existing = base.get(field.getKey());
      if (existing instanceof ObjectNode baseChild && field.getValue() instanceof ObjectNode overlayChild) {
        merge(baseChild, overlayChild);
      } else {
        base.set(field.getKey(), field.getValue());
      }
    }
  }

  private void substitute(JsonNode node, String path, String source) throws ConfigException {
    if (node instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        String childPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
        JsonNode value = field.getValue();
        if (value.isTextual()) {
          field.setValue(new TextNode(expand(value.asText(), childPath, source)));
        } else {
          substitute(value, childPath, source);
        }
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        JsonNode value = array.get(i);
        if (value.isTextual()) {
          array.set(i, new TextNode(expand(value.asText(), path + "[" + i + "]", source)));
        } else {
          substitute(value, path + "[" + i + "]", source);
        }
      }
    }
  }

  private String expand(String text, String path, String source) throws ConfigException {
    if (text.indexOf("${") < 0) {
      return text;
    }
    Matcher m = ENV.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.apply(m.group(1));
      if (value == null) {
        if (m.group(2) == null) {
          throw new ConfigException(source + ": " + path + ": environment variable " + m.group(1) + " is not set");
        }
        value = m.group(3);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String path(JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (out.length() > 0) {
          out.append('.');
        }
        out.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.length() == 0 ? "(top level)" : out.toString();
  }

  private static Throwable rootCause(Throwable t) {
    Throwable cause = t;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "invalid value";
    }
    int nl = text.indexOf('\n');
    return nl < 0 ? text : text.substring(0, nl);
  }
}
