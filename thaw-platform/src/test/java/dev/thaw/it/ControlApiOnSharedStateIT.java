package dev.thaw.it;

/** {@link ControlApiIT}'s tests on PostgreSQL and an S3-compatible object store instead of the embedded defaults. */
@ThawServerExtension.OnPostgresAndObjectStore
class ControlApiOnSharedStateIT extends ControlApiIT {
}
