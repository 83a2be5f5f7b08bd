package dev.thaw.environments;

import dev.thaw.errors.RuntimeErrorType;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.functions.VersionListener;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Warm environments, keyed by {@link FunctionVersion#environmentKey()} so an update or a new version never reuses an
 * environment running older code. A request takes the most recently used idle environment (it is the warmest) or
 * asks the provider for a new one; concurrent cold starts proceed in parallel. An environment idle for longer than
 * the freeze grace is frozen (it uses no CPU) and thawed when it is leased again; a busy environment serving
 * back-to-back requests never pays for that. Idle environments are stopped after the idle TTL, and those of retired
 * versions at once.
 */
public final class EnvironmentPool implements VersionListener, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EnvironmentPool.class.getName());

    private final EnvironmentProvider provider;
    private final Duration idleTtl;
    private final Duration freezeAfter;
    private final Map<String, Deque<Environment>> idle = new HashMap<>();
    private final Set<Environment> all = ConcurrentHashMap.newKeySet();
    /** Versions whose environments are being made for a request right now, one entry per cold start. */
    private final Map<Object, FunctionVersion> starting = new ConcurrentHashMap<>();
    private final Set<String> retiredKeys = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("environment-reaper").factory());
    private volatile boolean closed;

    public EnvironmentPool(EnvironmentProvider provider, Duration idleTtl, Duration freezeAfter) {
        this.provider = provider;
        this.idleTtl = idleTtl;
        this.freezeAfter = freezeAfter;
        long period = Math.max(100, Math.min(1000, idleTtl.toMillis() / 2));
        reaper.scheduleWithFixedDelay(this::reapIdle, period, period, TimeUnit.MILLISECONDS);
        if (freezeAfter.isPositive()) {
            long every = Math.max(20, freezeAfter.toMillis() / 4);
            reaper.scheduleWithFixedDelay(this::freezeIdle, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /** A lease on an environment serving one invocation; {@code cold} when it was made for this request. */
    public record Lease(Environment environment, boolean cold) {
    }

    public Lease acquire(FunctionVersion version) throws StartupFailure {
        if (closed) {
            throw StartupFailure.of(RuntimeErrorType.UNAVAILABLE, "platform is shutting down", "pool closed");
        }
        String key = version.environmentKey();
        synchronized (idle) {
            Deque<Environment> q = idle.get(key);
            while (q != null && !q.isEmpty()) {
                Environment env = q.pollFirst();
                if (env.lease()) {
                    return new Lease(env, false);
                }
            }
        }
        Object coldStart = new Object();
        starting.put(coldStart, version);
        Environment env;
        try {
            env = provider.provide(version);
            all.add(env);
        } finally {
            starting.remove(coldStart);
        }
        // A crashed environment still holds a port, a log stream and cgroups: release them.
        env.process().onExit().whenComplete((c, e) -> {
            if (!env.isInvoking()) {
                stopAsync(env);
            }
        });
        if (closed) {
            env.stop();
            throw StartupFailure.of(RuntimeErrorType.UNAVAILABLE, "platform is shutting down", "pool closed");
        }
        return new Lease(env, true);
    }

    /** Returns an environment after its invocation; broken or retired ones are stopped. */
    public void release(Environment env, boolean reusable) {
        String key = env.version().environmentKey();
        if (!reusable || closed || retiredKeys.contains(key) || env.state() == EnvironmentState.DEAD) {
            stop(env);
            return;
        }
        env.idle();
        synchronized (idle) {
            idle.computeIfAbsent(key, k -> new ArrayDeque<>()).addFirst(env);
        }
    }

    @Override
    public void versionRetired(FunctionVersion version) {
        String key = version.environmentKey();
        retiredKeys.add(key);
        List<Environment> toStop;
        synchronized (idle) {
            Deque<Environment> q = idle.remove(key);
            toStop = q == null ? List.of() : new ArrayList<>(q);
        }
        toStop.forEach(this::stopAsync);
    }

    /** Stops every idle environment (all of them, or one function's): the next invoke is a cold start. */
    public int evictIdle(String functionNameOrNull) {
        List<Environment> toStop = new ArrayList<>();
        synchronized (idle) {
            for (var it = idle.entrySet().iterator(); it.hasNext(); ) {
                var entry = it.next();
                if (functionNameOrNull == null || entry.getKey().startsWith(functionNameOrNull + ":")) {
                    toStop.addAll(entry.getValue());
                    it.remove();
                }
            }
        }
        toStop.forEach(this::stop);
        return toStop.size();
    }

    public List<Environment> environments() {
        return List.copyOf(all);
    }

    /** The versions of the cold starts in progress, one entry per environment being made. */
    public List<FunctionVersion> starting() {
        return List.copyOf(starting.values());
    }

    private void freezeIdle() {
        List<Environment> due = new ArrayList<>();
        synchronized (idle) {
            for (Deque<Environment> q : idle.values()) {
                for (Environment env : q) {
                    if (!env.isFrozen() && env.idleNanos() > freezeAfter.toNanos()) {
                        due.add(env);
                    }
                }
            }
        }
        // Outside the pool's lock: a request that leases one of these meanwhile wins (Environment.lease).
        due.forEach(Environment::freeze);
    }

    private void reapIdle() {
        List<Environment> expired = new ArrayList<>();
        synchronized (idle) {
            for (Deque<Environment> q : idle.values()) {
                q.removeIf(env -> {
                    boolean old = env.idleNanos() > idleTtl.toNanos() || env.state() == EnvironmentState.DEAD;
                    if (old) {
                        expired.add(env);
                    }
                    return old;
                });
            }
            idle.values().removeIf(Deque::isEmpty);
        }
        for (Environment env : expired) {
            LOG.fine(() -> "reaping idle " + env);
            stop(env);
        }
    }

    private void forget(Environment env) {
        all.remove(env);
        synchronized (idle) {
            Deque<Environment> q = idle.get(env.version().environmentKey());
            if (q != null) {
                q.remove(env);
            }
        }
    }

    private void stopAsync(Environment env) {
        Thread.ofVirtual().name("stop-" + env.id()).start(() -> stop(env));
    }

    private void stop(Environment env) {
        env.stop();
        forget(env);
    }

    /** Stops every environment, in parallel, and waits for them. */
    @Override
    public void close() {
        closed = true;
        reaper.shutdownNow();
        List<Thread> stoppers = new ArrayList<>();
        for (Environment env : List.copyOf(all)) {
            stoppers.add(Thread.ofVirtual().start(() -> stop(env)));
        }
        for (Thread t : stoppers) {
            try {
                t.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
