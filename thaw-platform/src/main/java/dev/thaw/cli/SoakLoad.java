package dev.thaw.cli;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The soak's mixed load on three functions of one platform: synchronous invokes of a healthy function from
 * {@link #CALLERS} callers, Event invokes of an echoing function at {@link #EVENTS_PER_SECOND} per second (each
 * carrying a unique id), synchronous invokes of a function that always throws, and an eviction of every idle
 * environment each {@link #EVICT_EVERY}, so environments keep being stopped and started. Owns the load's threads,
 * which exist only inside {@link #run}, and counts what the load did over all its runs.
 */
final class SoakLoad {
    static final int CALLERS = 4;
    static final int EVENTS_PER_SECOND = 20;
    static final Duration EVICT_EVERY = Duration.ofSeconds(2);
    static final Duration FAILING_EVERY = Duration.ofMillis(500);
    /**
     * Between two invokes of one caller: the soak is about a long life, not throughput, and four callers flat out
     * would take both cores of a small machine from event delivery and the cold starts evictions cause.
     */
    private static final long CALLER_PAUSE_MS = 10;
    private static final String EVENT = "Event";

    private final ApiClient api;
    private final URI endpoint;
    private final String healthy;
    private final String echo;
    private final String failing;
    private final String idPrefix;
    private final AtomicLong nextEvent = new AtomicLong();
    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong synchronous = new AtomicLong();
    private final AtomicLong synchronousFailed = new AtomicLong();
    private final AtomicLong failedAsExpected = new AtomicLong();
    private final AtomicLong failingOtherwise = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private final AtomicLong evicted = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();

    /**
     * @param healthy  answers every invoke
     * @param echo     logs each event's payload as {@code echo-log {soak=ID}}
     * @param failing  throws on every invoke
     * @param idPrefix starts every event id, so the ids of one soak are unique on a platform that ran others
     */
    SoakLoad(ApiClient api, URI endpoint, String healthy, String echo, String failing, String idPrefix) {
        this.api = api;
        this.endpoint = endpoint;
        this.healthy = healthy;
        this.echo = echo;
        this.failing = failing;
        this.idPrefix = idPrefix;
    }

    /** Runs the load for {@code length}; returns once every request it started has been answered. */
    void run(Duration length) throws InterruptedException {
        long deadline = System.nanoTime() + length.toNanos();
        try (ScheduledExecutorService timers = Executors.newScheduledThreadPool(3,
                     Thread.ofPlatform().daemon().name("soak-timer-", 0).factory());
             ExecutorService callers = Executors.newFixedThreadPool(CALLERS,
                     Thread.ofPlatform().daemon().name("soak-caller-", 0).factory())) {
            timers.scheduleAtFixedRate(guarded(this::sendEvent), 0, 1_000_000 / EVENTS_PER_SECOND,
                    TimeUnit.MICROSECONDS);
            timers.scheduleAtFixedRate(guarded(this::invokeFailing), 0, FAILING_EVERY.toMillis(),
                    TimeUnit.MILLISECONDS);
            timers.scheduleWithFixedDelay(guarded(this::evict), EVICT_EVERY.toMillis(), EVICT_EVERY.toMillis(),
                    TimeUnit.MILLISECONDS);
            WarmClient client = new WarmClient(endpoint, healthy, "$LATEST", "{\"name\":\"soak\"}");
            for (int c = 0; c < CALLERS; c++) {
                callers.submit(() -> call(client, deadline));
            }
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.sleep(left);
            }
            // Cancels the periodic tasks now: a caller may still wait seconds for a cold start, and events must not
            // go on meanwhile. Closing both pools then waits for what is in flight, so none of this run's requests
            // is unanswered when run returns.
            timers.shutdown();
        }
    }

    /** Ids of the events the platform accepted (202). */
    Set<String> acceptedEvents() {
        return Set.copyOf(accepted);
    }

    /** Event invokes that were not accepted: an error answer or no answer. */
    long refusedEvents() {
        return refused.get();
    }

    /** What the load did so far, over all its runs. */
    SoakReport.Load counts() {
        return new SoakReport.Load(synchronous.get(), synchronousFailed.get(), failedAsExpected.get(),
                failingOtherwise.get(), evictions.get(), evicted.get(), firstError.get());
    }

    private void call(WarmClient client, long deadline) {
        while (System.nanoTime() < deadline) {
            try {
                client.invoke();
                synchronous.incrementAndGet();
            } catch (RuntimeException e) {
                synchronousFailed.incrementAndGet();
                error(healthy, e);
            }
            try {
                Thread.sleep(CALLER_PAUSE_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sendEvent() {
        String id = idPrefix + "-" + nextEvent.incrementAndGet();
        byte[] payload = ("{\"soak\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8);
        try {
            ApiClient.Response r = api.send("POST", invocations(echo), payload,
                    Map.of("X-Amz-Invocation-Type", EVENT));
            if (r.status() == 202) {
                accepted.add(id);
                return;
            }
            error(echo, new IllegalStateException("Event invoke answered " + r.status()));
        } catch (RuntimeException e) {
            error(echo, e);
        }
        refused.incrementAndGet();
    }

    private void invokeFailing() {
        try {
            ApiClient.Response r = api.send("POST", invocations(failing), "{\"msg\":\"soak\"}".getBytes(
                    StandardCharsets.UTF_8), Map.of());
            if (r.header("X-Amz-Function-Error") != null) {
                failedAsExpected.incrementAndGet();
                return;
            }
            error(failing, new IllegalStateException("answered " + r.status() + " without X-Amz-Function-Error"));
        } catch (RuntimeException e) {
            error(failing, e);
        }
        failingOtherwise.incrementAndGet();
    }

    private void evict() {
        evicted.addAndGet(api.evictIdle());
        evictions.incrementAndGet();
    }

    private static String invocations(String function) {
        return "/2015-03-31/functions/" + function + "/invocations";
    }

    /** A periodic task that throws is cancelled silently; this one records the error and keeps its schedule. */
    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                error("the load", e);
            }
        };
    }

    private void error(String where, RuntimeException e) {
        firstError.compareAndSet(null, where + ": " + e.getMessage());
    }
}
