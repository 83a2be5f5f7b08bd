package dev.thaw.provisioned;

import dev.thaw.environments.Environment;
import dev.thaw.environments.EnvironmentPool;
import dev.thaw.environments.StartupFailure;
import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import dev.thaw.functions.FunctionService;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.invoke.ProvisionedCapacity;
import dev.thaw.store.MetadataStore;
import dev.thaw.store.StoredProvisionedConcurrency;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the copies that provisioned concurrency configurations ask for: every half second, and at once after a
 * change, it resolves each configuration to its version, tells the pool how many copies of that version to keep
 * (this host's {@link HostShare} of them) and has the missing ones made. It is also what the throttle reads
 * ({@link ProvisionedCapacity}), and what a configuration's status counts, through a {@link CopyCensus}: this
 * host's pool, or the copies a cluster's workers report.
 */
public final class ProvisionedCopies implements ProvisionedCapacity, CopyCensus, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ProvisionedCopies.class.getName());
    private static final long PERIOD_MILLIS = 500;

    /** Makes one ready copy of a version ({@link dev.thaw.invoke.ColdStarts#provision}). */
    @FunctionalInterface
    public interface Maker {
        Environment make(FunctionVersion version) throws StartupFailure;
    }

    /** Why the last copy of a version could not be made, and when to try again. */
    private record Failure(String reason, int count, long retryAtMillis) {
    }

    private final FunctionService functions;
    private final MetadataStore store;
    /** Null on an API tier, which keeps no copies itself. */
    private final EnvironmentPool pool;
    private final Maker maker;
    private final HostShare share;
    private final CopyCensus census;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("provisioned-copies").factory());
    private final ExecutorService makers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("provisioned-copy-", 0).factory());
    private final Map<String, Integer> making = new ConcurrentHashMap<>();
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();
    /** Copies wanted by environment key, as of the last pass. */
    private volatile Map<String, Integer> wanted = Map.of();
    private volatile int onUnreservedFunctions;
    private volatile boolean closed;

    /** Keeps every copy in {@code pool} (one process). */
    public ProvisionedCopies(FunctionService functions, MetadataStore store, EnvironmentPool pool, Maker maker) {
        this(functions, store, pool, maker, HostShare.ALL, null);
    }

    private ProvisionedCopies(FunctionService functions, MetadataStore store, EnvironmentPool pool, Maker maker,
                              HostShare share, CopyCensus census) {
        this.functions = functions;
        this.store = store;
        this.pool = pool;
        this.maker = maker;
        this.share = share;
        this.census = census == null ? this : census;
    }

    /** A cluster's worker: keeps its {@code share} of each version's copies in {@code pool}. */
    public static ProvisionedCopies onWorker(FunctionService functions, MetadataStore store, EnvironmentPool pool,
                                             Maker maker, HostShare share) {
        return new ProvisionedCopies(functions, store, pool, maker, share, null);
    }

    /**
     * A cluster's API tier: keeps no copy, but knows how many each version wants (for the throttle) and reports
     * configurations' status from the copies the workers report ({@code census}).
     */
    public static ProvisionedCopies countingWorkers(FunctionService functions, MetadataStore store,
                                                    CopyCensus census) {
        return new ProvisionedCopies(functions, store, null, version -> {
            throw new IllegalStateException("an API tier makes no provisioned copy");
        }, (key, wanted) -> 0, census);
    }

    public ProvisionedCopies start() {
        ticker.scheduleWithFixedDelay(this::keepSafely, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Compares the configurations with the copies now, not at the next tick. */
    public void changed() {
        if (!closed) {
            ticker.execute(this::keepSafely);
        }
    }

    @Override
    public int copies(FunctionVersion version) {
        return wanted.getOrDefault(version.environmentKey(), 0);
    }

    @Override
    public int onUnreservedFunctions() {
        return onUnreservedFunctions;
    }

    private void keepSafely() {
        try {
            keep();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "provisioned concurrency: cannot compare the copies with the configurations", e);
        }
    }

    private void keep() {
        if (closed) {
            return;
        }
        Map<String, Integer> want = new HashMap<>();
        Map<String, FunctionVersion> versions = new HashMap<>();
        for (StoredProvisionedConcurrency config : store.allProvisionedConcurrency()) {
            resolve(config).ifPresent(v -> {
                want.merge(v.environmentKey(), config.requested(), Integer::sum);
                versions.put(v.environmentKey(), v);
            });
        }
        wanted = Map.copyOf(want);
        onUnreservedFunctions = functions.provisionedOnUnreservedFunctions("");
        if (pool == null) {
            return;
        }
        for (String key : pool.provisionedKeys()) {
            if (!want.containsKey(key)) {
                pool.keepProvisioned(key, 0);
                failures.remove(key);
            }
        }
        long now = System.currentTimeMillis();
        for (Map.Entry<String, Integer> e : want.entrySet()) {
            String key = e.getKey();
            int here = share.copiesHere(key, e.getValue());
            pool.keepProvisioned(key, here);
            Failure failed = failures.get(key);
            if (failed != null && failed.retryAtMillis() > now) {
                continue;
            }
            int live = pool.provisionedCopies(key).size();
            int start = CopyPlan.toStart(here, live, making.getOrDefault(key, 0));
            for (int i = 0; i < start; i++) {
                making.merge(key, 1, Integer::sum);
                FunctionVersion version = versions.get(key);
                makers.execute(() -> make(version));
            }
        }
    }

    /** The version a configuration's copies run; empty when it vanished meanwhile. */
    private Optional<FunctionVersion> resolve(StoredProvisionedConcurrency config) {
        try {
            FunctionVersion v = functions.get(config.functionName(), config.qualifier());
            return v.isLatest() ? Optional.empty() : Optional.of(v);
        } catch (ThawException gone) {
            return Optional.empty();
        }
    }

    private void make(FunctionVersion version) {
        String key = version.environmentKey();
        try {
            Environment env = maker.make(version);
            failures.remove(key);
            if (pool.addProvisioned(env)) {
                LOG.fine(() -> "provisioned copy " + env + " is ready");
            }
        } catch (StartupFailure f) {
            failed(key, "FUNCTION_ERROR_INIT_FAILURE: the function's INIT failed for a provisioned copy ("
                    + f.errorType() + ")");
        } catch (ThawException e) {
            if (e.code() == ErrorCode.RESOURCE_CONFLICT || e.code() == ErrorCode.SNAP_START_NOT_READY) {
                // The version's snapshot (or AOT cache) is being made: the copies follow once it is there.
                failures.remove(key);
            } else {
                failed(key, e.getMessage());
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "provisioned copy of " + key + " could not be made", e);
            failed(key, "Internal error: " + e);
        } finally {
            making.merge(key, -1, (a, b) -> a + b <= 0 ? null : a + b);
        }
    }

    private void failed(String key, String reason) {
        Failure previous = failures.get(key);
        int count = previous == null ? 1 : previous.count() + 1;
        LOG.warning(() -> "provisioned concurrency: a copy of " + key + " could not be made: " + reason);
        failures.put(key, new Failure(reason, count, System.currentTimeMillis() + CopyPlan.retryDelayMillis(count)));
    }

    /**
     * The status of one configuration of {@code version}: its share of the version's live copies (configurations of
     * other aliases of the same version, in qualifier order, come first) and, while missing copies cannot be made,
     * why.
     */
    ProvisionedStatus status(StoredProvisionedConcurrency config, FunctionVersion version, String functionArn) {
        String key = version.environmentKey();
        int before = 0;
        for (StoredProvisionedConcurrency other : store.allProvisionedConcurrency()) {
            if (other.functionName().equals(config.functionName()) && other.qualifier().compareTo(config.qualifier()) < 0
                    && resolve(other).map(v -> v.environmentKey().equals(key)).orElse(false)) {
                before += other.requested();
            }
        }
        int allocated = CopyPlan.allocated(config.requested(), census.ready(key), before);
        Optional<String> failure = census.failure(key);
        ProvisionedStatus.Status status = CopyPlan.status(config.requested(), allocated, failure);
        return new ProvisionedStatus(functionArn, config.requested(), allocated, allocated, status,
                status == ProvisionedStatus.Status.FAILED ? failure : Optional.empty(), config.lastModified());
    }

    /** This host's live copies of {@code environmentKey}. */
    @Override
    public int ready(String environmentKey) {
        return pool == null ? 0 : pool.provisionedCopies(environmentKey).size();
    }

    /** Why this host's last try to make a copy of {@code environmentKey} failed, while it waits to try again. */
    @Override
    public Optional<String> failure(String environmentKey) {
        return Optional.ofNullable(failures.get(environmentKey)).map(Failure::reason);
    }

    /** Keys of the versions whose copies are being made now (for tests and the bench). */
    Set<String> makingNow() {
        return Set.copyOf(making.keySet());
    }

    @Override
    public void close() {
        closed = true;
        ticker.shutdownNow();
        makers.shutdownNow();
    }
}
