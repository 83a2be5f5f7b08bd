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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        // The freed lease lingers with instance a until it gives it back; then b takes the copy.
        clock.advance(ClusterConcurrency.LINGER_MILLIS);
        a.giveBackLingering();
        b.acquire("p", OptionalInt.empty(), 0, copies).close();
        clock.advance(ClusterConcurrency.LINGER_MILLIS);
        b.giveBackLingering();
        assertEquals(2, store.cluster().runningByFunction(clock.millis()).get("p"));
        onCopyB.close();
        spilled.close();
        other.close();
    }

    @Test
    void aLeaseAnInvocationFreedIsTakenOverByTheNextInvocationOfItsFunction() throws Exception {
        ClusterConcurrency a = new ClusterConcurrency(store.cluster(), 10, "instance-a", clock);
        a.acquire("f", OptionalInt.of(1), 1).close();
        List<String> lingering = leaseIds("f");
        assertEquals(1, lingering.size(), "the freed lease stays with its instance for a while");
        ConcurrencyGate.Permit next = a.acquire("f", OptionalInt.of(1), 1);
        assertEquals(lingering, leaseIds("f"), "the next invocation runs on the same lease row");
        next.close();
        clock.advance(ClusterConcurrency.LINGER_MILLIS);
        a.giveBackLingering();
        assertEquals(List.of(), leaseIds("f"), "a lease unused for the linger time goes back");
    }

    @Test
    void aLingeringLeaseCountsForOtherInstancesUntilItIsGivenBack() {
        ClusterConcurrency a = new ClusterConcurrency(store.cluster(), 10, "instance-a", clock);
        ClusterConcurrency b = new ClusterConcurrency(store.cluster(), 10, "instance-b", clock);
        a.acquire("f", OptionalInt.of(1), 1).close();
        ThawException refused = assertThrows(ThawException.class, () -> b.acquire("f", OptionalInt.of(1), 1));
        assertEquals("ReservedFunctionConcurrentInvocationLimitExceeded", refused.extraFields().get("Reason"));
        clock.advance(ClusterConcurrency.LINGER_MILLIS);
        a.giveBackLingering();
        b.acquire("f", OptionalInt.of(1), 1).close();
    }

    @Test
    void anInstanceRefusedGivesBackItsOwnLingeringLeasesAndTriesAgain() throws Exception {
        ClusterConcurrency a = new ClusterConcurrency(store.cluster(), 2, "instance-a", clock);
        a.acquire("x", OptionalInt.empty(), 0).close();
        a.acquire("y", OptionalInt.empty(), 0).close();
        a.acquire("z", OptionalInt.empty(), 0);
        assertEquals(List.of(), leaseIds("x"));
        assertEquals(List.of(), leaseIds("y"));
        assertEquals(1, leaseIds("z").size());
    }

    @Test
    void aLeaseTakenUnderALimitThatChangedSinceIsGivenBackInsteadOfTakenOver() throws Exception {
        ClusterConcurrency a = new ClusterConcurrency(store.cluster(), 10, "instance-a", clock);
        ClusterConcurrency b = new ClusterConcurrency(store.cluster(), 10, "instance-b", clock);
        a.acquire("f", OptionalInt.empty(), 0).close();
        List<String> unreserved = leaseIds("f");
        ConcurrencyGate.Permit reserved = a.acquire("f", OptionalInt.of(1), 1);
        List<String> now = leaseIds("f");
        assertEquals(1, now.size(), "the lease taken without a reservation went back: " + now);
        assertTrue(!now.equals(unreserved), "the reservation is counted on a lease of its own");
        assertThrows(ThawException.class, () -> b.acquire("f", OptionalInt.of(1), 1));
        reserved.close();
    }

    @Test
    void closingTheGateGivesBackItsLingeringLeases() throws Exception {
        ClusterConcurrency a = new ClusterConcurrency(store.cluster(), 10, "instance-a", clock);
        a.acquire("f", OptionalInt.of(1), 1).close();
        a.close();
        assertEquals(List.of(), leaseIds("f"));
    }

    /** The ids of the lease rows of {@code function}, read from the database file itself. */
    private List<String> leaseIds(String function) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("metadata.db"));
             PreparedStatement ps = c.prepareStatement("SELECT id FROM concurrency_leases WHERE function_name = ? "
                     + "ORDER BY id")) {
            ps.setString(1, function);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
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
