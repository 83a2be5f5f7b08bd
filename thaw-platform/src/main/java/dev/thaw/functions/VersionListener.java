package dev.thaw.functions;

/** Observers of version changes: the environment pool retires old code, the snapshot manager takes snapshots,
 * the metrics drop a deleted function's series. */
public interface VersionListener {
    /** A version (or a revision of $LATEST) will never be invoked again; its environments can go. */
    default void versionRetired(FunctionVersion version) {
    }

    /** A version was published and stored; SnapStart versions are still Pending. */
    default void versionPublished(FunctionVersion version) {
    }

    /** A function was deleted, after {@link #versionRetired} was called for each of its versions. */
    default void functionDeleted(String functionName) {
    }
}
