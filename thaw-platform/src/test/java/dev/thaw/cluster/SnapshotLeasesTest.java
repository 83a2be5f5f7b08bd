package dev.thaw.cluster;

import dev.thaw.store.MetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotLeasesTest {
    private static final Instant START = Instant.parse("2026-12-01T00:00:00Z");

    @TempDir
    Path dir;
    private MetadataStore store;

    @BeforeEach
    void open() {
        store = MetadataStore.open(dir.resolve("metadata.db"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private SnapshotLeases worker(String id, long millisAfterStart) {
        return new SnapshotLeases(store.cluster(), id, Clock.fixed(START.plusMillis(millisAfterStart), ZoneOffset.UTC));
    }

    @Test
    void oneWorkerPerFingerprintHoldsTheClaimUntilItGivesItBack() {
        SnapshotLeases a = worker("worker-a", 0);
        SnapshotLeases b = worker("worker-b", 0);
        assertTrue(a.claim("f", "1", "fp1"));
        assertFalse(b.claim("f", "1", "fp1"), "a second worker of the same fingerprint waits for the first");
        assertTrue(b.claim("f", "1", "fp2"), "another fingerprint's claim is separate");
        assertTrue(b.claim("f", "2", "fp1"), "another version's claim is separate");
        assertTrue(a.claim("f", "1", "fp1"), "the holder may claim again");
        b.release("f", "1", "fp1");
        assertFalse(worker("worker-c", 0).claim("f", "1", "fp1"), "only the holder's release frees a claim");
        a.release("f", "1", "fp1");
        assertTrue(b.claim("f", "1", "fp1"));
    }

    @Test
    void aHolderThatRenewsKeepsItsClaimPastTheFirstLease() {
        assertTrue(worker("worker-a", 0).claim("f", "1", "fp1"));
        worker("worker-a", 10_000).renew();
        assertFalse(worker("worker-b", SnapshotLeases.LEASE_MILLIS + 1).claim("f", "1", "fp1"));
        assertTrue(worker("worker-b", SnapshotLeases.LEASE_MILLIS + 10_000).claim("f", "1", "fp1"));
    }

    @Test
    void aClaimWhoseHolderStoppedRenewingIsTakenOverAfterTheLease() {
        assertTrue(worker("worker-a", 0).claim("f", "1", "fp1"));
        assertFalse(worker("worker-b", SnapshotLeases.LEASE_MILLIS - 1).claim("f", "1", "fp1"));
        SnapshotLeases later = worker("worker-b", SnapshotLeases.LEASE_MILLIS);
        assertTrue(later.claim("f", "1", "fp1"), "the dead holder's claim expired");
        assertFalse(worker("worker-a", SnapshotLeases.LEASE_MILLIS + 1).claim("f", "1", "fp1"),
                "the old holder lost it");
    }
}
