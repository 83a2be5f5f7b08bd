package dev.thaw.cluster;

import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import dev.thaw.invoke.ConcurrencyGate;
import dev.thaw.store.MetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClusterConcurrencyTest {
    @TempDir
    Path dir;
    private MetadataStore store;
    private final MutableClock clock = new MutableClock();

    @BeforeEach
    void open() {
        store = MetadataStore.open(dir.resolve("metadata.db"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void reservedConcurrencyCountsTheLeasesOfEveryInstance() {
        ClusterConcurrency a = new ClusterConcurrency(store.cluster(), 10, "instance-a", clock);
        ClusterConcurrency b = new ClusterConcurrency(store.cluster(), 10, "instance-b", clock);
        ConcurrencyGate.Permit first = a.acquire("f", OptionalInt.of(2), 2);
        ConcurrencyGate.Permit second = b.acquire("f", OptionalInt.of(2), 2);
        ThawException refused = assertThrows(ThawException.class, () -> a.acquire("f", OptionalInt.of(2), 2));
        assertEquals(ErrorCode.TOO_MANY_REQUESTS, refused.code());
        assertEquals("ReservedFunctionConcurrentInvocationLimitExceeded", refused.extraFields().get("Reason"));
        second.close();
        b.acquire("f", OptionalInt.of(2), 2).close();
        first.close();
    }

    @Test
    void unreservedFunctionsShareWhatTheAccountLimitLeavesUnreserved() {
        ClusterConcurrency a = new ClusterConcurrency(store.cluster(), 3, "instance-a", clock);
        ClusterConcurrency b = new ClusterConcurrency(store.cluster(), 3, "instance-b", clock);
        a.acquire("x", OptionalInt.empty(), 1);
        b.acquire("y", OptionalInt.empty(), 1);
        ThawException refused = assertThrows(ThawException.class, () -> a.acquire("z", OptionalInt.empty(), 1));
        assertEquals("ConcurrentInvocationLimitExceeded", refused.extraFields().get("Reason"));
    }

    @Test
    void theLeasesOfAnInstanceThatStoppedRenewingThemExpire() {
        ClusterConcurrency dead = new ClusterConcurrency(store.cluster(), 10, "dead", clock);
        ClusterConcurrency live = new ClusterConcurrency(store.cluster(), 10, "live", clock);
        dead.acquire("f", OptionalInt.of(1), 1);
        assertThrows(ThawException.class, () -> live.acquire("f", OptionalInt.of(1), 1));
        clock.advance(16_000);
        live.acquire("f", OptionalInt.of(1), 1);
        assertEquals(1, store.cluster().runningByFunction(clock.millis()).get("f"));
    }

    @Test
    void invocationsRunOnAVersionsProvisionedCopiesAcrossInstancesThenSpillOverIntoTheUnreservedShare() {
        ClusterConcurrency a = new ClusterConcurrency(store.cluster(), 4, "instance-a", clock);
        ClusterConcurrency b = new ClusterConcurrency(store.cluster(), 4, "instance-b", clock);
        // Account limit 4, 2 copies of p:1 taken out of it: 2 on the copies, then 2 in the unreserved share.
        ConcurrencyGate.Provisioned copies = new ConcurrencyGate.Provisioned("p:1", 2, 2);
        ConcurrencyGate.Permit onCopyA = a.acquire("p", OptionalInt.empty(), 0, copies);
        ConcurrencyGate.Permit onCopyB = b.acquire("p", OptionalInt.empty(), 0, copies);
        ConcurrencyGate.Permit spilled = a.acquire("p", OptionalInt.empty(), 0, copies);
        ConcurrencyGate.Permit other = b.acquire("q", OptionalInt.empty(), 0, new ConcurrencyGate.Provisioned("", 0,
                2));
        ThawException refused = assertThrows(ThawException.class,
                () -> b.acquire("p", OptionalInt.empty(), 0, copies));
        assertEquals("ConcurrentInvocationLimitExceeded", refused.extraFields().get("Reason"));
        onCopyA.close();
        b.acquire("p", OptionalInt.empty(), 0, copies).close();
        assertEquals(2, store.cluster().runningByFunction(clock.millis()).get("p"));
        onCopyB.close();
        spilled.close();
        other.close();
    }

    private static final class MutableClock extends Clock {
        private long millis = 1_000_000;

        void advance(long by) {
            millis += by;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
