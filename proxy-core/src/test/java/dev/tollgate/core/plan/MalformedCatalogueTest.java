package dev.tollgate.core.plan;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MalformedCatalogueTest {

  private static final String FILE = "config/plans/x.yaml";

  private final PlanCatalogueLoader loader = new PlanCatalogueLoader();

  @Test
  void rejectsAnUnknownKeyNamingFileAndKeyPath() {
    assertFails(catalogue("routes: []", plan("free", "includedUnits: 10\n    seats: 3")),
        FILE + ": plans[0].seats: unknown key");
  }

  @Test
  void rejectsAnUnknownTopLevelKey() {
    assertFails("catalogue: x\nunit: requests\ncurrency: EUR\nplnas: []\n", FILE + ": plnas: unknown key");
  }

  @Test
  void rejectsANegativeLimitNamingFileAndKeyPath() {
    String yaml = catalogue("routes: []", plan("free", "includedUnits: 10"), plan("starter", "includedUnits: 20"),
        plan("pro", "includedUnits: -5"));
    assertFails(yaml, FILE + ": plans[2].includedUnits: -5 (expected: >= 0)");
  }

  @Test
  void rejectsANegativeLimitInDefaults() {
    String yaml = catalogue("routes: []", plan("free", "includedUnits: 10")).replace("burst: 10", "burst: -1");
    assertFails(yaml, FILE + ": defaults.burst: -1 (expected: >= 1)");
  }

  @Test
  void rejectsAnUnknownPlanReference() {
    String yaml = catalogue("routes:\n  - {match: \"POST /ai/x\", allowedFrom: platinum}",
        plan("free", "includedUnits: 10"));
    assertFails(yaml, FILE + ": routes[0].allowedFrom: 'platinum' (expected: one of the plans [free])");
  }

  @Test
  void rejectsDuplicatePlanNames() {
    String yaml = catalogue("routes: []", plan("free", "includedUnits: 10"), plan("Free", "includedUnits: 10"));
    assertFails(yaml, FILE + ": plans[1].name: 'Free' (expected: a name not used by another plan)");
  }

  @Test
  void rejectsABadGlob() {
    String yaml = catalogue("routes:\n  - {match: \"POST /ai/a**b\"}", plan("free", "includedUnits: 10"));
    assertFails(yaml, FILE + ": routes[0].match: '/ai/a**b' (expected: '**' as a whole segment)");
    String models = catalogue("routes: []", plan("free", "includedUnits: 10\n    allowedModels: [\"gpt-[4]\"]"));
    assertFails(models, FILE + ": plans[0].allowedModels[0]: 'gpt-[4]'");
  }

  @Test
  void rejectsAPaidPlanWithoutOveragePriceUnlessHardCapped() {
    String yaml = catalogue("routes: []", plan("free", "includedUnits: 10\n    hardCap: false"));
    assertFails(yaml, FILE + ": plans[0].overagePricePer1000Cents: missing");
  }

  @Test
  void rejectsADuplicateYamlKey() {
    String yaml = catalogue("routes: []", plan("free", "includedUnits: 10\n    includedUnits: 20"));
    assertFails(yaml, FILE + ": invalid YAML");
  }

  private void assertFails(String yaml, String messagePrefix) {
    assertThatThrownBy(() -> loader.parse(FILE, yaml))
        .isInstanceOf(PlanConfigException.class)
        .hasMessageStartingWith(messagePrefix);
  }

  private static String catalogue(String routes, String... plans) {
    return """
        catalogue: x
        unit: requests
        currency: EUR
        %s
        defaults:
          hardCap: true
          metricsRetentionDays: 7
          requestsPerSecond: 5
          burst: 10
          requestsPerSecondPerKey: 5
          maxConcurrentRequests: 5
          maxConcurrentStreams: 1
        plans:
        %s""".formatted(routes, String.join("", plans));
  }

  private static String plan(String name, String extra) {
    return "  - name: " + name + "\n    priceCents: 0\n    " + extra + "\n";
  }
}
