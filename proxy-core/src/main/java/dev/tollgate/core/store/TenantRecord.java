package dev.tollgate.core.store;

/** A tenant as stored: id, display name, plan name, creation time. */
public record TenantRecord(String id, String name, String plan, long createdAtMillis) {
}
