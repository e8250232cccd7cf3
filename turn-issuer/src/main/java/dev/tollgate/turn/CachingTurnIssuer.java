package dev.tollgate.turn;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Reuses one user's credentials until {@code ttl − 15 s} so that reconnect storms and ICE restarts do not
 * mint (or call Cloudflare) again; concurrent requests for the same (tenant, user) share one in-flight
 * mint, and a failed mint is not cached. Thread-safe and non-blocking; counters are exported by the server.
 */
public final class CachingTurnIssuer implements TurnCredentialIssuer {

    /** Credentials are dropped from the cache this long before they expire; a ttl at or below it is not cached. */
    public static final long SAFETY_MARGIN_SECONDS = 15;
    public static final long DEFAULT_MAX_ENTRIES = 100_000;

    private final TurnCredentialIssuer delegate;
    private final Ticker ticker;
    private final AsyncCache<Key, Minted> cache;
    private final LongAdder issued = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();

    /**
     * @param delegate the issuer that actually mints
     * @param ticker Caffeine's clock, {@link Ticker#systemTicker()} outside tests
     * @param maxEntries bound on cached (tenant, user) pairs
     */
    public CachingTurnIssuer(TurnCredentialIssuer delegate, Ticker ticker, long maxEntries) {
        this.delegate = requireNonNull(delegate, "delegate");
        this.ticker = requireNonNull(ticker, "ticker");
        if (maxEntries <= 0) {
            throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: > 0)");
        }
        this.cache = Caffeine.newBuilder()
                .ticker(ticker)
                .maximumSize(maxEntries)
                .expireAfter(new MintedExpiry())
                .buildAsync();
    }

    @Override
    public CompletableFuture<TurnCredentials> issue(String tenantId, String userId) {
        if (tenantId == null || userId == null) {
            return delegate.issue(tenantId, userId);
        }
        boolean[] minted = {false};
        // an in-flight future is shared too, so a burst for one user mints once
        CompletableFuture<Minted> entry = cache.get(new Key(tenantId, userId), (key, executor) -> {
            minted[0] = true;
            issued.increment();
            return delegate.issue(key.tenantId(), key.userId())
                    .thenApply(credentials -> new Minted(credentials, ticker.read()));
        });
        if (!minted[0]) {
            cacheHits.increment();
        }
        return entry.thenApply(this::withRemainingTtl);
    }

    /** Mints started on the delegate (cache misses), failed ones included. */
    public long issuedCount() {
        return issued.sum();
    }

    /** Requests answered from the cache or by joining a mint already in flight. */
    public long cacheHitCount() {
        return cacheHits.sum();
    }

    /** Cached (tenant, user) pairs, approximately. */
    public long cachedEntries() {
        return cache.synchronous().estimatedSize();
    }

    private TurnCredentials withRemainingTtl(Minted minted) {
        long ageSeconds = TimeUnit.NANOSECONDS.toSeconds(ticker.read() - minted.mintedAtNanos());
        if (ageSeconds <= 0) {
            return minted.credentials();
        }
        long remaining = Math.max(1, minted.credentials().ttlSeconds() - ageSeconds);
        return minted.credentials().withTtlSeconds(remaining);
    }

    @Override
    public String toString() {
        return "CachingTurnIssuer[" + delegate + "]";
    }

    private record Key(String tenantId, String userId) {
    }

    private record Minted(TurnCredentials credentials, long mintedAtNanos) {
    }

    /** Lifetime = ttl − 15 s from the moment the mint completed; zero (not cached) when ttl ≤ 15 s. */
    private static final class MintedExpiry implements Expiry<Key, Minted> {

        @Override
        public long expireAfterCreate(Key key, Minted value, long currentTime) {
            long seconds = value.credentials().ttlSeconds() - SAFETY_MARGIN_SECONDS;
            return seconds <= 0 ? 0 : TimeUnit.SECONDS.toNanos(seconds);
        }

        @Override
        public long expireAfterUpdate(Key key, Minted value, long currentTime, long currentDuration) {
            return expireAfterCreate(key, value, currentTime);
        }

        @Override
        public long expireAfterRead(Key key, Minted value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
