package dev.tollgate.core.store;

/** A project inside a tenant; keys belong to a project. */
public record ProjectRecord(String tenantId, String id, String name, long createdAtMillis) {
}
