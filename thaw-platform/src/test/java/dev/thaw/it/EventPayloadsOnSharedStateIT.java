package dev.thaw.it;

/** {@link EventPayloadsIT}'s tests on PostgreSQL and an S3-compatible object store instead of the embedded defaults. */
@ThawServerExtension.OnPostgresAndObjectStore
class EventPayloadsOnSharedStateIT extends EventPayloadsIT {
}
