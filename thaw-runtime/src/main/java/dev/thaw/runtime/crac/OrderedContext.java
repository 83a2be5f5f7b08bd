package dev.thaw.runtime.crac;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A context with the properties org.crac's package-info gives the global context: weak references,
 * checkpoint in reverse registration order, restore in registration order, every resource notified,
 * failures gathered as suppressed exceptions.
 *
 * <p>Registering the same object again moves it to the end, as a WeakHashMap keyed by resource with an
 * order counter would (the AWS and CRaC JDK contexts); identity is used instead of {@code equals} because
 * org.crac's proxies forward {@code equals} to user code. A resource registered while a notification runs
 * takes part from the next checkpoint on.
 */
public final class OrderedContext extends Context<Resource> {

    private enum Phase { READY, CHECKPOINTING, CHECKPOINTED, RESTORING }

    private final List<WeakReference<Resource>> registrations = new ArrayList<>();
    private final ReferenceQueue<Resource> collected = new ReferenceQueue<>();
    private Phase phase = Phase.READY;
    /** Held strongly from checkpoint to restore, so every resource told of the checkpoint hears of the restore. */
    private List<Resource> checkpointed = List.of();

    @Override
    public synchronized void register(Resource resource) {
        if (resource == null) {
            throw new NullPointerException("resource");
        }
        dropCollected();
        registrations.removeIf(ref -> ref.get() == resource);
        registrations.add(new WeakReference<>(resource, collected));
    }

    @Override
    public synchronized void beforeCheckpoint(Context<? extends Resource> context) throws CheckpointException {
        requirePhase(Phase.READY, "beforeCheckpoint");
        phase = Phase.CHECKPOINTING;
        List<Resource> inRegistrationOrder = liveResources();
        List<Exception> failures = new ArrayList<>();
        try {
            for (int i = inRegistrationOrder.size() - 1; i >= 0; i--) {
                try {
                    inRegistrationOrder.get(i).beforeCheckpoint(this);
                } catch (Exception e) {
                    failures.add(e);
                }
            }
        } finally {
            checkpointed = inRegistrationOrder;
            phase = Phase.CHECKPOINTED;
        }
        if (!failures.isEmpty()) {
            throw suppressAll(new CheckpointException(), failures);
        }
    }

    @Override
    public synchronized void afterRestore(Context<? extends Resource> context) throws RestoreException {
        requirePhase(Phase.CHECKPOINTED, "afterRestore");
        phase = Phase.RESTORING;
        List<Exception> failures = new ArrayList<>();
        try {
            for (Resource resource : checkpointed) {
                try {
                    resource.afterRestore(this);
                } catch (Exception e) {
                    failures.add(e);
                }
            }
        } finally {
            checkpointed = List.of();
            phase = Phase.READY;
        }
        if (!failures.isEmpty()) {
            throw suppressAll(new RestoreException(), failures);
        }
    }

    private void requirePhase(Phase expected, String notification) {
        if (phase != expected) {
            throw new IllegalStateException(notification + " called while the context is " + phase
                    + "; notifications must alternate beforeCheckpoint, afterRestore and never nest");
        }
    }

    private List<Resource> liveResources() {
        dropCollected();
        List<Resource> live = new ArrayList<>(registrations.size());
        for (WeakReference<Resource> ref : registrations) {
            Resource resource = ref.get();
            if (resource != null) {
                live.add(resource);
            }
        }
        return Collections.unmodifiableList(live);
    }

    private void dropCollected() {
        Reference<? extends Resource> ref;
        while ((ref = collected.poll()) != null) {
            registrations.remove(ref);
        }
    }

    /**
     * A nested context reports its resources' failures as the suppressed exceptions of its own
     * Checkpoint/RestoreException; those are lifted into ours so the caller sees a flat list. An exception of
     * that type without suppressed ones carries its own message, so it is kept as it is.
     */
    private static <T extends Exception> T suppressAll(T aggregate, List<Exception> failures) {
        for (Exception failure : failures) {
            if (isAggregate(failure) && failure.getSuppressed().length > 0) {
                for (Throwable inner : failure.getSuppressed()) {
                    aggregate.addSuppressed(inner);
                }
            } else {
                aggregate.addSuppressed(failure);
            }
        }
        return aggregate;
    }

    private static boolean isAggregate(Exception e) {
        return e instanceof CheckpointException || e instanceof RestoreException
                || e instanceof org.crac.CheckpointException || e instanceof org.crac.RestoreException;
    }
}
