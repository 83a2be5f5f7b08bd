package dev.thaw.it;

/** {@link JsonLogsIT}'s tests on PostgreSQL and an S3-compatible object store instead of the embedded defaults. */
@ThawServerExtension.OnPostgresAndObjectStore
class JsonLogsOnSharedStateIT extends JsonLogsIT {
}
