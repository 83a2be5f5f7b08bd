package dev.thaw.cluster;

import java.util.Map;
import java.util.Set;

/**
 * A worker as its last heartbeat described it.
 *
 * @param address host:port of its internal API
 * @param fingerprint the host fingerprint its snapshots are taken under
 * @param idleEnvironments idle environments by environment key
 * @param cachedSnapshots environment keys whose snapshot it holds
 */
public record WorkerStatus(String id, String address, String fingerprint, long memoryMib, long freeMemoryMib,
                           int runningEnvironments, Map<String, Integer> idleEnvironments,
                           Set<String> cachedSnapshots, long startedAt, long heartbeatAt) {

    int idle(String environmentKey) {
        return idleEnvironments.getOrDefault(environmentKey, 0);
    }
}
