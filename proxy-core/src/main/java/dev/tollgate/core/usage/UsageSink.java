package dev.tollgate.core.usage;

/**
 * Where usage events go: metrics today, the write-behind ledger and billing later. Called on an event
 * loop, so implementations must not block; they aggregate in memory and write behind.
 */
@FunctionalInterface
public interface UsageSink {

  void accept(UsageEvent event);

  /** Fans one event out to several sinks, in order. */
  static UsageSink of(UsageSink... sinks) {
    UsageSink[] copy = sinks.clone();
    return event -> {
      for (UsageSink sink : copy) {
        sink.accept(event);
      }
    };
  }
}
