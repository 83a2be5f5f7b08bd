package dev.thaw.it;

/** {@link EventInvokeIT}'s tests on PostgreSQL and an S3-compatible object store instead of the embedded defaults. */
@ThawServerExtension.Arguments({"--event-retry-delay", "1"})
@ThawServerExtension.OnPostgresAndObjectStore
class EventInvokeOnSharedStateIT extends EventInvokeIT {
}
