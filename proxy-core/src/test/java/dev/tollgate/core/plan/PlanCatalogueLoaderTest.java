package dev.tollgate.core.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanCatalogueLoaderTest {

  static final Path CONFIG = locateConfig();

  private final PlanCatalogueLoader loader = new PlanCatalogueLoader();

  @Test
  void loadsTheEdgeGatewayGridAsWritten() {
    PlanCatalogue catalogue = loader.load(CONFIG.resolve("plans/edge-gateway.yaml"));

    assertThat(catalogue.unit()).isEqualTo("requests");
    assertThat(catalogue.currency()).isEqualTo("EUR");
    assertThat(catalogue.plans()).extracting(Plan::name)
        .containsExactly("free", "starter", "growth", "pro", "agency", "enterprise");
    assertThat(catalogue.plans()).extracting(Plan::priceCents)
        .containsExactly(0L, 900L, 1900L, 3900L, 9900L, null);
    assertThat(catalogue.plans()).extracting(Plan::includedUnits)
        .containsExactly(10_000L, 90_000L, 190_000L, 390_000L, 990_000L, 5_000_000L);
    assertThat(catalogue.plans()).extracting(Plan::overagePricePer1000Cents)
        .containsExactly(null, 15L, 13L, 12L, 10L, 8L);
    assertThat(catalogue.plans()).extracting(Plan::maxProjects)
        .containsExactly(1, 3, 10, null, null, null);
    assertThat(catalogue.plans()).extracting(Plan::metricsRetentionDays)
        .containsExactly(7, 30, 90, 180, 365, 365);

    Plan free = catalogue.plan("free").orElseThrow();
    assertThat(free.hardCap()).isTrue();
    assertThat(free.overageAllowed(true)).isFalse();
    Plan starter = catalogue.plan("starter").orElseThrow();
    assertThat(starter.alertThresholdsPercent()).containsExactly(50, 80, 100);
    assertThat(starter.overageAllowed(false)).isFalse();
    assertThat(starter.overageAllowed(true)).isTrue();
    assertThat(starter.features()).isEqualTo(Features.NONE);
    Plan growth = catalogue.plan("growth").orElseThrow();
    assertThat(growth.features().webhooks()).isTrue();
    assertThat(growth.features().csvExport()).isTrue();
    assertThat(growth.features().budgets()).isTrue();
    assertThat(growth.features().slackAlerts()).isFalse();
    assertThat(catalogue.plan("pro").orElseThrow().features().slackAlerts()).isTrue();
    assertThat(catalogue.plan("enterprise").orElseThrow().custom()).isTrue();
    assertThat(free.routeWeight("POST", "/v1/chat/completions")).isEqualTo(1);
    assertThat(free.allowsModel("openai", "gpt-4o-mini")).isTrue();
    assertThat(free.allowsModel("mistral", "large")).isFalse();
  }

  @Test
  void loadsTheAnalysisQuotaGridAsWritten() {
    PlanCatalogue catalogue = loader.load(CONFIG.resolve("plans/analysis-quota.yaml"));

    assertThat(catalogue.unit()).isEqualTo("analyses");
    assertThat(catalogue.plans()).extracting(Plan::name)
        .containsExactly("starter", "essentials", "pro", "business", "enterprise");
    assertThat(catalogue.plans()).extracting(Plan::priceCents)
        .containsExactly(6900L, 14900L, 26900L, 54900L, null);
    assertThat(catalogue.plans()).extracting(Plan::includedUnits)
        .containsExactly(150L, 300L, 1500L, 5000L, 15_000L);
    assertThat(catalogue.plans()).extracting(Plan::maxSubjects)
        .containsExactly(25, 75, 150, 500, null);
    assertThat(catalogue.plans()).allSatisfy(plan -> {
      assertThat(plan.hardCap()).isTrue();
      assertThat(plan.subjectHeader()).isEqualTo("X-Tollgate-Subject");
      assertThat(plan.subjectCooldownSeconds()).isPositive();
      assertThat(plan.alertThresholdsPercent()).containsExactly(80, 100);
    });
  }

  @Test
  void weighsAndCachesAnalysisRoutesAndIgnoresOthers() {
    Plan starter = loader.load(CONFIG.resolve("plans/analysis-quota.yaml")).plan("starter").orElseThrow();

    RouteAccess analyze = starter.allowsRoute("POST", "/ai/analyze/vibration");
    assertThat(analyze.allowed()).isTrue();
    assertThat(analyze.weight()).isEqualTo(1);
    assertThat(analyze.cacheTtlSeconds()).isEqualTo(1800);
    assertThat(starter.allowsRoute("POST", "/ai/analyze/motor/bearing").weight()).isEqualTo(1);
    assertThat(starter.allowsRoute("GET", "/ai/recommendations").weight()).isEqualTo(1);
    assertThat(starter.allowsRoute("POST", "/ai/reports/pdf").weight()).isEqualTo(2);
    RouteAccess other = starter.allowsRoute("GET", "/machines");
    assertThat(other.allowed()).isTrue();
    assertThat(other.weight()).isZero();
    assertThat(other.cacheTtlSeconds()).isZero();
    assertThat(starter.allowsRoute("GET", "/ai/analyze/x").weight()).isZero();
  }

  @Test
  void refusesPremiumRoutesBelowProAndNamesTheCheapestPlanAllowingThem() {
    PlanCatalogue catalogue = loader.load(CONFIG.resolve("plans/analysis-quota.yaml"));
    Plan essentials = catalogue.plan("essentials").orElseThrow();

    for (String path : List.of("/ai/analyze/degradation", "/ai/analyze/intermittent", "/ai/correlate",
        "/ai/predictive/maintenance")) {
      RouteAccess access = essentials.allowsRoute("POST", path);
      assertThat(access.allowed()).as(path).isFalse();
      assertThat(access.requiredPlan()).as(path).isEqualTo("pro");
      assertThat(catalogue.plan("pro").orElseThrow().allowsRoute("POST", path).allowed()).isTrue();
      assertThat(catalogue.plan("enterprise").orElseThrow().allowsRoute("POST", path).allowed()).isTrue();
    }
  }

  @Test
  void proposesTheNextPlanAboveForAnUpgrade() {
    PlanCatalogue catalogue = loader.load(CONFIG.resolve("plans/analysis-quota.yaml"));

    assertThat(catalogue.nextPlanAbove(catalogue.plan("starter").orElseThrow()))
        .map(Plan::name).contains("essentials");
    assertThat(catalogue.nextPlanAbove(catalogue.plan("enterprise").orElseThrow())).isEmpty();
    assertThat(catalogue.cheapestPlanIncluding(catalogue.plan("starter").orElseThrow(), 1000))
        .map(Plan::name).contains("pro");
  }

  @Test
  void appliesPerTenantOverridesToCustomPlansOnly() {
    PlanCatalogue catalogue = loader.load(CONFIG.resolve("plans/edge-gateway.yaml"));
    Plan enterprise = catalogue.plan("enterprise").orElseThrow();

    Plan contract = enterprise.withOverrides(Map.of("includedUnits", 20_000_000, "priceCents", 250_000,
        "features", Map.of("turn", false)));

    assertThat(contract.includedUnits()).isEqualTo(20_000_000);
    assertThat(contract.priceCents()).isEqualTo(250_000);
    assertThat(contract.features().turn()).isFalse();
    assertThat(contract.features().webhooks()).isTrue();
    assertThatThrownBy(() -> enterprise.withOverrides(Map.of("includedUnits", -5)))
        .isInstanceOf(PlanConfigException.class)
        .hasMessage("overrides for plan enterprise: includedUnits: -5 (expected: >= 0)");
    assertThatThrownBy(() -> enterprise.withOverrides(Map.of("seats", 5)))
        .hasMessageContaining("seats: unknown key");
    assertThatThrownBy(() -> catalogue.plan("pro").orElseThrow().withOverrides(Map.of("includedUnits", 1)))
        .hasMessageContaining("plan is not custom");
  }

  @Test
  void matchesGlobsBySegment() {
    assertThat(Glob.matches("/ai/*", "/ai/x")).isTrue();
    assertThat(Glob.matches("/ai/*", "/ai/x/y")).isFalse();
    assertThat(Glob.matches("/ai/**", "/ai/x/y")).isTrue();
    assertThat(Glob.matches("/ai/**", "/ai")).isTrue();
    assertThat(Glob.matches("/ai/**", "/aix")).isFalse();
    assertThat(Glob.matches("openai/gpt-4o*", "openai/gpt-4o-mini")).isTrue();
    assertThat(Glob.matches("/a?c", "/abc")).isTrue();
    assertThat(Glob.matches("/a?c", "/a/c")).isFalse();
  }

  private static Path locateConfig() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("config/plans"))) {
        return dir.resolve("config");
      }
    }
    throw new IllegalStateException("config/ not found above " + Path.of("").toAbsolutePath());
  }
}
