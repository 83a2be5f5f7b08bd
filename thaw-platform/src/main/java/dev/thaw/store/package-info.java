/**
 * The metadata store: SQLite in the home (the embedded default) or PostgreSQL shared by several instances, through
 * JDBC and a connection pool.
 *
 * <p>It owns the schema, as versioned Flyway migrations per dialect under {@code dev/thaw/store/migrations}, applied
 * at open, and every SQL statement. Callers hand it immutable records and get records back; function versions and
 * aliases are kept as JSON documents keyed by function and version, because they are always read and written whole.
 * Events are claimed with a lease: an instance owns a running event until its lease ends, then any instance may
 * claim it again, so an event is delivered at least once even when its instance dies.
 */
package dev.thaw.store;
