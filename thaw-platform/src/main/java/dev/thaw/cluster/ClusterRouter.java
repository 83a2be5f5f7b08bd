package dev.thaw.cluster;

import dev.thaw.errors.ThawException;
import dev.thaw.functions.CodeStore;
import dev.thaw.functions.FunctionLayer;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.functions.Invocable;
import dev.thaw.invoke.InvocationRunner;
import dev.thaw.invoke.InvokeRequest;
import dev.thaw.invoke.InvokeResponse;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Places each admitted invocation on a worker and runs it there. Warm first: a worker with an idle environment of
 * the version (as its heartbeat said, or as this router knows from the invocations it ran there), one with an idle
 * provisioned copy before the others; then cold where it is cheapest: a worker holding the version's snapshot with
 * free memory (unless it is already busier than the least loaded by {@link #SNAPSHOT_HOLDER_SLACK}), then the least
 * loaded worker with free memory. A worker that cannot be reached is skipped until it heartbeats again, and the
 * invocation goes to the next; one that goes away with the invocation in flight fails it with a ServiceException,
 * since it may have run.
 */
public final class ClusterRouter implements InvocationRunner, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClusterRouter.class.getName());
    private static final long REFRESH_MILLIS = 500;
    /**
     * How much busier than the least loaded worker a worker holding a version's snapshot may be and still be
     * preferred for a cold start: a burst spreads instead of queueing restores on the one holder, since the others
     * fetch the snapshot from the object store (or, without one, make their own).
     */
    private static final int SNAPSHOT_HOLDER_SLACK = 2;

    private final WorkerRegistry registry;
    private final WorkerClient client;
    private final ContentHandover handover;
    private volatile List<WorkerStatus> workers = List.of();
    /** Invocations this router has running, by worker. */
    private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();
    /**
     * By worker and environment key, what this router changed and when: +1 for every invocation that finished there
     * (its environment is idle again), -1 for every one sent there to an idle one. A heartbeat counts the changes
     * made before it; the ones after it still count on top of it.
     */
    private final Map<String, java.util.Deque<long[]>> idleChanges = new ConcurrentHashMap<>();
    /** Workers found unreachable, until they heartbeat after that moment. */
    private final Map<String, Long> unreachableSince = new ConcurrentHashMap<>();
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("worker-directory").factory());

    public ClusterRouter(WorkerRegistry registry, ClusterToken token, CodeStore code, CodeStore layers) {
        this.registry = registry;
        this.client = new WorkerClient(token);
        this.handover = new ContentHandover(client, code, layers, this::workers);
    }

    public ClusterRouter start() {
        refresh();
        refresher.scheduleWithFixedDelay(this::refresh, REFRESH_MILLIS, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
        handover.start();
        return this;
    }

    private void refresh() {
        try {
            List<WorkerStatus> live = registry.live();
            for (WorkerStatus w : live) {
                idleChanges.forEach((slot, changes) -> {
                    if (slot.startsWith(w.id() + "\n")) {
                        synchronized (changes) {
                            changes.removeIf(c -> c[0] <= w.heartbeatAt());
                        }
                    }
                });
            }
            workers = live;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot read the workers; routing with what was known: " + e.getMessage());
        }
    }

    /** The workers in rotation now. */
    public List<WorkerStatus> workers() {
        long now = registry.now();
        return workers.stream()
                .filter(w -> now - w.heartbeatAt() <= WorkerRegistry.LIVENESS.toMillis())
                .filter(w -> {
                    Long since = unreachableSince.get(w.id());
                    return since == null || w.heartbeatAt() > since;
                })
                .toList();
    }

    /** The workers in rotation holding a snapshot of {@code environmentKey}, by host fingerprint. */
    public Map<String, List<String>> snapshotHolders(String environmentKey) {
        Map<String, List<String>> byFingerprint = new java.util.TreeMap<>();
        for (WorkerStatus w : workers()) {
            if (w.cachedSnapshots().contains(environmentKey)) {
                byFingerprint.computeIfAbsent(w.fingerprint(), f -> new java.util.ArrayList<>()).add(w.id());
            }
        }
        return byFingerprint;
    }

    @Override
    public InvokeResponse run(Invocable target, InvokeRequest request) {
        FunctionVersion version = target.version();
        String requestId = request.requestId().orElseGet(() -> UUID.randomUUID().toString());
        Set<String> tried = new HashSet<>();
        boolean reread = false;
        while (true) {
            Optional<WorkerStatus> chosen = choose(version, tried);
            if (chosen.isEmpty() && !reread) {
                // The view is read every half second: a worker that registered since is in the registry already.
                reread = true;
                refresh();
                chosen = choose(version, tried);
            }
            WorkerStatus worker = chosen.orElseThrow(() -> ThawException.service(
                    "No worker can take this invocation now (" + (tried.isEmpty() ? "none is in rotation"
                            : tried.size() + " could not be reached") + ").", null));
            tried.add(worker.id());
            String key = version.environmentKey();
            inFlight.merge(worker.id(), 1, Integer::sum);
            boolean warm = idleFor(worker, key) > 0;
            if (warm) {
                changeIdle(worker, key, -1);
            }
            boolean answered = false;
            try {
                InvokeResponse response = invokeOn(worker, target, request, requestId);
                answered = true;
                return response;
            } catch (WorkerClient.NotReached e) {
                if (warm) {
                    changeIdle(worker, key, 1);
                }
                unreachableSince.put(worker.id(), registry.now());
                LOG.warning(e.getMessage() + "; trying another worker");
            } catch (WorkerClient.LostInFlight e) {
                LOG.log(Level.WARNING, e.getMessage(), e.getCause());
                unreachableSince.put(worker.id(), registry.now());
                throw ThawException.service("The worker running this invocation (" + worker.id()
                        + ") stopped before it answered; the invocation may or may not have run.", e);
            } finally {
                decrement(inFlight, worker.id());
                if (answered) {
                    changeIdle(worker, key, 1);
                }
            }
        }
    }

    private InvokeResponse invokeOn(WorkerStatus worker, Invocable target, InvokeRequest request, String requestId)
            throws WorkerClient.NotReached, WorkerClient.LostInFlight {
        FunctionVersion version = target.version();
        String sha = version.code().sha256Hex();
        List<String> layerShas = version.config().layers().stream().map(FunctionLayer::sha256Hex).toList();
        for (int attempt = 0; ; attempt++) {
            try {
                return client.invoke(worker, version.functionName(), target.executedVersion(), sha, layerShas,
                        request, requestId, version.config().timeout());
            } catch (WorkerClient.MissingContent missing) {
                if (attempt > 0) {
                    throw ThawException.service("Worker " + worker.id() + " still lacks " + missing.getMessage(),
                            null);
                }
                handover.handOver(worker, missing.code, missing.layers);
            }
        }
    }

    /** The placement decision; package-private for its unit test. */
    Optional<WorkerStatus> choose(FunctionVersion version, Set<String> excluded) {
        String key = version.environmentKey();
        List<WorkerStatus> candidates = workers().stream().filter(w -> !excluded.contains(w.id())).toList();
        Comparator<WorkerStatus> leastLoaded = Comparator.comparingInt(this::load);
        Optional<WorkerStatus> warm = candidates.stream()
                .filter(w -> idleFor(w, key) > 0)
                .max(Comparator.comparing((WorkerStatus w) -> w.provisionedIdle(key) > 0)
                        .thenComparingInt(w -> idleFor(w, key)).thenComparing(leastLoaded.reversed()));
        if (warm.isPresent()) {
            return warm;
        }
        long memory = version.config().memorySize();
        List<WorkerStatus> roomy = candidates.stream().filter(w -> freeMemory(w) >= memory).toList();
        Comparator<WorkerStatus> order = leastLoaded.thenComparingInt(w -> ThreadLocalRandom.current().nextInt());
        int leastLoad = roomy.stream().mapToInt(this::load).min().orElse(0);
        Optional<WorkerStatus> withSnapshot = version.usesSnapshots()
                ? roomy.stream().filter(w -> w.cachedSnapshots().contains(key))
                .filter(w -> load(w) < leastLoad + SNAPSHOT_HOLDER_SLACK).min(order) : Optional.empty();
        if (withSnapshot.isPresent()) {
            return withSnapshot;
        }
        Optional<WorkerStatus> any = roomy.stream().min(order);
        return any.isPresent() ? any : candidates.stream().min(order);
    }

    /** Idle environments of {@code key} on {@code w}: its last heartbeat's count, with this router's changes since. */
    private int idleFor(WorkerStatus w, String key) {
        java.util.Deque<long[]> changes = idleChanges.get(slot(w, key));
        int since = 0;
        if (changes != null) {
            synchronized (changes) {
                for (long[] c : changes) {
                    if (c[0] > w.heartbeatAt()) {
                        since += (int) c[1];
                    }
                }
            }
        }
        return Math.max(0, w.idle(key) + since);
    }

    private void changeIdle(WorkerStatus w, String key, int delta) {
        java.util.Deque<long[]> changes = idleChanges.computeIfAbsent(slot(w, key), k -> new java.util.ArrayDeque<>());
        synchronized (changes) {
            changes.add(new long[] {registry.now(), delta});
        }
    }

    private int load(WorkerStatus w) {
        return w.runningEnvironments() - idleTotal(w) + inFlight.getOrDefault(w.id(), 0);
    }

    private static int idleTotal(WorkerStatus w) {
        return w.idleEnvironments().values().stream().mapToInt(Integer::intValue).sum();
    }

    private long freeMemory(WorkerStatus w) {
        return w.freeMemoryMib();
    }

    private static String slot(WorkerStatus w, String key) {
        return w.id() + "\n" + key;
    }

    private static void decrement(Map<String, Integer> counts, String key) {
        counts.computeIfPresent(key, (k, v) -> v <= 1 ? null : v - 1);
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        handover.close();
    }
}
