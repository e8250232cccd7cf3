package dev.tollgate.server.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.server.testing.TestGateway;

/**
 * Reads the gateway's Prometheus text as a user's dashboard would. Usage and gauges are recorded when
 * a response's last byte is written, which can be just after the client has read it, so the waits
 * poll briefly instead of reading once.
 */
final class GatewayMeters {

  private static final long WAIT_MILLIS = 3000;

  private GatewayMeters() {
  }

  /** Tokens of {@code kind} metered for {@code provider}/{@code model}, waiting until they reach {@code expected}. */
  static double awaitTokens(TestGateway gateway, String provider, String model, String kind, double expected)
      throws InterruptedException {
    String labels = "kind=\"" + kind + "\",model=\"" + model + "\",provider=\"" + provider + "\"";
    return await(gateway, "tollgate_tokens_total", labels, expected);
  }

  /** Tokens of {@code kind} metered for {@code provider}/{@code model} right now (0 if none). */
  static double tokens(TestGateway gateway, String provider, String model, String kind) {
    String labels = "kind=\"" + kind + "\",model=\"" + model + "\",provider=\"" + provider + "\"";
    return value(gateway.server().metrics().scrape(), "tollgate_tokens_total", labels);
  }

  /** Asserts that no stream is open and no request in flight once the last responses have ended. */
  static void assertNothingInFlight(TestGateway gateway) throws InterruptedException {
    assertThat(await(gateway, "tollgate_open_streams", "", 0)).as("tollgate_open_streams").isZero();
    assertThat(await(gateway, "tollgate_in_flight_requests", "", 0)).as("tollgate_in_flight_requests").isZero();
  }

  /** Polls until the sample equals {@code expected} or the wait ends; returns the last value seen. */
  private static double await(TestGateway gateway, String name, String labels, double expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
    double seen = value(gateway.server().metrics().scrape(), name, labels);
    while (seen != expected && System.nanoTime() < deadline) {
      Thread.sleep(20);
      seen = value(gateway.server().metrics().scrape(), name, labels);
    }
    return seen;
  }

  /** The value of sample {@code name{labels}} (labels in Prometheus' sorted order), or 0 if absent. */
  static double value(String scrape, String name, String labels) {
    String prefix = labels.isEmpty() ? name + " " : name + "{" + labels;
    for (String line : scrape.split("\n")) {
      if (line.startsWith(prefix)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }
}
