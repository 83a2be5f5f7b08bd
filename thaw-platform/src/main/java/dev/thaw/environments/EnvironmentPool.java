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
 *
 * <p>Provisioned concurrency copies ({@link #addProvisioned}) are leased before any other idle environment of their
 * version and are never stopped for being idle or by {@link #evictIdle}: only when their version is retired, when
 * they crash, or when fewer are wanted ({@link #keepProvisioned}). Their keeper counts them with
 * {@link #provisionedCopies} and replaces those that are gone.
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
    /** Idle provisioned copies by environment key; guarded by {@code idle}'s lock like the ordinary idle ones. */
    private final Map<String, Deque<Environment>> provisionedIdle = new HashMap<>();
    /** How many provisioned copies each environment key should keep; a key missing here keeps none. */
    private final Map<String, Integer> provisionedWanted = new ConcurrentHashMap<>();
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
            Deque<Environment> copies = provisionedIdle.get(key);
            while (copies != null && !copies.isEmpty()) {
                Environment env = copies.pollFirst();
                if (env.lease()) {
                    return new Lease(env, false);
                }
            }
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
        stopOnCrash(env);
        if (closed) {
            env.stop();
            throw StartupFailure.of(RuntimeErrorType.UNAVAILABLE, "platform is shutting down", "pool closed");
        }
        return new Lease(env, true);
    }

    /** A crashed environment still holds a port, a log stream and cgroups: release them. */
    private void stopOnCrash(Environment env) {
        env.process().onExit().whenComplete((c, e) -> {
            if (!env.isInvoking()) {
                stopAsync(env);
            }
        });
    }

    /** Returns an environment after its invocation; broken or retired ones are stopped, and unwanted copies. */
    public void release(Environment env, boolean reusable) {
        String key = env.version().environmentKey();
        if (!reusable || closed || retiredKeys.contains(key) || env.state() == EnvironmentState.DEAD) {
            stop(env);
            return;
        }
        if (env.isProvisioned()) {
            synchronized (idle) {
                if (provisionedCopies(key).size() <= provisionedWanted.getOrDefault(key, 0)) {
                    env.idle();
                    provisionedIdle.computeIfAbsent(key, k -> new ArrayDeque<>()).addFirst(env);
                    return;
                }
            }
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
        provisionedWanted.remove(key);
        List<Environment> toStop = new ArrayList<>();
        synchronized (idle) {
            Deque<Environment> q = idle.remove(key);
            if (q != null) {
                toStop.addAll(q);
            }
            Deque<Environment> copies = provisionedIdle.remove(key);
            if (copies != null) {
                toStop.addAll(copies);
            }
        }
        toStop.forEach(this::stopAsync);
    }

    /**
     * Takes a ready provisioned copy ({@link Environment#provisioned}) into the pool, idle and frozen when the pool
     * freezes idle environments. A copy its version no longer wants (or that arrives while the pool closes) is
     * stopped; false then.
     */
    public boolean addProvisioned(Environment env) {
        String key = env.version().environmentKey();
        all.add(env);
        stopOnCrash(env);
        synchronized (idle) {
            if (!closed && !retiredKeys.contains(key) && env.state() != EnvironmentState.DEAD
                    && provisionedCopies(key).size() <= provisionedWanted.getOrDefault(key, 0)) {
                env.idle();
                provisionedIdle.computeIfAbsent(key, k -> new ArrayDeque<>()).addFirst(env);
                if (freezeAfter.isPositive()) {
                    // Outside any request: a copy waiting for one uses no CPU.
                    env.freeze();
                }
                return true;
            }
        }
        stop(env);
        return false;
    }

    /**
     * How many provisioned copies of environment key {@code key} to keep: idle ones beyond that are stopped now,
     * busy ones when their invocation ends. Zero stops them all.
     */
    public void keepProvisioned(String key, int wanted) {
        if (wanted <= 0) {
            provisionedWanted.remove(key);
        } else {
            provisionedWanted.put(key, wanted);
        }
        List<Environment> surplus = new ArrayList<>();
        synchronized (idle) {
            int excess = provisionedCopies(key).size() - Math.max(0, wanted);
            Deque<Environment> copies = provisionedIdle.get(key);
            while (excess > 0 && copies != null && !copies.isEmpty()) {
                surplus.add(copies.pollLast());
                excess--;
            }
        }
        surplus.forEach(this::stopAsync);
    }

    /** The environment keys that have provisioned copies or want some. */
    public Set<String> provisionedKeys() {
        Set<String> keys = new java.util.HashSet<>(provisionedWanted.keySet());
        for (Environment env : all) {
            if (env.isProvisioned()) {
                keys.add(env.version().environmentKey());
            }
        }
        return keys;
    }

    /** The live provisioned copies of an environment key, idle or busy. */
    public List<Environment> provisionedCopies(String key) {
        return all.stream().filter(env -> env.isProvisioned() && env.state() != EnvironmentState.DEAD
                && env.version().environmentKey().equals(key)).toList();
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
            for (Map<String, Deque<Environment>> kind : List.of(idle, provisionedIdle)) {
                for (Deque<Environment> q : kind.values()) {
                    for (Environment env : q) {
                        if (!env.isFrozen() && env.idleNanos() > freezeAfter.toNanos()) {
                            due.add(env);
                        }
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
            Deque<Environment> copies = provisionedIdle.get(env.version().environmentKey());
            if (copies != null) {
                copies.remove(env);
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
