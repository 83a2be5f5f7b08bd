package dev.thaw.invoke;

import dev.thaw.errors.ThawException;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Lambda's concurrency model: a function with reserved concurrency may run at most that many invocations at once
 * (0 throttles it completely) and draws only on its reservation; other functions share what the account limit
 * leaves unreserved.
 */
public final class ConcurrencyLimiter implements ConcurrencyGate {
    private static final int RETRY_AFTER_SECONDS = 1;

    private final int accountLimit;
    private final Map<String, Integer> running = new HashMap<>();
    private int unreservedRunning;

    public ConcurrencyLimiter(int accountLimit) {
        this.accountLimit = accountLimit;
    }

    @Override
    public synchronized Permit acquire(String functionName, OptionalInt reserved, int totalReserved) {
        int current = running.getOrDefault(functionName, 0);
        if (reserved.isPresent()) {
            if (current >= reserved.getAsInt()) {
                throw ThawException.throttled("ReservedFunctionConcurrentInvocationLimitExceeded",
                        "Rate Exceeded.", RETRY_AFTER_SECONDS);
            }
        } else if (unreservedRunning >= accountLimit - totalReserved) {
            throw ThawException.throttled("ConcurrentInvocationLimitExceeded", "Rate Exceeded.",
                    RETRY_AFTER_SECONDS);
        }
        running.merge(functionName, 1, Integer::sum);
        boolean unreserved = reserved.isEmpty();
        if (unreserved) {
            unreservedRunning++;
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
