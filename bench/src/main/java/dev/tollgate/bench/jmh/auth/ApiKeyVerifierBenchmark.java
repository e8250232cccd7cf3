package dev.tollgate.bench.jmh.auth;

import dev.tollgate.core.auth.ApiKeyVerifier;
import dev.tollgate.core.auth.ApiKeys;
import dev.tollgate.core.auth.Principal;
import dev.tollgate.core.config.AuthConfig;
import dev.tollgate.core.store.ApiKeyRecord;
import dev.tollgate.core.store.ProjectRecord;
import dev.tollgate.core.store.SqliteStateStore;
import dev.tollgate.core.store.TenantRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link ApiKeyVerifier#verify} as the auth stage calls it for every request with a {@code tg_} key:
 * format check, SHA-256 of the key, Caffeine lookup. The keys are loaded before measuring, so every
 * call is a cache hit (a known key, and an unknown one whose "no such key" answer is cached too).
 * The store is the embedded SQLite one; a hit never reaches it. Run with {@code -prof gc} for B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ApiKeyVerifierBenchmark {

  private Path dataDir;
  private SqliteStateStore store;
  private ApiKeyVerifier verifier;
  private String knownKey;
  private String unknownKey;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dataDir = Files.createTempDirectory("tollgate-jmh-auth");
    store = SqliteStateStore.open(dataDir);
    long now = System.currentTimeMillis();
    store.createTenant(new TenantRecord("acme", "Acme", "free", now));
    store.createProject(new ProjectRecord("acme", "default", "Default project", now));
    knownKey = ApiKeys.generate();
    store.createKey(new ApiKeyRecord(ApiKeys.newId("key_"), "acme", "default", "bench",
        ApiKeys.lookupPrefix(knownKey), ApiKeys.hash(knownKey), now, 0));
    unknownKey = ApiKeys.generate();
    // refresh far beyond the run: a background refresh would only add store traffic to the measurement
    verifier = new ApiKeyVerifier(store, new AuthConfig(100_000, 3_600_000, 7_200_000));
    if (verifier.verify(knownKey).join().isEmpty() || verifier.verify(unknownKey).join().isPresent()) {
      throw new IllegalStateException("the verifier does not answer as expected");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    store.close();
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** A known, active key: the common case. */
  @Benchmark
  public Optional<Principal> verifyKnownKeyCached() {
    return verifier.verify(knownKey).join();
  }

  /** A well-formed key that does not exist, asked again (a client retrying with a wrong key). */
  @Benchmark
  public Optional<Principal> verifyUnknownKeyCached() {
    return verifier.verify(unknownKey).join();
  }
}
