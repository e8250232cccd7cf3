package dev.tollgate.bench.jmh.route;

import java.nio.charset.StandardCharsets;

/**
 * Chat completion request bodies of a given size: a conversation of alternating turns, as a client that
 * sends its history does, with {@code "model":"gpt-4o-mini"} first and {@code "stream"} last as asked.
 */
public final class ChatBodies {

  /** What the turns' text holds. */
  public enum Text {
    /** Plain English: every byte ASCII. */
    ASCII("Summarise the following paragraph in two sentences, keeping names. Line two:\\n \\\"quoted\\\" "
        + "and a tab\\t. "),
    /** English as people type it: curly quotes and apostrophes, a dash, an accented name now and then. */
    TYPOGRAPHIC("Please tighten the second section \u2014 it\u2019s long \u2014 and flag any claim that isn\u2019t "
        + "backed by a number, like \u201ccustomers love it\u201d. Our partners in Montr\u00e9al asked too. "),
    /** Accents, CJK and emoji at almost every character: the densest text beyond ASCII. */
    UTF8("Caf\u00e9 cr\u00e8me \u2014 \u00ab d\u00e9j\u00e0 vu \u00bb, na\u00efve r\u00e9sum\u00e9; \u4f60\u597d\uff0c"
        + "\u4e16\u754c \uD83D\uDE00. Line two:\\n \\\"quoted\\\" and a tab\\t. ");

    private final String turn;

    Text(String turn) {
      this.turn = turn;
    }
  }

  private ChatBodies() {
  }

  /** A chat completion request whose messages add up to about {@code size} bytes of {@code text}. */
  public static byte[] conversation(int size, Text text, boolean stream) {
    StringBuilder json = new StringBuilder("{\"model\":\"gpt-4o-mini\",\"messages\":[");
    json.append("{\"role\":\"system\",\"content\":\"You are a careful assistant.\"}");
    boolean user = true;
    while (json.length() < size) {
      json.append(",{\"role\":\"").append(user ? "user" : "assistant").append("\",\"content\":\"");
      json.append(text.turn.repeat(8)).append("\"}");
      user = !user;
    }
    json.append("],\"temperature\":0.2,\"max_tokens\":512").append(stream ? ",\"stream\":true}" : "}");
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }
}
