package dev.thaw.runtime.crac;

/**
 * Entry point that org.crac reflects on. The platform, not the function, decides when a snapshot is taken,
 * so {@link #checkpointRestore()} is refused, as on AWS.
 */
public final class Core {

    private static final OrderedContext GLOBAL_CONTEXT = new OrderedContext();

    private Core() {
    }

    public static Context<Resource> getGlobalContext() {
        return GLOBAL_CONTEXT;
    }

    public static void checkpointRestore() throws CheckpointException, RestoreException {
        throw new UnsupportedOperationException(
                "Thaw takes snapshots when a SnapStart version is published; a function cannot request one");
    }
}
