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
}
