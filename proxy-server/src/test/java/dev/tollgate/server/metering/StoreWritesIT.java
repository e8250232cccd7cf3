package dev.tollgate.server.metering;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.server.testing.TestGateway;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hot path does no store write per request: at steady state, a few thousand billable requests of
 * two tenants cost at most 0.05 store writes each, as counted by the store itself (ledger rows and
 * checkpoints, quota leases, everything).
 */
class StoreWritesIT {

  private static final int WARM_UP = 100;
  private static final int REQUESTS = 3_000;
  private static final int CONNECTIONS = 6;

  @TempDir
  Path dir;
  WireMockServer upstream;
  LedgerGateway gateway;

  @BeforeEach
  void start() throws Exception {
    upstream = new WireMockServer(options().dynamicPort().containerThreads(30));
    upstream.start();
    ProviderStubs.install(upstream);
    gateway = LedgerGateway.start(dir, upstream.baseUrl(), TestGateway.testCatalogue(), null);
  }

  @AfterEach
  void stop() {
    gateway.close();
    upstream.stop();
  }

  @Test
  void steadyStateCostsAtMostOneStoreWritePerTwentyRequests() throws Exception {
    gateway.createTenant("north", "free");
    gateway.createTenant("south", "free");
    String[] keys = {gateway.createKey("north")[1], gateway.createKey("south")[1]};
    send(keys, WARM_UP);
    gateway.server().aggregator().flush().join();
    long writesBefore = gateway.server().store().writeCount();

    send(keys, REQUESTS);
    gateway.server().aggregator().flush().join();
    long writes = gateway.server().store().writeCount() - writesBefore;

    double perRequest = (double) writes / REQUESTS;
    System.out.printf("StoreWritesIT: %d store writes for %d requests = %.4f per request%n", writes, REQUESTS,
        perRequest);
    assertThat(gateway.usageToday("north", "").get(0).get("requests").asLong()
        + gateway.usageToday("south", "").get(0).get("requests").asLong()).isEqualTo(WARM_UP + REQUESTS);
    assertThat(writes).isPositive();
    assertThat(perRequest).isLessThanOrEqualTo(0.05);
  }

  /** Sends {@code count} JSON chat calls over {@link #CONNECTIONS} client threads, tenants taking turns. */
  private void send(String[] keys, int count) throws Exception {
    AtomicInteger next = new AtomicInteger();
    ExecutorService clients = Executors.newFixedThreadPool(CONNECTIONS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < CONNECTIONS; c++) {
        done.add(clients.submit(() -> {
          for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
            HttpResponse<String> response = gateway.http().send(
                ProviderStubs.CHAT_JSON.request(gateway.baseUrl(), keys[i % keys.length]),
                HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      clients.shutdownNow();
    }
  }
}
