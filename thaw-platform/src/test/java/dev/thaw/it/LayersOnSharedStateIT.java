package dev.thaw.it;

/** {@link LayersIT}'s tests on PostgreSQL and an S3-compatible object store instead of the embedded defaults. */
@ThawServerExtension.OnPostgresAndObjectStore
class LayersOnSharedStateIT extends LayersIT {
}
