package dev.tollgate.core.cache;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The exact-match response cache behind {@code CacheHandler}: complete 200 responses keyed by tenant,
 * project, method, route path and canonical request body, each with its route's TTL, the whole bounded
 * by a byte budget. Thread-safe and non-blocking; Caffeine's upkeep (eviction, expiry) runs on the calling
 * thread in small amortised steps, so the budget holds right after each {@link #put}.
 */
public final class ResponseCache {

  // Canonical JSON: map keys sorted at every depth; whitespace gone. Floats as BigDecimal so two
  // bodies that differ only beyond double precision never share a key; duplicate keys or trailing
  // garbage make the body "not JSON" and it is hashed raw.
  private static final JsonMapper CANONICAL = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .build();
  private static final byte JSON_BODY = 'J';
  private static final byte RAW_BODY = 'R';

  private final long maxBytes;
  private final Cache<CacheKey, Entry> cache;
  private final LongAdder sizeEvictions = new LongAdder();
  private final LongAdder expirations = new LongAdder();

  /** A cache of at most {@code maxBytes} (as weighed by {@link CachedResponse#weightBytes()}). */
  public ResponseCache(long maxBytes) {
    this(maxBytes, Ticker.systemTicker());
  }

  /** As {@link #ResponseCache(long)}, reading time from {@code ticker} (tests pass a fake one). */
  public ResponseCache(long maxBytes, Ticker ticker) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: > 0)");
    }
    this.maxBytes = maxBytes;
    this.cache = Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((CacheKey key, Entry entry) -> entry.response.weightBytes())
        .expireAfter(new PerEntryTtl())
        .ticker(requireNonNull(ticker, "ticker"))
        .executor(Runnable::run)
        .evictionListener((CacheKey key, Entry entry, RemovalCause cause) -> {
          if (cause == RemovalCause.EXPIRED) {
            expirations.increment();
          } else {
            sizeEvictions.increment();
          }
        })
        .recordStats()
        .build();
  }

  /**
   * The key of a request. {@code body} is canonicalised when it parses as JSON (key order and whitespace
   * do not matter), else hashed as raw bytes. Reads {@code body} without moving its reader index or
   * releasing it: the caller still owns it.
   */
  public static CacheKey key(String tenantId, String projectId, String method, String routePath, ByteBuf body) {
    requireNonNull(body, "body");
    return key(tenantId, projectId, method, routePath, ByteBufUtil.getBytes(body));
  }

  /** As {@link #key(String, String, String, String, ByteBuf)} for a body already in a byte array. */
  public static CacheKey key(String tenantId, String projectId, String method, String routePath, byte[] body) {
    requireNonNull(tenantId, "tenantId");
    requireNonNull(projectId, "projectId");
    requireNonNull(method, "method");
    requireNonNull(routePath, "routePath");
    requireNonNull(body, "body");
    MessageDigest sha256 = sha256();
    // Each field length-prefixed, so ("ab", "c") and ("a", "bc") never hash alike.
    for (String field : new String[] {tenantId, projectId, method, routePath}) {
      lengthPrefixed(sha256, field.getBytes(StandardCharsets.UTF_8));
    }
    byte[] canonical = canonicalJson(body);
    if (canonical != null) {
      sha256.update(JSON_BODY);
      lengthPrefixed(sha256, canonical);
    } else {
      sha256.update(RAW_BODY);
      lengthPrefixed(sha256, body);
    }
    return new CacheKey(tenantId, HexFormat.of().formatHex(sha256.digest()));
  }

  /** The cached response for {@code key}, counting a hit or a miss. */
  public Optional<CachedResponse> get(CacheKey key) {
    Entry entry = cache.getIfPresent(requireNonNull(key, "key"));
    return entry == null ? Optional.empty() : Optional.of(entry.response);
  }

  /**
   * Caches {@code response} under {@code key} for {@code ttlSeconds}, replacing any entry there.
   *
   * @return false when the response alone is larger than the whole budget and was not cached
   */
  public boolean put(CacheKey key, CachedResponse response, int ttlSeconds) {
    requireNonNull(key, "key");
    requireNonNull(response, "response");
    if (ttlSeconds <= 0) {
      throw new IllegalArgumentException("ttlSeconds: " + ttlSeconds + " (expected: > 0)");
    }
    if (response.weightBytes() > maxBytes) {
      return false;
    }
    cache.put(key, new Entry(response, TimeUnit.SECONDS.toNanos(ttlSeconds)));
    return true;
  }

  /** Drops every entry of {@code tenantId}, e.g. when the tenant is deleted or its plan loses caching. */
  public void invalidateTenant(String tenantId) {
    requireNonNull(tenantId, "tenantId");
    cache.asMap().keySet().removeIf(key -> key.tenantId().equals(tenantId));
  }

  /** Counters since start, and the current size. */
  public ResponseCacheStats stats() {
    CacheStats stats = cache.stats();
    long weightedBytes = cache.policy().eviction().orElseThrow().weightedSize().orElse(0L);
    return new ResponseCacheStats(stats.hitCount(), stats.missCount(), sizeEvictions.sum(), expirations.sum(),
        cache.estimatedSize(), weightedBytes, maxBytes);
  }

  /** The canonical form of a JSON body, or null when it is not (strict) JSON. */
  static byte[] canonicalJson(byte[] body) {
    if (body.length == 0) {
      return null;
    }
    try {
      Object tree = CANONICAL.readValue(body, Object.class);
      return CANONICAL.writeValueAsBytes(tree);
    } catch (IOException e) {
      return null;
    }
  }

  private static void lengthPrefixed(MessageDigest digest, byte[] bytes) {
    digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
    digest.update(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  private record Entry(CachedResponse response, long ttlNanos) {}

  /** Each entry lives for its own route's TTL from its last write; reads do not extend it. */
  private static final class PerEntryTtl implements Expiry<CacheKey, Entry> {
    @Override
    public long expireAfterCreate(CacheKey key, Entry entry, long currentTime) {
      return entry.ttlNanos;
    }

    @Override
    public long expireAfterUpdate(CacheKey key, Entry entry, long currentTime, long currentDuration) {
      return entry.ttlNanos;
    }

    @Override
    public long expireAfterRead(CacheKey key, Entry entry, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }
}
