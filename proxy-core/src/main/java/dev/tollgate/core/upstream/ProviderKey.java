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

  public ProviderKey(String value, Source source) {
    this.value = Objects.requireNonNull(value, "value");
    this.source = Objects.requireNonNull(source, "source");
  }

  /** The key itself, for the upstream request's auth header only. */
  public String reveal() {
    return value;
  }

  public Source source() {
    return source;
  }

  @Override
  public String toString() {
    return "ProviderKey[" + source + ", [redacted]]";
  }
}
