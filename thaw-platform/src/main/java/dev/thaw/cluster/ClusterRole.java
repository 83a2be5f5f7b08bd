package dev.thaw.cluster;

/** What one process is in a deployment: the whole platform, an API tier over remote workers, or a worker. */
public sealed interface ClusterRole {
    /** One process: the API and this host's environments ({@code thaw server}, the default). */
    record Embedded() implements ClusterRole {
    }

    /** The API tier: invocations run on registered workers ({@code thaw server --workers remote}). */
    record RemoteWorkers(ClusterToken token) implements ClusterRole {
    }

    /**
     * A worker ({@code thaw worker}): environments only, behind the internal API on {@code listenHost:listenPort},
     * registered as {@code advertise} (host:port) for routers to reach.
     */
    record Worker(ClusterToken token, String listenHost, int listenPort, String advertise, long memoryMib)
            implements ClusterRole {
    }
}
