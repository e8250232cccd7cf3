package dev.tollgate.core.quota;

import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Guards per-subject limits (a subject is e.g. a machine named by the plan's subject header): at most
 * {@code maxSubjects} distinct subjects per tenant and month, and a cooldown between two counted
 * requests of the same subject. Lock-free and non-blocking, called by the quota stage on the event loop.
 * The distinct-subject count is exact on one node.
 * TODO(plans): share the subject set through the StateStore (Redis SADD) for multi-node deployments #plans
 */
public final class SubjectTracker {

  /** What the tracker decided. */
  public enum Verdict {
    ALLOWED,
    /** A new subject, but the tenant already has {@code maxSubjects} this month. */
    TOO_MANY_SUBJECTS,
    /** The subject's cooldown has not elapsed; see {@link Decision#retryAfterMillis()}. */
    COOLING_DOWN
  }

  /** A decision; {@code retryAfterMillis} is set for {@link Verdict#COOLING_DOWN} only. */
  public record Decision(Verdict verdict, long retryAfterMillis) {
    public static final Decision ALLOWED = new Decision(Verdict.ALLOWED, 0);
    public static final Decision TOO_MANY_SUBJECTS = new Decision(Verdict.TOO_MANY_SUBJECTS, 0);

    public boolean allowed() {
      return verdict == Verdict.ALLOWED;
    }
  }

  private final Clock clock;
  private final ConcurrentHashMap<String, TenantSubjects> tenants = new ConcurrentHashMap<>();

  public SubjectTracker(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Admits one counted request of {@code subject} for {@code tenantId}, recording the subject and
   * starting its cooldown when allowed.
   *
   * @param maxSubjects distinct subjects per month, null = unlimited
   * @param cooldownSeconds 0 = no cooldown
   */
  public Decision admit(String tenantId, String subject, Integer maxSubjects, int cooldownSeconds) {
    if (maxSubjects == null && cooldownSeconds == 0) {
      return Decision.ALLOWED;
    }
    long now = clock.millis();
    TenantSubjects state = tenant(tenantId, now);
    // 1. Distinct-subject cap: reserve a slot in the count before adding, so the cap is exact.
    if (maxSubjects != null && !state.subjects.contains(subject)) {
      if (state.count.incrementAndGet() > maxSubjects) {
        state.count.decrementAndGet();
        return Decision.TOO_MANY_SUBJECTS;
      }
      if (!state.subjects.add(subject)) {
        state.count.decrementAndGet(); // another request added it first
      }
    }
    if (cooldownSeconds == 0) {
      return Decision.ALLOWED;
    }
    // 2. Cooldown: one counted request per subject per cooldown window.
    long cooldownMillis = cooldownSeconds * 1000L;
    AtomicLong last = state.lastAdmittedMillis.computeIfAbsent(subject, s -> new AtomicLong(Long.MIN_VALUE));
    while (true) {
      long previous = last.get();
      if (previous != Long.MIN_VALUE && now - previous < cooldownMillis) {
        return new Decision(Verdict.COOLING_DOWN, previous + cooldownMillis - now);
      }
      if (last.compareAndSet(previous, now)) {
        return Decision.ALLOWED;
      }
    }
  }

  /**
   * Cancels the cooldown {@link #admit} started, when the request was refused later or failed upstream
   * (a failed analysis must not lock the machine out).
   */
  public void cancelCooldown(String tenantId, String subject) {
    TenantSubjects state = tenants.get(tenantId);
    if (state != null) {
      AtomicLong last = state.lastAdmittedMillis.get(subject);
      if (last != null) {
        last.set(Long.MIN_VALUE);
      }
    }
  }

  /** Distinct subjects {@code tenantId} used this month (as far as recorded; 0 if untracked). */
  public int distinctSubjects(String tenantId) {
    TenantSubjects state = tenants.get(tenantId);
    return state == null ? 0 : state.subjects.size();
  }

  /** Drops cooldown entries older than {@code maxCooldownSeconds}; call from a scheduled task. */
  public void evictExpiredCooldowns(int maxCooldownSeconds) {
    long cutoff = clock.millis() - maxCooldownSeconds * 1000L;
    for (TenantSubjects state : tenants.values()) {
      state.lastAdmittedMillis.values().removeIf(last -> last.get() < cutoff);
    }
  }

  private TenantSubjects tenant(String tenantId, long now) {
    TenantSubjects state = tenants.get(tenantId);
    if (state != null && now < state.periodEndMillis) {
      return state;
    }
    return tenants.compute(tenantId, (id, existing) ->
        existing != null && now < existing.periodEndMillis ? existing : new TenantSubjects(now));
  }

  private static final class TenantSubjects {
    final long periodEndMillis;
    final Set<String> subjects = ConcurrentHashMap.newKeySet();
    final AtomicInteger count = new AtomicInteger();
    final ConcurrentHashMap<String, AtomicLong> lastAdmittedMillis = new ConcurrentHashMap<>();

    TenantSubjects(long now) {
      YearMonth month = YearMonth.from(Instant.ofEpochMilli(now).atZone(ZoneOffset.UTC));
      this.periodEndMillis =
          month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }
  }
}
