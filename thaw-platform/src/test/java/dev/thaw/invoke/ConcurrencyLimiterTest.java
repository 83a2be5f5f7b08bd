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

    @Test
    void provisionedCopiesOfAnUnreservedFunctionServeOutsideTheSharedPoolAndTheRestSpillIntoIt() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(4);
        ConcurrencyLimiter.Provisioned two = new ConcurrencyLimiter.Provisioned("f:1:r", 2, 2);
        // The shared pool is 4 - 2 provisioned = 2: two invocations on the copies, two spilled over, then 429.
        limiter.acquire("f", OptionalInt.empty(), 0, two);
        limiter.acquire("f", OptionalInt.empty(), 0, two);
        ConcurrencyLimiter.Permit spilled = limiter.acquire("f", OptionalInt.empty(), 0, two);
        limiter.acquire("g", OptionalInt.empty(), 0, new ConcurrencyLimiter.Provisioned("g:1:r", 0, 2));
        ThawException e = assertThrows(ThawException.class, () -> limiter.acquire("f", OptionalInt.empty(), 0, two));
        assertEquals("ConcurrentInvocationLimitExceeded", e.extraFields().get("Reason"));
        assertEquals(4, limiter.running("f") + limiter.running("g"));
        spilled.close();
        limiter.acquire("f", OptionalInt.empty(), 0, two).close();
    }

    @Test
    void aReservedFunctionsProvisionedCopiesCountWithinItsReservation() {
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(10);
        ConcurrencyLimiter.Provisioned one = new ConcurrencyLimiter.Provisioned("f:1:r", 1, 0);
        limiter.acquire("f", OptionalInt.of(2), 2, one);
        limiter.acquire("f", OptionalInt.of(2), 2, one);
        ThawException e = assertThrows(ThawException.class, () -> limiter.acquire("f", OptionalInt.of(2), 2, one));
        assertEquals("ReservedFunctionConcurrentInvocationLimitExceeded", e.extraFields().get("Reason"));
    }
}
