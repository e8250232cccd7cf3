package dev.tollgate.core.ledger;

import static dev.tollgate.core.ledger.LedgerFixtures.DAY_1;
import static dev.tollgate.core.ledger.LedgerFixtures.DAY_2;
import static dev.tollgate.core.ledger.LedgerFixtures.PRICES;
import static dev.tollgate.core.ledger.LedgerFixtures.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.store.SqliteStateStore;
import dev.tollgate.core.usage.TokenUsage;
import dev.tollgate.core.usage.UsageEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageLedgerTest {

  private static final LocalDate NOV_20 = LocalDate.parse("2026-11-20");
  private static final LocalDate NOV_21 = LocalDate.parse("2026-11-21");

  @TempDir
  Path dataDir;

  private SqliteStateStore store;
  private UsageLedger ledger;

  @BeforeEach
  void recordUsage() {
    store = SqliteStateStore.open(dataDir);
    try (UsageAggregator aggregator = UsageAggregator.open(store, PRICES, LedgerFixtures.LedgerConfigs.of(dataDir))) {
      List<UsageEvent> events = List.of(
          event("r1", DAY_1, "acme", "web", "k1", "openai", "chat.completions", "gpt-4o", 200, TokenUsage.of(100, 10), 1, 0),
          event("r2", DAY_1, "acme", "web", "k2", "openai", "chat.completions", "gpt-4o-mini", 200, TokenUsage.of(200, 20), 1, 0),
          event("r3", DAY_2, "acme", "web", "k1", "openai", "embeddings", "gpt-4o-mini", 200, TokenUsage.of(300, 0), 2, 1),
          event("r4", DAY_2, "acme", "batch", "k3", "anthropic", "messages", "claude-sonnet-4", 200, TokenUsage.of(400, 40), 3, 0),
          event("r5", DAY_2, "acme", "batch", "k3", "anthropic", "messages", "claude-sonnet-4", 429, TokenUsage.NONE, 0, 0),
          event("r6", DAY_1, "globex", "web", "k9", "openai", "chat.completions", "gpt-4o", 200, TokenUsage.of(999, 99), 5, 0));
      events.forEach(aggregator::accept);
    }
    ledger = new UsageLedger(store);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void groupsByProjectAndDay() {
    List<UsageRow> rows = ledger.query("acme", NOV_20, NOV_21, EnumSet.of(UsageDimension.PROJECT, UsageDimension.DAY));

    assertThat(rows).extracting(UsageRow::projectId, UsageRow::day, r -> r.totals().requests(),
            r -> r.totals().billableUnits(), r -> r.totals().inputTokens(), r -> r.totals().errors())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("batch", NOV_21, 2L, 3L, 400L, 1L),
            org.assertj.core.groups.Tuple.tuple("web", NOV_20, 2L, 2L, 300L, 0L),
            org.assertj.core.groups.Tuple.tuple("web", NOV_21, 1L, 2L, 300L, 0L));
    assertThat(rows).allSatisfy(r -> {
      assertThat(r.tenantId()).isEqualTo("acme");
      assertThat(r.keyId()).isNull();
      assertThat(r.model()).isNull();
    });
  }

  @Test
  void groupsByRouteProviderAndModelAndPricesEachGroup() {
    List<UsageRow> rows = ledger.query("acme", NOV_20, NOV_21,
        EnumSet.of(UsageDimension.ROUTE, UsageDimension.PROVIDER, UsageDimension.MODEL));

    assertThat(rows).extracting(UsageRow::route, UsageRow::provider, UsageRow::model, r -> r.totals().costMicroUsd())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("chat.completions", "openai", "gpt-4o",
                PRICES.cost("openai", "gpt-4o", TokenUsage.of(100, 10))),
            org.assertj.core.groups.Tuple.tuple("chat.completions", "openai", "gpt-4o-mini",
                PRICES.cost("openai", "gpt-4o-mini", TokenUsage.of(200, 20))),
            org.assertj.core.groups.Tuple.tuple("embeddings", "openai", "gpt-4o-mini",
                PRICES.cost("openai", "gpt-4o-mini", TokenUsage.of(300, 0))),
            org.assertj.core.groups.Tuple.tuple("messages", "anthropic", "claude-sonnet-4",
                PRICES.cost("anthropic", "claude-sonnet-4", TokenUsage.of(400, 40))));
  }

  @Test
  void groupsByKeyWithinTheDayRangeOnly() {
    List<UsageRow> rows = ledger.query("acme", NOV_21, NOV_21, EnumSet.of(UsageDimension.KEY));

    assertThat(rows).extracting(UsageRow::keyId, r -> r.totals().requests()).containsExactly(
        org.assertj.core.groups.Tuple.tuple("k1", 1L),
        org.assertj.core.groups.Tuple.tuple("k3", 2L));
  }

  @Test
  void withoutGroupingReturnsOneRowOfTenantTotals() {
    List<UsageRow> rows = ledger.query("acme", NOV_20, NOV_21, Set.of());

    assertThat(rows).singleElement().satisfies(r -> {
      assertThat(r.totals().requests()).isEqualTo(5);
      assertThat(r.totals().billableUnits()).isEqualTo(7);
      assertThat(r.totals().overageUnits()).isEqualTo(1);
      assertThat(r.day()).isNull();
    });
  }

  @Test
  void returnsNoRowsForARangeWithoutUsageOrAnotherTenant() {
    assertThat(ledger.query("acme", NOV_21.plusDays(1), NOV_21.plusDays(30), Set.of())).isEmpty();
    assertThat(ledger.query("nobody", NOV_20, NOV_21, EnumSet.of(UsageDimension.DAY))).isEmpty();
  }

  @Test
  void rejectsARangeThatEndsBeforeItStarts() {
    assertThatThrownBy(() -> ledger.query("acme", NOV_21, NOV_20, Set.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fromDay: 2026-11-21 (expected: <= toDay 2026-11-20)");
  }

  @Test
  void quotesCsvFieldsPerRfc4180() {
    assertThat(UsageCsv.field("plain")).isEqualTo("plain");
    assertThat(UsageCsv.field("a,b")).isEqualTo("\"a,b\"");
    assertThat(UsageCsv.field("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    assertThat(UsageCsv.field("line\r\nbreak")).isEqualTo("\"line\r\nbreak\"");
    assertThat(UsageCsv.field("lf\n")).isEqualTo("\"lf\n\"");
    assertThat(UsageCsv.field("")).isEqualTo("");
    assertThat(UsageCsv.field(null)).isEqualTo("");
  }

  @Test
  void writesAHeaderAndOneCrlfTerminatedLinePerRow() throws IOException {
    UsageTotals totals = new UsageTotals(2, 1, 3, 0, 10, 20, 0, 0, 0, 0, 0, 1234, 1, 100, 200);
    List<UsageRow> rows = List.of(
        new UsageRow("acme", "web, \"main\"", null, null, null, "gpt-4o", NOV_20, totals));
    StringBuilder out = new StringBuilder();

    UsageCsv.write(out, EnumSet.of(UsageDimension.MODEL, UsageDimension.PROJECT, UsageDimension.DAY), rows);

    assertThat(out.toString()).isEqualTo(
        "tenant_id,project_id,model,day,requests,errors,billable_units,overage_units,input_tokens,output_tokens,"
            + "cached_input_tokens,cache_creation_input_tokens,reasoning_tokens,audio_input_tokens,"
            + "audio_output_tokens,cost_micro_usd,unpriced_requests,request_bytes,response_bytes\r\n"
            + "acme,\"web, \"\"main\"\"\",gpt-4o,2026-11-20,2,1,3,0,10,20,0,0,0,0,0,1234,1,100,200\r\n");
  }
}
