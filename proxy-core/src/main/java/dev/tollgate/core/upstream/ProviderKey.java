package dev.tollgate.core.upstream;

import java.util.Objects;

/**
 * The provider key injected into one upstream request, and where it came from: the tenant's project
 * secret or tenant secret from the vault, or the operator's default from config. Never printed.
 */
public final class ProviderKey {

  /** Where a provider key came from. */
  public enum Source { PROJECT_OR_TENANT_SECRET, OPERATOR_DEFAULT }

  private final String value;
  private final Source source;
  /** {@code "Bearer " + value}, made at the first use: a resolved key serves many requests. */
  private String bearer;

  public ProviderKey(String value, Source source) {
    this.value = Objects.requireNonNull(value, "value");
    this.source = Objects.requireNonNull(source, "source");
  }

  /** The key itself, for the upstream request's auth header only. */
  public String reveal() {
    return value;
  }

  /** The key as an {@code Authorization} header value: {@code Bearer <key>}. */
  public String revealAsBearer() {
    String made = bearer;
    if (made == null) {
      made = "Bearer " + value;
      bearer = made; // a race makes two equal strings, either of which is right
    }
    return made;
  }

  public Source source() {
    return source;
  }

  @Override
  public String toString() {
    return "ProviderKey[" + source + ", [redacted]]";
  }
}
