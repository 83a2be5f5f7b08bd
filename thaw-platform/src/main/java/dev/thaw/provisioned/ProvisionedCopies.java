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
 * and has the missing ones made. It is also what the throttle reads ({@link ProvisionedCapacity}).
 */
public final class ProvisionedCopies implements ProvisionedCapacity, AutoCloseable {
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
    private final EnvironmentPool pool;
    private final Maker maker;
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

    public ProvisionedCopies(FunctionService functions, MetadataStore store, EnvironmentPool pool, Maker maker) {
        this.functions = functions;
        this.store = store;
        this.pool = pool;
        this.maker = maker;
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
        for (String key : pool.provisionedKeys()) {
            if (!want.containsKey(key)) {
                pool.keepProvisioned(key, 0);
                failures.remove(key);
            }
        }
        long now = System.currentTimeMillis();
        for (Map.Entry<String, Integer> e : want.entrySet()) {
            String key = e.getKey();
            pool.keepProvisioned(key, e.getValue());
            Failure failed = failures.get(key);
            if (failed != null && failed.retryAtMillis() > now) {
                continue;
            }
            int live = pool.provisionedCopies(key).size();
            int start = CopyPlan.toStart(e.getValue(), live, making.getOrDefault(key, 0));
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
        int live = pool.provisionedCopies(key).size();
        int allocated = CopyPlan.allocated(config.requested(), live, before);
        Optional<String> failure = Optional.ofNullable(failures.get(key)).map(Failure::reason);
        ProvisionedStatus.Status status = CopyPlan.status(config.requested(), allocated, failure);
        return new ProvisionedStatus(functionArn, config.requested(), allocated, allocated, status,
                status == ProvisionedStatus.Status.FAILED ? failure : Optional.empty(), config.lastModified());
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
