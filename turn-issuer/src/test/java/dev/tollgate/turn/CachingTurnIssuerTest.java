package dev.tollgate.turn;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CachingTurnIssuerTest {

    private final ManualTicker ticker = new ManualTicker();

    @Test
    void burstForOneUserSharesASingleInFlightMint() {
        RecordingIssuer delegate = new RecordingIssuer(600);
        delegate.holdMints = true;
        CachingTurnIssuer cache = new CachingTurnIssuer(delegate, ticker, 1000);

        List<CompletableFuture<TurnCredentials>> burst = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            burst.add(cache.issue("acme", "alice"));
        }
        assertThat(burst).noneMatch(CompletableFuture::isDone);
        delegate.completeHeldMints();

        assertThat(delegate.mints).hasSize(1);
        assertThat(burst).allSatisfy(f -> assertThat(f.join().username()).isEqualTo("1:acme:alice"));
        assertThat(cache.issuedCount()).isEqualTo(1);
        assertThat(cache.cacheHitCount()).isEqualTo(49);
    }

    @Test
    void differentUsersAndTenantsMintSeparately() {
        RecordingIssuer delegate = new RecordingIssuer(600);
        CachingTurnIssuer cache = new CachingTurnIssuer(delegate, ticker, 1000);

        cache.issue("acme", "alice").join();
        cache.issue("acme", "bob").join();
        cache.issue("globex", "alice").join();
        cache.issue("acme", "alice").join();

        assertThat(delegate.mints).containsExactly("acme/alice", "acme/bob", "globex/alice");
        assertThat(cache.issuedCount()).isEqualTo(3);
        assertThat(cache.cacheHitCount()).isEqualTo(1);
    }

    @Test
    void cachedCredentialsExpireFifteenSecondsBeforeTheirTtl() {
        RecordingIssuer delegate = new RecordingIssuer(600);
        CachingTurnIssuer cache = new CachingTurnIssuer(delegate, ticker, 1000);
        cache.issue("acme", "alice").join();

        ticker.advanceSeconds(584);
        TurnCredentials reused = cache.issue("acme", "alice").join();
        assertThat(delegate.mints).hasSize(1);
        assertThat(reused.ttlSeconds()).isEqualTo(16);

        ticker.advanceSeconds(1);
        cache.issue("acme", "alice").join();
        assertThat(delegate.mints).hasSize(2);
    }

    @Test
    void doesNotCacheCredentialsWhoseTtlLeavesNoSafetyMargin() {
        RecordingIssuer delegate = new RecordingIssuer(15);
        CachingTurnIssuer cache = new CachingTurnIssuer(delegate, ticker, 1000);

        cache.issue("acme", "alice").join();
        cache.issue("acme", "alice").join();

        assertThat(delegate.mints).hasSize(2);
    }

    @Test
    void doesNotCacheAFailedMint() {
        RecordingIssuer delegate = new RecordingIssuer(600);
        delegate.failNext = true;
        CachingTurnIssuer cache = new CachingTurnIssuer(delegate, ticker, 1000);

        assertThat(cache.issue("acme", "alice")).isCompletedExceptionally();
        assertThat(cache.issue("acme", "alice").join().username()).isEqualTo("2:acme:alice");
        assertThat(delegate.mints).hasSize(2);
    }

    /** Mints deterministic credentials; the username's first part counts mints. */
    private static final class RecordingIssuer implements TurnCredentialIssuer {
        final List<String> mints = new ArrayList<>();
        final Map<CompletableFuture<TurnCredentials>, TurnCredentials> held = new LinkedHashMap<>();
        final long ttlSeconds;
        boolean holdMints;
        boolean failNext;

        RecordingIssuer(long ttlSeconds) {
            this.ttlSeconds = ttlSeconds;
        }

        @Override
        public synchronized CompletableFuture<TurnCredentials> issue(String tenantId, String userId) {
            mints.add(tenantId + "/" + userId);
            if (failNext) {
                failNext = false;
                return CompletableFuture.failedFuture(new TurnIssueException("upstream down", 503));
            }
            TurnCredentials credentials = new TurnCredentials(List.of(), mints.size() + ":" + tenantId + ":" + userId,
                    "pw", ttlSeconds, Instant.EPOCH.plusSeconds(ttlSeconds), TurnCredentials.SOURCE_REST_SECRET);
            if (!holdMints) {
                return CompletableFuture.completedFuture(credentials);
            }
            CompletableFuture<TurnCredentials> future = new CompletableFuture<>();
            held.put(future, credentials);
            return future;
        }

        synchronized void completeHeldMints() {
            held.forEach(CompletableFuture::complete);
        }
    }

    private static final class ManualTicker implements Ticker {
        private final AtomicLong nanos = new AtomicLong();

        @Override
        public long read() {
            return nanos.get();
        }

        void advanceSeconds(long seconds) {
            nanos.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
        }
    }
}
