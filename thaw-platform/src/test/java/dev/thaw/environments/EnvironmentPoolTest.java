package dev.thaw.environments;

import dev.thaw.functions.FunctionVersion;
import dev.thaw.functions.SnapStartMode;
import dev.thaw.functions.VersionState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The warm pool over real environments (real processes and Runtime API servers), made by a counting provider. */
class EnvironmentPoolTest {
    private static final FunctionVersion ONE = version("fn", "rev-1");

    @TempDir
    Path dir;
    private TestEnvironments environments;
    private EnvironmentPool pool;
    private final AtomicInteger provided = new AtomicInteger();

    private static FunctionVersion version(String name, String revision) {
        FunctionVersion v = TestEnvironments.version(name, "1", 3, Map.of(), SnapStartMode.NONE,
                VersionState.active());
        return new FunctionVersion(v.functionName(), v.version(), v.config(), v.code(), v.lastModified(), revision,
                v.state(), v.snapshot());
    }

    private EnvironmentPool pool(Duration idleTtl) {
        environments = new TestEnvironments(dir);
        pool = new EnvironmentPool(version -> {
            provided.incrementAndGet();
            return environments.ready(version);
        }, idleTtl, Duration.ZERO);
        return pool;
    }

    @AfterEach
    void close() {
        if (pool != null) {
            pool.close();
        }
        if (environments != null) {
            environments.close();
        }
    }

    @Test
    void aReleasedEnvironmentServesTheNextRequestWarm() throws Exception {
        pool(Duration.ofMinutes(10));
        EnvironmentPool.Lease first = pool.acquire(ONE);
        assertTrue(first.cold());
        pool.release(first.environment(), true);
        EnvironmentPool.Lease second = pool.acquire(ONE);
        assertFalse(second.cold());
        assertSame(first.environment(), second.environment());
        assertEquals(1, provided.get());
    }

    @Test
    void theMostRecentlyUsedIdleEnvironmentIsTakenFirst() throws Exception {
        pool(Duration.ofMinutes(10));
        Environment a = pool.acquire(ONE).environment();
        Environment b = pool.acquire(ONE).environment();
        pool.release(a, true);
        pool.release(b, true);
        assertSame(b, pool.acquire(ONE).environment());
        assertSame(a, pool.acquire(ONE).environment());
        assertEquals(2, provided.get());
    }

    @Test
    void anUpdatedRevisionNeverGetsAnEnvironmentOfTheOldOne() throws Exception {
        pool(Duration.ofMinutes(10));
        Environment old = pool.acquire(ONE).environment();
        pool.release(old, true);
        EnvironmentPool.Lease updated = pool.acquire(version("fn", "rev-2"));
        assertTrue(updated.cold());
        assertNotSame(old, updated.environment());
    }

    @Test
    void anEnvironmentReleasedAsBrokenIsStoppedAndForgotten() throws Exception {
        pool(Duration.ofMinutes(10));
        Environment env = pool.acquire(ONE).environment();
        pool.release(env, false);
        assertEquals(EnvironmentState.DEAD, env.state());
        assertTrue(env.process().onExit().isDone());
        assertFalse(pool.environments().contains(env));
        assertTrue(pool.acquire(ONE).cold());
    }

    @Test
    void anIdleEnvironmentWhoseProcessDiedIsNeverLeased() throws Exception {
        pool(Duration.ofMinutes(10));
        Environment env = pool.acquire(ONE).environment();
        pool.release(env, true);
        env.process().kill();
        env.process().onExit().get(5, TimeUnit.SECONDS);
        awaitTrue(() -> env.state() == EnvironmentState.DEAD);
        EnvironmentPool.Lease next = pool.acquire(ONE);
        assertTrue(next.cold());
        assertNotSame(env, next.environment());
        awaitTrue(() -> !pool.environments().contains(env));
    }

    @Test
    void retiringAVersionStopsItsIdleEnvironmentsAtOnceAndItsBusyOnesOnRelease() throws Exception {
        pool(Duration.ofMinutes(10));
        Environment idle = pool.acquire(ONE).environment();
        Environment busy = pool.acquire(ONE).environment();
        pool.release(idle, true);
        pool.versionRetired(ONE);
        awaitTrue(() -> idle.state() == EnvironmentState.DEAD);
        assertEquals(EnvironmentState.INITIALIZING, busy.state());
        pool.release(busy, true);
        assertEquals(EnvironmentState.DEAD, busy.state());
        awaitTrue(() -> pool.environments().isEmpty());
    }

