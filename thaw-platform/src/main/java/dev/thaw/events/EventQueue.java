package dev.thaw.events;

import dev.thaw.errors.ThawException;
import dev.thaw.functions.FunctionService;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.functions.Invocable;
import dev.thaw.metrics.PlatformMetrics;
import dev.thaw.store.MetadataStore;
import dev.thaw.store.StoredEvent;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The durable queue of Event invocations in the metadata store, shared by every instance on the same database, and the
 * signal that wakes this instance's dispatcher when one arrives here.
 */
public final class EventQueue {
    /** Lambda's asynchronous payload limit. */
    public static final int MAX_EVENT_PAYLOAD = 1024 * 1024;

    private final FunctionService functions;
    private final MetadataStore store;
    private final Clock clock;
    private final PlatformMetrics metrics;
    private final Object signal = new Object();
    private boolean signalled;

    public EventQueue(FunctionService functions, MetadataStore store, Clock clock, PlatformMetrics metrics) {
        this.functions = functions;
        this.store = store;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * Resolves the target now (so later alias or $LATEST changes do not alter what runs) and stores the event with
     * the qualifier it named; returns its request id once it is durable.
     */
    public String accept(String functionRef, Optional<String> qualifier, byte[] payload) {
        if (payload.length > MAX_EVENT_PAYLOAD) {
            throw ThawException.tooLarge("Request must be smaller than " + MAX_EVENT_PAYLOAD
                    + " bytes for the InvokeFunction operation");
        }
        Invocable target = functions.resolveForInvoke(functionRef, qualifier.orElse(null));
        // The qualifier as named (an alias stays an alias), so its event invoke config governs the retries.
        String named = functions.arns().parse(functionRef).qualifier(qualifier.orElse(null))
                .orElse(FunctionVersion.LATEST);
        String id = UUID.randomUUID().toString();
        store.insertEvent(id, target.version().functionName(), target.executedVersion(), named, payload,
                clock.millis());
        metrics.eventAccepted(target.version().functionName());
        synchronized (signal) {
            signalled = true;
            signal.notifyAll();
        }
        return id;
    }

    /** Failed events of one function, or of all when {@code functionRef} is empty. */
    public List<StoredEvent> failed(Optional<String> functionRef) {
        return store.failedEvents(functionRef.map(ref -> functions.arns().parse(ref).name()).orElse(null));
    }

    /** Events stored and not yet delivered or failed: how many, and when the oldest was accepted. */
    public MetadataStore.EventBacklog backlog() {
        return store.eventBacklog();
    }

    int requeueInterrupted() {
        return store.requeueRunningEvents();
    }

    List<StoredEvent> claimDue(int limit) {
        return store.claimDueEvents(clock.millis(), limit);
    }

    int renewLeases() {
        return store.renewEventLeases(clock.millis());
    }

    int releaseClaims() {
        return store.releaseEventClaims();
    }

    void delivered(StoredEvent event) {
        store.deleteEvent(event.id());
        metrics.eventDelivered(event.functionName());
    }

    void retryAt(StoredEvent event, int attempts, long when, String lastError) {
        store.requeueEvent(event.id(), attempts, when, lastError);
        if (attempts > event.attempts()) {
            metrics.eventRetried(event.functionName());
        }
    }

    void fail(StoredEvent event, int attempts, String lastError) {
        store.failEvent(event.id(), attempts, lastError);
        metrics.eventFailed(event.functionName());
    }

    /** Waits until an event is accepted or {@code timeout} passes. */
    void awaitWork(Duration timeout) throws InterruptedException {
        synchronized (signal) {
            if (!signalled) {
                signal.wait(timeout.toMillis());
            }
            signalled = false;
        }
    }
}
