package dev.thaw.snapshots;

/** Who a restored copy is for, which decides what it does before it reports ready. */
public enum RestoreFor {
    /** An invocation waiting for it: ready as soon as the runtime polls. */
    INVOCATION,
    /**
     * A provisioned concurrency copy, made before any request: it first reads its restored memory once from user
     * mode ({@code touchPages} in the restore line), so the first request does not pay each page's first access.
     */
    PROVISIONED_COPY
}