    @Test
    void evictingOneFunctionStopsOnlyItsIdleEnvironments() throws Exception {
        pool(Duration.ofMinutes(10));
        FunctionVersion other = version("other", "rev-1");
        Environment mine = pool.acquire(ONE).environment();
        Environment theirs = pool.acquire(other).environment();
        pool.release(mine, true);
        pool.release(theirs, true);
        assertEquals(1, pool.evictIdle("fn"));
        assertEquals(EnvironmentState.DEAD, mine.state());
        assertEquals(EnvironmentState.IDLE, theirs.state());
        assertSame(theirs, pool.acquire(other).environment());
    }

    @Test
    void anEnvironmentIdleLongerThanTheTtlIsStopped() throws Exception {
        pool(Duration.ofMillis(300));
        Environment env = pool.acquire(ONE).environment();
        pool.release(env, true);
        awaitTrue(() -> env.process().onExit().isDone());
        assertEquals(EnvironmentState.DEAD, env.state());
        awaitTrue(() -> pool.environments().isEmpty());
    }

    @Test
    void aClosedPoolStopsEveryEnvironmentAndStartsNoMore() throws Exception {
        pool(Duration.ofMinutes(10));
        Environment idle = pool.acquire(ONE).environment();
        Environment busy = pool.acquire(ONE).environment();
        pool.release(idle, true);
        pool.close();
        assertEquals(EnvironmentState.DEAD, idle.state());
        assertEquals(EnvironmentState.DEAD, busy.state());
        StartupFailure f = assertThrows(StartupFailure.class, () -> pool.acquire(ONE));
        assertEquals("Runtime.Unavailable", f.errorType());
        assertEquals(2, provided.get());
    }

    private Environment provisionedCopy() throws Exception {
        Environment env = environments.ready(ONE);
        env.provisioned();
        return env;
    }

    @Test
    void provisionedCopiesAreLeasedFirstAndOutliveIdleTtlAndEviction() throws Exception {
        pool(Duration.ofMillis(300));
        Environment ordinary = pool.acquire(ONE).environment();
        pool.release(ordinary, true);
        pool.keepProvisioned(ONE.environmentKey(), 1);
        Environment copy = provisionedCopy();
        assertTrue(pool.addProvisioned(copy));
        assertSame(copy, pool.acquire(ONE).environment(), "the copy before the warmer ordinary environment");
        pool.release(copy, true);
        pool.evictIdle("fn");
        assertEquals(EnvironmentState.IDLE, copy.state(), "eviction leaves the copy alone");
        awaitTrue(() -> ordinary.state() == EnvironmentState.DEAD);
        Thread.sleep(900);
        assertEquals(EnvironmentState.IDLE, copy.state(), "idle longer than the TTL, and still kept");
        assertEquals(java.util.List.of(copy), pool.provisionedCopies(ONE.environmentKey()));
    }

    @Test
    void fewerWantedCopiesStopIdleOnesAtOnceAndBusyOnesOnRelease() throws Exception {
        pool(Duration.ofMinutes(10));
        pool.keepProvisioned(ONE.environmentKey(), 2);
        Environment busy = provisionedCopy();
        Environment idle = provisionedCopy();
        assertTrue(pool.addProvisioned(busy));
        assertTrue(pool.addProvisioned(idle));
        assertFalse(pool.addProvisioned(provisionedCopy()), "a third copy is not wanted and is stopped");
        assertSame(idle, pool.acquire(ONE).environment());
        pool.release(idle, true);
        assertSame(idle, pool.acquire(ONE).environment());
        Environment other = pool.acquire(ONE).environment();
        assertSame(busy, other);
        pool.release(idle, true);
        pool.keepProvisioned(ONE.environmentKey(), 0);
        awaitTrue(() -> idle.state() == EnvironmentState.DEAD);
        assertFalse(busy.state() == EnvironmentState.DEAD, "a leased copy finishes its invocation");
        pool.release(busy, true);
        assertEquals(EnvironmentState.DEAD, busy.state());
        awaitTrue(() -> pool.provisionedCopies(ONE.environmentKey()).isEmpty());
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean());
    }
}
