package dev.thaw.runtimeapi;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The platform's side of one environment's Runtime API. It enforces the API's one-invocation-at-a-time protocol:
 * {@code next} hands out the queued invocation, and only that invocation's id may be answered.
 *
 * <p>Lifecycle signals are futures so the environment can wait on "INIT finished", "INIT failed", "ready for
 * checkpoint" or "restore failed" together with process exit and deadlines.
 *
 * <p>A runtime's {@code next} that finds no invocation waits as a {@link Poller}, and {@link #submit} hands the
 * invocation to it in the submitting thread: no thread sits in a long poll, and a warm invoke reaches the runtime
 * without a hand-off between threads.
 */
public final class InvocationChannel {
    /** Outcome body limit for synchronous responses, as in Lambda. */
    public static final long MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

    /** Guarded by this: invocations no runtime has asked for yet, and the runtime's waiting {@code next}s. */
    private final ArrayDeque<Invocation> queue = new ArrayDeque<>();
    private final ArrayDeque<Poller> pollers = new ArrayDeque<>();
    private final AtomicReference<Invocation> inFlight = new AtomicReference<>();

    private final CompletableFuture<Void> firstPoll = new CompletableFuture<>();
    private final CompletableFuture<RuntimeOutcome.Error> initError = new CompletableFuture<>();
    private final CompletableFuture<Void> checkpointRequested = new CompletableFuture<>();
    private final CompletableFuture<RuntimeOutcome.Error> restoreError = new CompletableFuture<>();
    private volatile boolean closed;
    /** Null when this environment's loaded classes are not recorded. */
    private volatile Consumer<byte[]> loadedClasses;
    private volatile byte[] classesToPrime = new byte[0];
    private volatile byte[] checkpointSummary = new byte[0];

    /** Reports of the classes the runtime loaded go to {@code sink} (one binary name a line). */
    public void recordLoadedClassesWith(Consumer<byte[]> sink) {
        loadedClasses = sink;
    }

    /** What the runtime gets when it asks for the classes to prime before its checkpoint (one name a line). */
    public void offerClassesToPrime(byte[] names) {
        classesToPrime = names.clone();
    }

    /** The body of the runtime's checkpoint request (its priming summary, JSON); empty before it asked. */
    public byte[] checkpointSummary() {
        return checkpointSummary.clone();
    }

    /** Completes when the runtime first asks for work: INIT (or restore and its hooks) has finished. */
    public CompletableFuture<Void> firstPoll() {
        return firstPoll;
    }

    public CompletableFuture<RuntimeOutcome.Error> initError() {
        return initError;
    }

    public CompletableFuture<Void> checkpointRequested() {
        return checkpointRequested;
    }

    public CompletableFuture<RuntimeOutcome.Error> restoreError() {
        return restoreError;
    }

    /** A runtime's {@code next} waiting for an invocation. */
    interface Poller {
        /** Hands the invocation to the runtime; called in the thread that submitted it. */
        void deliver(Invocation invocation);

        /** The channel closed while the runtime waited. */
        void closed();
    }

    /** Gives an invocation to the runtime's waiting {@code next}, or queues it for the runtime's next poll. */
    public void submit(Invocation invocation) {
        Poller poller;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("channel closed");
            }
            poller = pollers.pollFirst();
            if (poller == null) {
                queue.add(invocation);
                return;
            }
            inFlight.set(invocation);
        }
        poller.deliver(invocation);
    }

    /**
     * The runtime asks for work: the queued invocation, now in flight, or null after {@code poller} was put to wait
     * for the next {@link #submit}.
     *
     * @throws IllegalStateException when the channel is closed
     */
    Invocation nextOrWait(Poller poller) {
        firstPoll.complete(null);
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("channel closed");
            }
            Invocation inv = queue.pollFirst();
            if (inv == null) {
                pollers.addLast(poller);
            } else {
                inFlight.set(inv);
            }
            return inv;
        }
    }

    /** Completes the in-flight invocation if {@code requestId} names it; false is an invalid state transition. */
    boolean complete(String requestId, RuntimeOutcome outcome) {
        Invocation current = inFlight.get();
        if (current == null || !current.requestId().equals(requestId) || !inFlight.compareAndSet(current, null)) {
            return false;
        }
        current.outcome().complete(outcome);
        return true;
    }

    void reportInitError(RuntimeOutcome.Error error) {
        initError.complete(error);
    }

    void requestCheckpoint(byte[] summary) {
        checkpointSummary = summary;
        checkpointRequested.complete(null);
    }

    /** False when this environment's loaded classes are not recorded. */
    boolean reportLoadedClasses(byte[] names) {
        Consumer<byte[]> sink = loadedClasses;
        if (sink == null) {
            return false;
        }
        sink.accept(names);
        return true;
    }

    byte[] classesToPrime() {
        return classesToPrime;
    }

    void reportRestoreError(RuntimeOutcome.Error error) {
        restoreError.complete(error);
    }

    /** Fails anything pending with {@code cause} and refuses new work. */
    public void close(Throwable cause) {
        ArrayDeque<Invocation> queued;
        ArrayDeque<Poller> waiting;
        synchronized (this) {
            closed = true;
            queued = new ArrayDeque<>(queue);
            queue.clear();
            waiting = new ArrayDeque<>(pollers);
            pollers.clear();
        }
        Invocation current = inFlight.getAndSet(null);
        if (current != null) {
            current.outcome().completeExceptionally(cause);
        }
        queued.forEach(q -> q.outcome().completeExceptionally(cause));
        waiting.forEach(Poller::closed);
        firstPoll.completeExceptionally(cause);
        checkpointRequested.completeExceptionally(cause);
    }
}
