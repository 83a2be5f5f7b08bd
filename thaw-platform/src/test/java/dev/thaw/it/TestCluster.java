package dev.thaw.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A cluster on one machine from the cluster tests' fixtures: a throwaway PostgreSQL ({@link PostgresCluster}), a
 * cluster token file, workers each in a network namespace of its own ({@link ClusterWorker}) and API instances
 * ({@code thaw server --workers remote}, {@link ThawServerProcess}). {@link #close()} stops and removes all of it.
 */
final class TestCluster implements AutoCloseable {
    private PostgresCluster postgres;
    private String database;
    private Path tokenFile;
    private final List<ClusterWorker> workers = new ArrayList<>();
    private final List<ThawServerProcess> apis = new ArrayList<>();

    private TestCluster() {
    }

    /** Starts {@code workerCount} workers of {@code workerMemoryMib} each and {@code apiCount} API instances. */
    static TestCluster start(int workerCount, long workerMemoryMib, int apiCount) throws Exception {
        TestCluster cluster = new TestCluster();
        try {
            cluster.postgres = PostgresCluster.create();
            cluster.database = cluster.postgres.createDatabase();
            cluster.tokenFile = Files.createTempFile("thaw-cluster-token", "");
            Files.writeString(cluster.tokenFile, UUID.randomUUID() + "\n");
            for (int i = 0; i < workerCount; i++) {
                cluster.workers.add(ClusterWorker.prepare(i));
            }
            cluster.postgres.alsoServe(cluster.workers.stream().map(ClusterWorker::hostAddress).toList(),
                    "10.251.0.0/16");
            for (int i = 0; i < apiCount; i++) {
                cluster.apis.add(ThawServerProcess.start("--database", cluster.database, "--workers", "remote",
                        "--cluster-token-file", cluster.tokenFile.toString()));
            }
            for (ClusterWorker w : cluster.workers) {
                w.start(cluster.database, cluster.tokenFile, workerMemoryMib);
            }
            waitFor(() -> cluster.liveWorkers().size() == workerCount, 30_000, "every worker registered");
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    ThawServerProcess api(int i) {
        return apis.get(i);
    }

    ClusterWorker worker(int i) {
        return workers.get(i);
    }

    List<ClusterWorker> workers() {
        return List.copyOf(workers);
    }

    /** Starts a worker again on its home, after {@link ClusterWorker#kill()}. */
    void restart(ClusterWorker worker, long memoryMib) {
        worker.start(database, tokenFile, memoryMib);
    }

    /** Workers whose heartbeat is recent, by id, with their start time. */
    Map<String, Long> liveWorkers() {
        Map<String, Long> live = new HashMap<>();
        try (Connection c = postgres.connect(database);
             ResultSet rs = c.createStatement().executeQuery("SELECT id, started_at FROM workers WHERE heartbeat_at > "
                     + (System.currentTimeMillis() - 5000))) {
            while (rs.next()) {
                live.put(rs.getString(1), rs.getLong(2));
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return live;
    }

    static void waitFor(java.util.function.BooleanSupplier condition, long millis, String what)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out: " + what);
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() throws Exception {
        List<Throwable> failures = new ArrayList<>();
        for (ThawServerProcess api : apis) {
            try {
                api.close();
            } catch (Exception | AssertionError e) {
                failures.add(e);
            }
        }
        for (ClusterWorker w : workers) {
            try {
                w.close();
            } catch (Exception e) {
                failures.add(e);
            }
        }
        if (postgres != null) {
            postgres.close();
        }
        if (tokenFile != null) {
            Files.deleteIfExists(tokenFile);
        }
        if (!failures.isEmpty()) {
            throw new Exception("closing the cluster", failures.getFirst());
        }
    }
}
