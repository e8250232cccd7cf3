package dev.tollgate.core.config;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The current configuration snapshot. Reload validates a whole new tree first and then swaps it in
 * here; handlers read {@link #current()} once per request and keep that snapshot.
 */
public final class ConfigHolder {

  private final AtomicReference<GatewayConfig> current;

  public ConfigHolder(GatewayConfig initial) {
    this.current = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
  }

  public GatewayConfig current() {
    return current.get();
  }

  public void swap(GatewayConfig next) {
    current.set(Objects.requireNonNull(next, "next"));
  }
}
