package dev.thaw.invoke;

import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import org.junit.jupiter.api.Test;

import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConcurrencyLimiterTest {
    @Test
    void reservedConcurrencyCapsTheFunction() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(10);
        ConcurrencyLimiter.Permit p = limiter.acquire("f", OptionalInt.of(1), 1);
        ThawException e = assertThrows(ThawException.class, () -> limiter.acquire("f", OptionalInt.of(1), 1));
        assertEquals(ErrorCode.TOO_MANY_REQUESTS, e.code());
        assertEquals("ReservedFunctionConcurrentInvocationLimitExceeded", e.extraFields().get("Reason"));
        assertEquals("1", e.headers().get("Retry-After"));
        p.close();
        limiter.acquire("f", OptionalInt.of(1), 1).close();
    }

    @Test
    void reservedZeroThrottlesEverything() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(10);
        assertThrows(ThawException.class, () -> limiter.acquire("f", OptionalInt.of(0), 0));
    }

    @Test
    void unreservedFunctionsShareWhatTheAccountLeaves() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(3);
        limiter.acquire("a", OptionalInt.empty(), 1);
        limiter.acquire("b", OptionalInt.empty(), 1);
        ThawException e = assertThrows(ThawException.class, () -> limiter.acquire("c", OptionalInt.empty(), 1));
        assertEquals("ConcurrentInvocationLimitExceeded", e.extraFields().get("Reason"));
        limiter.acquire("r", OptionalInt.of(1), 1);
    }

    @Test
    void closingAPermitTwiceFreesOneSlot() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(1);
        ConcurrencyLimiter.Permit p = limiter.acquire("a", OptionalInt.empty(), 0);
        p.close();
        p.close();
        assertEquals(0, limiter.running("a"));
    }
}
