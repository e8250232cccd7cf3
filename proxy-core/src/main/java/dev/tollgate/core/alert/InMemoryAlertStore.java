package dev.tollgate.core.alert;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An {@link AlertStore} in memory, for a single node without a data directory and for tests. Fired
 * alerts are forgotten on restart. Thread-safe; never blocks for long.
 */
public final class InMemoryAlertStore implements AlertStore {

  private final Set<String> fired = ConcurrentHashMap.newKeySet();
  private final Map<String, List<DeliveryAttempt>> attempts = new ConcurrentHashMap<>();

  @Override
  public boolean markFired(String tenantId, String periodKey, String alertKey, long nowMillis) {
    return fired.add(key(tenantId, periodKey, alertKey));
  }

  @Override
  public boolean hasFired(String tenantId, String periodKey, String alertKey) {
    return fired.contains(key(tenantId, periodKey, alertKey));
  }

  @Override
  public void recordAttempt(DeliveryAttempt attempt) {
    List<DeliveryAttempt> list = attempts.computeIfAbsent(attempt.eventId(), id -> new ArrayList<>());
    synchronized (list) {
      list.add(attempt);
    }
  }

  @Override
  public List<DeliveryAttempt> attempts(String eventId) {
    List<DeliveryAttempt> list = attempts.get(eventId);
    if (list == null) {
      return List.of();
    }
    synchronized (list) {
      return List.copyOf(list);
    }
  }

  private static String key(String tenantId, String periodKey, String alertKey) {
    return tenantId + '\n' + periodKey + '\n' + alertKey;
  }
}
