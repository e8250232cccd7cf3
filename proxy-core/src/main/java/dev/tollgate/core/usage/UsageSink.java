package dev.tollgate.core.usage;

/**
 * Where usage events go: metrics today, the write-behind ledger and billing later. Called on an event
 * loop, so implementations must not block; they aggregate in memory and write behind.
 */
@FunctionalInterface
public interface UsageSink {

  java.util.concurrent.CompletableFuture<Void> DONE = java.util.concurrent.CompletableFuture.completedFuture(null);

  void accept(UsageEvent event);

  /**
   * Records {@code event} and completes once it would survive a crash (the ledger's journal has it on
   * disk). The relay waits for this before sending a response's last byte, so an answered request is
   * never lost. Sinks without durability complete at once. Non-blocking.
   */
  default java.util.concurrent.CompletableFuture<Void> recordDurably(UsageEvent event) {
    accept(event);
    return DONE;
  }

  /** Fans one event out to several sinks, in order; durable once every sink says so. */
  static UsageSink of(UsageSink... sinks) {
    UsageSink[] copy = sinks.clone();
    return new UsageSink() {
      @Override
      public void accept(UsageEvent event) {
        for (UsageSink sink : copy) {
          sink.accept(event);
        }
      }

      @Override
      public java.util.concurrent.CompletableFuture<Void> recordDurably(UsageEvent event) {
        java.util.concurrent.CompletableFuture<Void> all = DONE;
        for (UsageSink sink : copy) {
          java.util.concurrent.CompletableFuture<Void> one = sink.recordDurably(event);
          if (!one.isDone() || one.isCompletedExceptionally()) {
            all = all == DONE ? one : java.util.concurrent.CompletableFuture.allOf(all, one);
          }
        }
        return all;
      }
    };
  }
}
