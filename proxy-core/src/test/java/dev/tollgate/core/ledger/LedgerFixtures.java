package dev.tollgate.core.ledger;

import dev.tollgate.core.pricing.ModelPriceTable;
import dev.tollgate.core.usage.TokenUsage;
import dev.tollgate.core.usage.UsageEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Events and prices shared by the ledger tests. */
final class LedgerFixtures {

  static final ModelPriceTable PRICES = ModelPriceTable.parse("test-models", """
      providers:
        openai:
          inputAccounting: inclusive
          models:
            gpt-4o: {input: 2.50, cachedInput: 1.25, output: 10.00}
            gpt-4o-mini: {input: 0.15, output: 0.60}
        anthropic:
          inputAccounting: disjoint
          models:
            claude-sonnet-4: {input: 3.00, cacheWrite: 3.75, cachedInput: 0.30, output: 15.00}
      """);

  static final long DAY_1 = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();
  static final long DAY_2 = Instant.parse("2026-11-21T23:59:59Z").toEpochMilli();

  private static final String[] TENANTS = {"acme", "globex", "initech"};
  private static final String[][] ROUTES = {
      {"openai", "chat.completions", "gpt-4o"},
      {"openai", "chat.completions", "gpt-4o-mini"},
      {"openai", "embeddings", "gpt-4o-mini"},
      {"anthropic", "messages", "claude-sonnet-4"},
      {"anthropic", "messages", "claude-unknown-9"},
  };

  private LedgerFixtures() {
  }

  /** {@code count} mixed events from a fixed seed: three tenants, several routes, models, days, statuses. */
  static List<UsageEvent> mixedEvents(int count, long seed) {
    Random random = new Random(seed);
    List<UsageEvent> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String tenant = TENANTS[random.nextInt(TENANTS.length)];
      String[] route = ROUTES[random.nextInt(ROUTES.length)];
      int kind = random.nextInt(10);
      int status = kind == 0 ? 429 : kind == 1 ? 502 : 200;
      boolean answered = status == 200 || kind == 1 && random.nextBoolean();
      TokenUsage usage = answered
          ? new TokenUsage(random.nextInt(5_000), random.nextInt(2_000), random.nextInt(100), random.nextInt(50),
              random.nextInt(30), random.nextInt(10), random.nextInt(10))
          : TokenUsage.NONE;
      long billable = status == 200 ? 1 + random.nextInt(3) : 0;
      long overage = billable > 0 && random.nextInt(5) == 0 ? 1 : 0;
      events.add(event(seed + "-" + i, random.nextBoolean() ? DAY_1 : DAY_2, tenant, "proj-" + random.nextInt(2),
          "key-" + random.nextInt(3), route[0], route[1], route[2], status, usage, billable, overage));
    }
    return events;
  }

  static UsageEvent event(String requestId, long epochMillis, String tenant, String project, String key,
      String provider, String operation, String model, int status, TokenUsage usage, long billable, long overage) {
    return new UsageEvent(requestId, epochMillis, tenant, project, key, provider, operation, model, status, false,
        usage, billable, overage, 1_000_000, 300, 1_200);
  }

  /** What the ledger should hold for {@code events}, summed in the test's own way. */
  static UsageTotals expectedTotals(List<UsageEvent> events) {
    UsageTotals sum = UsageTotals.ZERO;
    for (UsageEvent e : events) {
      long cost = PRICES.cost(e.provider(), e.model(), e.usage());
      TokenUsage u = e.usage();
      sum = sum.plus(new UsageTotals(1, e.status() >= 400 ? 1 : 0, e.billableUnits(), e.overageUnits(),
          u.inputTokens(), u.outputTokens(), u.cachedInputTokens(), u.cacheCreationInputTokens(),
          u.reasoningTokens(), u.audioInputTokens(), u.audioOutputTokens(), Math.max(cost, 0), cost < 0 ? 1 : 0,
          e.requestBytes(), e.responseBytes()));
    }
    return sum;
  }

  /** Ledger settings for tests: periodic flushes never fire, so each test decides when to flush. */
  static final class LedgerConfigs {
    private LedgerConfigs() {
    }

    static LedgerConfig of(java.nio.file.Path dataDir) {
      return LedgerConfig.defaults(dataDir).withFlushIntervalMillis(3_600_000);
    }
  }
}
