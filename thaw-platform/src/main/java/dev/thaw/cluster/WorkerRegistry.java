package dev.thaw.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thaw.store.ClusterTables;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Workers' rows in the shared database: registration, heartbeats, and which workers are live. */
public final class WorkerRegistry {
    /** A worker whose last heartbeat is older than this is out of rotation. */
    public static final Duration LIVENESS = Duration.ofSeconds(5);
    /** How often a worker heartbeats. */
    static final Duration HEARTBEAT = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ClusterTables tables;
    private final Clock clock;

    public WorkerRegistry(ClusterTables tables, Clock clock) {
        this.tables = tables;
        this.clock = clock;
    }

    long now() {
        return clock.millis();
    }

    void register(WorkerStatus w) {
        tables.putWorker(new ClusterTables.WorkerRow(w.id(), w.address(), w.fingerprint(), w.memoryMib(),
                w.freeMemoryMib(), w.runningEnvironments(), json(w.idleEnvironments()), json(w.cachedSnapshots()),
                w.startedAt(), w.heartbeatAt(), json(w.provisionedCopies())));
    }

    /** Returns false when the worker's row is gone and it must register again. */
    boolean heartbeat(WorkerStatus w) {
        return tables.heartbeat(w.id(), w.freeMemoryMib(), w.runningEnvironments(), json(w.idleEnvironments()),
                json(w.cachedSnapshots()), w.heartbeatAt(), json(w.provisionedCopies()));
    }

    void leave(String workerId) {
        tables.deleteWorker(workerId);
    }

    /** Workers that heartbeated within {@link #LIVENESS}. */
    public List<WorkerStatus> live() {
        return tables.workersSince(clock.millis() - LIVENESS.toMillis()).stream().map(WorkerRegistry::status)
                .toList();
    }

    private static WorkerStatus status(ClusterTables.WorkerRow r) {
        try {
            Map<String, Integer> idle = JSON.readValue(r.idleEnvironmentsJson(), new TypeReference<TreeMap<String,
                    Integer>>() { });
            Set<String> snapshots = JSON.readValue(r.cachedSnapshotsJson(), new TypeReference<TreeSet<String>>() { });
            Map<String, WorkerStatus.ProvisionedReport> provisioned = JSON.readValue(r.provisionedCopiesJson(),
                    new TypeReference<TreeMap<String, WorkerStatus.ProvisionedReport>>() { });
            return new WorkerStatus(r.id(), r.address(), r.fingerprint(), r.memoryMib(), r.freeMemoryMib(),
                    r.runningEnvironments(), Map.copyOf(idle), Set.copyOf(snapshots), r.startedAt(), r.heartbeatAt(),
                    Map.copyOf(provisioned));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("worker " + r.id() + " has an unreadable row", e);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
