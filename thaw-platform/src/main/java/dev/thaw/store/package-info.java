/**
 * The embedded metadata store: SQLite through JDBC.
 *
 * <p>It owns the schema and every SQL statement. Callers hand it immutable records and get records back; function
 * versions and aliases are kept as JSON documents keyed by function and version, because they are always read and
 * written whole. One connection, serialised by this class, in WAL mode so a crash never leaves a torn write.
 */
package dev.thaw.store;
