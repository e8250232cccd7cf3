package dev.tollgate.core.route;

/**
 * What a data-plane request does at the provider, derived from its path after {@code /v1}. Decides
 * how the usage tap reads the response and how the request is metered.
 */
public enum Operation {
  CHAT_COMPLETIONS("chat.completions"),
  RESPONSES("responses"),
  EMBEDDINGS("embeddings"),
  MESSAGES("messages"),
  COUNT_TOKENS("messages.count_tokens"),
  COMPLETIONS("completions"),
  MODELS("models"),
  REALTIME("realtime"),
  /** {@code POST /session}: a realtime session minted by the gateway (provider ephemeral secret). */
  REALTIME_SESSION("realtime.session"),
  /** {@code POST /turn-credentials}: TURN relay credentials, answered by the gateway. */
  TURN_CREDENTIALS("turn.credentials"),
  /** {@code POST /telemetry/ice}: the client's ICE outcome, recorded by the gateway. */
  ICE_TELEMETRY("telemetry.ice"),
  /** {@code GET /playground}: the static realtime reference page, served without auth. */
  PLAYGROUND("playground"),
  OTHER("other");

  private final String id;

  Operation(String id) {
    this.id = id;
  }

  /** The stable name used in metrics labels and the usage ledger. */
  public String id() {
    return id;
  }

  /** True for operations the gateway answers itself (no provider request path is proxied). */
  public boolean local() {
    return this == REALTIME_SESSION || this == TURN_CREDENTIALS || this == ICE_TELEMETRY || this == PLAYGROUND;
  }

  /** Classifies a provider-relative path such as {@code /v1/chat/completions}. */
  static Operation of(String v1Path) {
    if (v1Path.startsWith("/v1/chat/completions")) {
      return CHAT_COMPLETIONS;
    }
    if (v1Path.startsWith("/v1/messages/count_tokens")) {
      return COUNT_TOKENS;
    }
    if (v1Path.startsWith("/v1/messages")) {
      return MESSAGES;
    }
    if (v1Path.startsWith("/v1/responses")) {
      return RESPONSES;
    }
    if (v1Path.startsWith("/v1/embeddings")) {
      return EMBEDDINGS;
    }
    if (v1Path.startsWith("/v1/completions")) {
      return COMPLETIONS;
    }
    if (v1Path.startsWith("/v1/models")) {
      return MODELS;
    }
    if (v1Path.startsWith("/v1/realtime")) {
      return REALTIME;
    }
    return OTHER;
  }
}
