package dev.thaw.runtimeapi;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The platform's side of one environment's Runtime API. It enforces the API's one-invocation-at-a-time protocol:
 * {@code next} hands out the queued invocation, and only that invocation's id may be answered.
 *
 * <p>Lifecycle signals are futures so the environment can wait on "INIT finished", "INIT failed", "ready for
 * checkpoint" or "restore failed" together with process exit and deadlines.
 */
public final class InvocationChannel {
    /** Outcome body limit for synchronous responses, as in Lambda. */
    public static final long MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

    private final LinkedBlockingQueue<Invocation> queue = new LinkedBlockingQueue<>();
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

    /** Queues an invocation for the runtime's next poll. */
    public void submit(Invocation invocation) {
        if (closed) {
            throw new IllegalStateException("channel closed");
        }
        queue.add(invocation);
    }

    /** Blocks until an invocation is available; null when the channel is closed or the wait timed out. */
    Invocation next(long timeoutMillis) throws InterruptedException {
        firstPoll.complete(null);
        Invocation inv = queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        if (inv != null) {
            inFlight.set(inv);
        }
        return inv;
    }

    boolean isClosed() {
        return closed;
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
        closed = true;
        Invocation current = inFlight.getAndSet(null);
        if (current != null) {
            current.outcome().completeExceptionally(cause);
        }
        Invocation queued;
        while ((queued = queue.poll()) != null) {
            queued.outcome().completeExceptionally(cause);
        }
        firstPoll.completeExceptionally(cause);
        checkpointRequested.completeExceptionally(cause);
    }
}
