package dev.thaw.cluster;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A worker as its last heartbeat described it.
 *
 * @param address host:port of its internal API
 * @param fingerprint the host fingerprint its snapshots are taken under
 * @param idleEnvironments idle environments by environment key (its idle provisioned copies included)
 * @param cachedSnapshots environment keys whose snapshot it holds
 * @param provisionedCopies its provisioned copies by environment key
 */
public record WorkerStatus(String id, String address, String fingerprint, long memoryMib, long freeMemoryMib,
                           int runningEnvironments, Map<String, Integer> idleEnvironments,
                           Set<String> cachedSnapshots, long startedAt, long heartbeatAt,
                           Map<String, ProvisionedReport> provisionedCopies) {

    /** A worker that keeps no provisioned copies. */
    public WorkerStatus(String id, String address, String fingerprint, long memoryMib, long freeMemoryMib,
                        int runningEnvironments, Map<String, Integer> idleEnvironments, Set<String> cachedSnapshots,
                        long startedAt, long heartbeatAt) {
        this(id, address, fingerprint, memoryMib, freeMemoryMib, runningEnvironments, idleEnvironments,
                cachedSnapshots, startedAt, heartbeatAt, Map.of());
    }

    /**
     * A worker's provisioned copies of one environment key.
     *
     * @param ready copies live and ready (idle or busy)
     * @param idle those idle now
     * @param failure why the last copy could not be made, while that lasts; empty otherwise
     * @param missingCode the code package it needs to make them and lacks (SHA-256), or empty
     * @param missingLayers the layer archives it needs and lacks (SHA-256s)
     */
    public record ProvisionedReport(int ready, int idle, String failure, String missingCode,
                                    List<String> missingLayers) {
        public ProvisionedReport {
            failure = failure == null ? "" : failure;
            missingCode = missingCode == null ? "" : missingCode;
            missingLayers = missingLayers == null ? List.of() : List.copyOf(missingLayers);
        }
    }

    int idle(String environmentKey) {
        return idleEnvironments.getOrDefault(environmentKey, 0);
    }

    int provisionedIdle(String environmentKey) {
        ProvisionedReport r = provisionedCopies.get(environmentKey);
        return r == null ? 0 : r.idle();
    }
}
