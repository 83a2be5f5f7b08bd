package dev.thaw.functions;

/**
 * One version of a function: $LATEST (mutable, replaced on every update) or a published number (immutable except
 * for its snapshot state). {@code revisionId} changes on every write, so environments keyed by it never serve
 * stale code or configuration.
 */
public record FunctionVersion(
        String functionName,
        String version,
        FunctionConfig config,
        CodePackage code,
        String lastModified,
        String revisionId,
        VersionState state,
        SnapshotStatus snapshot) {

    public static final String LATEST = "$LATEST";

    /** SnapStart's OptimizationStatus on a published version. */
    public enum SnapshotStatus { On, Off }

    public boolean isLatest() {
        return LATEST.equals(version);
    }

    /** True when cold starts of this version restore a snapshot instead of running INIT. */
    public boolean usesSnapshots() {
        return !isLatest() && config.isSnapStartEnabled();
    }

    /** True when this version's environments start with a trained JDK AOT cache (see FunctionConfig). */
    public boolean usesAotCache() {
        return !isLatest() && config.isAotCacheEnabled() && !config.isSnapStartEnabled();
    }

    public FunctionVersion withState(VersionState newState) {
        return new FunctionVersion(functionName, version, config, code, lastModified, revisionId, newState, snapshot);
    }

    public FunctionVersion withSnapshot(SnapshotStatus status, VersionState newState) {
        return new FunctionVersion(functionName, version, config, code, lastModified, revisionId, newState, status);
    }

    /** Identifies the code and settings an environment runs; two versions with equal keys are interchangeable. */
    public String environmentKey() {
        return functionName + ":" + version + ":" + revisionId;
    }
}
