package dev.thaw.invoke;

import java.util.OptionalInt;

/**
 * Admits an invocation under account and reserved concurrency or throttles it (429 with Reason): in one process
 * ({@link ConcurrencyLimiter}) or across a cluster's API instances (the cluster package's leases).
 */
public interface ConcurrencyGate {
    /** A held slot; closing it frees the slot. */
    interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    Permit acquire(String functionName, OptionalInt reserved, int totalReserved);

    /**
     * The provisioned concurrency an invocation may run on: {@code copies} for environment key {@code key}, and
     * {@code onUnreservedFunctions} in all taken out of the shared pool.
     */
    record Provisioned(String key, int copies, int onUnreservedFunctions) {
    }

    /** Admits with provisioned concurrency counted; a gate that does not keep provisioned copies ignores it. */
    default Permit acquire(String functionName, OptionalInt reserved, int totalReserved, Provisioned provisioned) {
        return acquire(functionName, reserved, totalReserved);
    }
}
