package dev.tollgate.server.realtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Shared set-up of the realtime tests: a plan catalogue with the limits they exercise. */
final class RealtimeFixtures {

  static final String TURN_SECRET = "north-secret-123";

  private RealtimeFixtures() {
  }

  /**
   * Plans: {@code rt} (generous, TURN on), {@code tiny} (2 requests a month, hard cap), {@code single}
   * (one request or session at a time), {@code noturn} (TURN off), {@code budget} (5000 tokens a month: one session admitted, 2000 more tokens are too many).
   */
  static Path catalogue() throws IOException {
    String yaml = """
        catalogue: realtime-test
        unit: requests
        currency: EUR
        defaultRouteWeight: 1
        routes: []
        defaults:
          hardCap: true
          maxProjects: unlimited
          metricsRetentionDays: 7
          alertThresholdsPercent: [50, 80, 100]
          features: {webhooks: false, csvExport: false, budgets: true, slackAlerts: false, turn: true}
          requestsPerSecond: 100000
          burst: 100000
          requestsPerSecondPerKey: 100000
          maxConcurrentRequests: 1000
          maxConcurrentStreams: 1000
          monthlyTokenBudget: unlimited
          monthlyCostBudgetUsd: unlimited
          allowedModels: ["*/**"]
          maxSubjects: unlimited
          subjectHeader: X-Tollgate-Subject
          subjectCooldownSeconds: 0
        plans:
          - name: tiny
            priceCents: 0
            includedUnits: 2
          - name: rt
            priceCents: 100
            includedUnits: 1000000000
          - name: single
            priceCents: 200
            includedUnits: 1000000000
            maxConcurrentRequests: 1
            maxConcurrentStreams: 1
          - name: noturn
            priceCents: 300
            includedUnits: 1000000000
            features: {turn: false}
          - name: budget
            priceCents: 400
            includedUnits: 1000000000
            monthlyTokenBudget: 5000
        """;
    Path file = Files.createTempFile("realtime-plans", ".yaml");
    Files.writeString(file, yaml);
    file.toFile().deleteOnExit();
    return file;
  }

  /** The YAML overlay: provider at {@code baseUrl}, the test catalogue, TURN in rest-secret mode. */
  static String overlay(String baseUrl, Path catalogue, String extra) {
    return "providers:\n  openai:\n    baseUrl: " + baseUrl + "\n"
        + "plans:\n  catalogueFile: " + catalogue + "\n"
        + "turn:\n  uris: [\"stun:127.0.0.1:3478\", \"turn:127.0.0.1:3478?transport=udp\"]\n"
        + "  secrets:\n    - {id: s1, secret: " + TURN_SECRET + "}\n"
        + extra;
  }
}
