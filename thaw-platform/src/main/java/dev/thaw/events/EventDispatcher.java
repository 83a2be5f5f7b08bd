package dev.thaw.events;

import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import dev.thaw.invoke.InvokeRequest;
import dev.thaw.invoke.InvokeResponse;
import dev.thaw.invoke.InvokeService;
import dev.thaw.store.StoredEvent;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Delivers queued events through the synchronous invoke path, at most {@link #MAX_PARALLEL} at once, each on its
 * own virtual thread. Attempt n failing schedules the next one n × retryDelay later (Lambda: about 1 and 2 minutes).
 */
public final class EventDispatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventDispatcher.class.getName());
    static final int MAX_PARALLEL = 8;
    /** How often future retries are looked for when no new event wakes the dispatcher. */
    private static final Duration IDLE_POLL = Duration.ofMillis(200);
    /** A throttled or not-yet-ready function is tried again this much later, without using an attempt. */
    private static final Duration BUSY_BACKOFF = Duration.ofSeconds(1);
    private static final Duration SYSTEM_RETRY_FIRST = Duration.ofSeconds(1);
    private static final Duration SYSTEM_RETRY_MAX = Duration.ofMinutes(5);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final int MAX_ERROR_CHARS = 4096;
    private static final Set<ErrorCode> TRY_LATER = Set.of(ErrorCode.TOO_MANY_REQUESTS,
            ErrorCode.RESOURCE_NOT_READY, ErrorCode.SNAP_START_NOT_READY);

    private final EventQueue queue;
    private final EventInvokeConfigs configs;
    private final InvokeService invoker;
    private final Duration retryDelay;
    private final Duration lease;
    private final Clock clock;
    private final Semaphore slots = new Semaphore(MAX_PARALLEL);
    private volatile boolean running;
    private Thread loop;
    private Thread leaseKeeper;
    private boolean claimsFailing;

    /**
     * @param lease how long a claimed event stays this instance's; renewed every third of it while its delivery runs,
     *              so only a dead instance's events go to another
     */
    public EventDispatcher(EventQueue queue, EventInvokeConfigs configs, InvokeService invoker, Duration retryDelay,
                           Duration lease, Clock clock) {
        this.queue = queue;
        this.configs = configs;
        this.invoker = invoker;
        this.retryDelay = retryDelay;
        this.lease = lease;
        this.clock = clock;
    }

    /** Re-queues what was running when the platform last stopped (at-least-once), then starts delivering. */
    public EventDispatcher start() {
        int requeued = queue.requeueInterrupted();
        if (requeued > 0) {
            LOG.info("re-queued " + requeued + " event(s) interrupted by the last shutdown");
        }
        running = true;
        loop = Thread.ofPlatform().daemon().name("event-dispatcher").start(this::run);
        leaseKeeper = Thread.ofPlatform().daemon().name("event-leases").start(this::renewLeases);
        return this;
    }

    private void renewLeases() {
        Duration every = lease.dividedBy(3);
        while (running) {
            try {
                Thread.sleep(every);
                queue.renewLeases();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot renew the leases of events in delivery", e);
            }
        }
    }

    private void run() {
        while (running) {
            try {
                slots.acquire();
                int held = 1;
                while (held < MAX_PARALLEL && slots.tryAcquire()) {
                    held++;
                }
                List<StoredEvent> due = List.of();
                try {
                    due = queue.claimDue(held);
                } finally {
                    slots.release(held - due.size());
                }
                for (StoredEvent event : due) {
                    Thread.ofVirtual().name("event-" + event.id()).start(() -> deliverAndRelease(event));
                }
                if (due.isEmpty()) {
                    queue.awaitWork(IDLE_POLL);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // Once per outage: while the database is down every poll fails the same way.
                if (!claimsFailing) {
                    LOG.log(Level.WARNING, "event dispatch failed; retrying until the queue answers", e);
                    claimsFailing = true;
                }
                sleepQuietly(IDLE_POLL);
                continue;
            }
            if (claimsFailing) {
                LOG.info("event dispatch works again");
                claimsFailing = false;
            }
        }
    }

    private void deliverAndRelease(StoredEvent event) {
        try {
            deliver(event);
        } catch (RuntimeException e) {
            // The event stays "running": re-queued at the next start, or taken by another instance after its lease.
            LOG.log(Level.WARNING, "cannot record the outcome of event " + event.id(), e);
        } finally {
            slots.release();
        }
    }

    private void deliver(StoredEvent event) {
        RetryPolicy policy = configs.policy(event.functionName(), event.qualifier());
        long now = clock.millis();
        if (policy.expiredAt(event.acceptedAt(), now)) {
            queue.fail(event, event.attempts(), Optional.ofNullable(event.lastError())
                    .orElse("Event exceeded MaximumEventAgeInSeconds before delivery"));
            return;
        }
        try {
            InvokeResponse response = invoker.invoke(new InvokeRequest(event.functionName(),
                    Optional.of(event.version()), InvokeRequest.InvocationType.REQUEST_RESPONSE, false,
                    Optional.empty(), event.payload()));
            if (response.functionError().isEmpty()) {
                queue.delivered(event);
            } else {
                attemptFailed(event, policy, new String(response.payload(), StandardCharsets.UTF_8));
            }
        } catch (ThawException e) {
            if (TRY_LATER.contains(e.code())) {
                queue.retryAt(event, event.attempts(), clock.millis() + BUSY_BACKOFF.toMillis(), event.lastError());
            } else if (e.code().httpStatus() >= 500) {
                systemErrorRetry(event, policy, e.code().awsType() + ": " + e.getMessage());
            } else {
                attemptFailed(event, policy, e.code().awsType() + ": " + e.getMessage());
            }
        } catch (RuntimeException e) {
            attemptFailed(event, policy, e.toString());
        }
    }

    /**
     * A system error (the platform's, such as a worker lost with the invocation in flight), not the function's: as on
     * Lambda, the event goes back to the queue without spending a retry attempt and is tried again until its maximum
     * age, the wait growing with the event's age from 1 s to 5 minutes (at most five retry steps, for a platform
     * configured with a shorter step than Lambda's minute).
     */
    private void systemErrorRetry(StoredEvent event, RetryPolicy policy, String error) {
        if (!running) {
            return;
        }
        String lastError = error.length() > MAX_ERROR_CHARS ? error.substring(0, MAX_ERROR_CHARS) : error;
        long now = clock.millis();
        long longest = Math.min(SYSTEM_RETRY_MAX.toMillis(), 5 * retryDelay.toMillis());
        long wait = Math.clamp(now - event.acceptedAt(), SYSTEM_RETRY_FIRST.toMillis(),
                Math.max(SYSTEM_RETRY_FIRST.toMillis(), longest));
        if (policy.expiredAt(event.acceptedAt(), now + wait)) {
            queue.fail(event, event.attempts(), lastError);
        } else {
            queue.retryAt(event, event.attempts(), now + wait, lastError);
        }
    }

    private void attemptFailed(StoredEvent event, RetryPolicy policy, String error) {
        if (!running) {
            // Shutdown broke the invocation, not the function: leave it running so the next start retries it free.
            return;
        }
        String lastError = error.length() > MAX_ERROR_CHARS ? error.substring(0, MAX_ERROR_CHARS) : error;
        int attempts = event.attempts() + 1;
        long retryAt = clock.millis() + retryDelay.toMillis() * attempts;
        if (attempts > policy.maximumRetryAttempts() || policy.expiredAt(event.acceptedAt(), retryAt)) {
            queue.fail(event, attempts, lastError);
        } else {
            queue.retryAt(event, attempts, retryAt, lastError);
        }
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops claiming events and waits briefly for deliveries in flight; unfinished ones go back to the queue, for
     * another instance on the same database to take at once or for this one at its next start.
     */
    @Override
    public void close() {
        running = false;
        if (loop == null) {
            return;
        }
        loop.interrupt();
        leaseKeeper.interrupt();
        try {
            loop.join(STOP_GRACE);
            if (slots.tryAcquire(MAX_PARALLEL, STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                slots.release(MAX_PARALLEL);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            int released = queue.releaseClaims();
            if (released > 0) {
                LOG.info("returned " + released + " unfinished event(s) to the queue");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot return unfinished events to the queue; their leases will end", e);
        }
    }
}
