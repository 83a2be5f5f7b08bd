package dev.thaw.invoke;

import dev.thaw.errors.ThawException;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Lambda's concurrency model: a function with reserved concurrency may run at most that many invocations at once
 * (0 throttles it completely) and draws only on its reservation, its provisioned copies included; other functions
 * share what the account limit leaves unreserved. Provisioned concurrency of a function without a reservation is
 * taken out of that shared pool: its invocations up to the provisioned number run on it, and those beyond spill over
 * into the shared pool.
 */
public final class ConcurrencyLimiter implements ConcurrencyGate {
    private static final int RETRY_AFTER_SECONDS = 1;

    private final int accountLimit;
    private final Map<String, Integer> running = new HashMap<>();
    /** Invocations running on provisioned concurrency, by environment key. */
    private final Map<String, Integer> provisionedRunning = new HashMap<>();
    private int unreservedRunning;

    public ConcurrencyLimiter(int accountLimit) {
        this.accountLimit = accountLimit;
    }

    @Override
    public Permit acquire(String functionName, OptionalInt reserved, int totalReserved) {
        return acquire(functionName, reserved, totalReserved, new Provisioned("", 0, 0));
    }

    @Override
    public synchronized Permit acquire(String functionName, OptionalInt reserved, int totalReserved,
                                       Provisioned provisioned) {
        int current = running.getOrDefault(functionName, 0);
        boolean onProvisioned = false;
        if (reserved.isPresent()) {
            if (current >= reserved.getAsInt()) {
                throw ThawException.throttled("ReservedFunctionConcurrentInvocationLimitExceeded",
                        "Rate Exceeded.", RETRY_AFTER_SECONDS);
            }
        } else if (provisionedRunning.getOrDefault(provisioned.key(), 0) < provisioned.copies()) {
            onProvisioned = true;
        } else if (unreservedRunning >= accountLimit - totalReserved - provisioned.onUnreservedFunctions()) {
            throw ThawException.throttled("ConcurrentInvocationLimitExceeded", "Rate Exceeded.",
                    RETRY_AFTER_SECONDS);
        }
        running.merge(functionName, 1, Integer::sum);
        boolean unreserved = reserved.isEmpty() && !onProvisioned;
        if (unreserved) {
            unreservedRunning++;
        }
        String provisionedKey = onProvisioned ? provisioned.key() : null;
        if (provisionedKey != null) {
            provisionedRunning.merge(provisionedKey, 1, Integer::sum);
        }
        return new Permit() {
            private boolean closed;

            @Override
            public void close() {
                synchronized (ConcurrencyLimiter.this) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    running.merge(functionName, -1, (a, b) -> a + b == 0 ? null : a + b);
                    if (unreserved) {
                        unreservedRunning--;
                    }
                    if (provisionedKey != null) {
                        provisionedRunning.merge(provisionedKey, -1, (a, b) -> a + b == 0 ? null : a + b);
                    }
                }
            }
        };
    }

    /** Invocations running now, by function. */
    public synchronized Map<String, Integer> runningByFunction() {
        return Map.copyOf(running);
    }

    public synchronized int running(String functionName) {
        return running.getOrDefault(functionName, 0);
    }
}
