package dev.tollgate.core.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps an auth-failure flood from filling the audit log: per source address, the first {@code
 * maxRecordsPerWindow} failures of a window are recorded, the rest are counted, and one {@value
 * #SUPPRESSED_ACTION} event reports the count once the window ends. At most {@code maxTrackedSources}
 * addresses are tracked; failures from further addresses share one bucket with source {@code "*"}.
 * Thread-safe (synchronised); cheap enough to call from the auth stage before handing events to {@link
 * AuditChain} off the event loop.
 */
public final class AuthFailureAuditLimiter {

  /** Action of the summary event; its target reads {@code "suppressed=<K> windowSeconds=<S>"}. */
  public static final String SUPPRESSED_ACTION = "auth.failure.suppressed";

  static final String OVERFLOW_SOURCE = "*";
  private static final String UNKNOWN_SOURCE = "unknown";

  private final int maxRecordsPerWindow;
  private final long windowMillis;
  private final int maxTrackedSources;
  private final Map<String, Window> windows = new HashMap<>();

  public AuthFailureAuditLimiter(int maxRecordsPerWindow, Duration window, int maxTrackedSources) {
    if (maxRecordsPerWindow < 1) {
      throw new IllegalArgumentException("maxRecordsPerWindow: " + maxRecordsPerWindow + " (expected: > 0)");
    }
    Objects.requireNonNull(window, "window");
    if (window.toMillis() < 1) {
      throw new IllegalArgumentException("window: " + window + " (expected: >= 1 ms)");
    }
    if (maxTrackedSources < 1) {
      throw new IllegalArgumentException("maxTrackedSources: " + maxTrackedSources + " (expected: > 0)");
    }
    this.maxRecordsPerWindow = maxRecordsPerWindow;
    this.windowMillis = window.toMillis();
    this.maxTrackedSources = maxTrackedSources;
  }

  /**
   * Returns the events to audit for this failure: the failure itself, nothing (suppressed), or the summary of
   * the source's previous window followed by the failure.
   */
  public synchronized List<AuditEvent> onFailure(AuditEvent failure, Instant now) {
    Objects.requireNonNull(failure, "failure");
    long nowMillis = now.toEpochMilli();
    String source = failure.sourceAddress() == null ? UNKNOWN_SOURCE : failure.sourceAddress();
    if (!windows.containsKey(source) && windows.size() >= maxTrackedSources) {
      source = OVERFLOW_SOURCE;
    }
    List<AuditEvent> out = new ArrayList<>(2);
    Window w = windows.get(source);
    if (w != null && nowMillis - w.startMillis >= windowMillis) {
      if (w.suppressed > 0) {
        out.add(summary(source, w.suppressed));
      }
      w = null;
    }
    if (w == null) {
      w = new Window(nowMillis);
      windows.put(source, w);
    }
    if (w.recorded < maxRecordsPerWindow) {
      w.recorded++;
      out.add(failure);
    } else {
      w.suppressed++;
    }
    return out;
  }

  /**
   * Ends every window that is over at {@code now}, forgets its source, and returns a summary for each that
   * suppressed something. Call it periodically (e.g. once a window) so quiet sources are reported and freed.
   */
  public synchronized List<AuditEvent> drainExpired(Instant now) {
    long nowMillis = now.toEpochMilli();
    List<AuditEvent> summaries = new ArrayList<>();
    for (Iterator<Map.Entry<String, Window>> it = windows.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Window> entry = it.next();
      if (nowMillis - entry.getValue().startMillis >= windowMillis) {
        if (entry.getValue().suppressed > 0) {
          summaries.add(summary(entry.getKey(), entry.getValue().suppressed));
        }
        it.remove();
      }
    }
    return summaries;
  }

  synchronized int trackedSources() {
    return windows.size();
  }

  private AuditEvent summary(String source, long suppressed) {
    return new AuditEvent("gateway", null, SUPPRESSED_ACTION,
        "suppressed=" + suppressed + " windowSeconds=" + windowMillis / 1000, source, AuditOutcome.FAILURE);
  }

  private static final class Window {
    final long startMillis;
    int recorded;
    long suppressed;

    Window(long startMillis) {
      this.startMillis = startMillis;
    }
  }
}
