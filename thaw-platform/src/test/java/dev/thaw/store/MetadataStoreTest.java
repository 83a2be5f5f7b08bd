package dev.thaw.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetadataStoreTest {
    @TempDir
    Path dir;

    @Test
    void cachedReadsFollowEveryWrite() {
        try (MetadataStore store = MetadataStore.open(dir.resolve("m.db"))) {
            assertFalse(store.functionExists("f"));
            assertTrue(store.insertFunction("f", "{\"v\":0}", "now"));
            assertTrue(store.functionExists("f"), "a cached 'missing' must not survive the insert");
            assertFalse(store.insertFunction("f", "{}", "now"));
            assertEquals(Optional.of("{\"v\":0}"), store.version("f", "$LATEST"));
            store.putVersion("f", "$LATEST", "{\"v\":1}");
            assertEquals(Optional.of("{\"v\":1}"), store.version("f", "$LATEST"));
            assertEquals(OptionalInt.empty(), store.reservedConcurrency("f"));
            store.setReservedConcurrency("f", 3);
            assertEquals(OptionalInt.of(3), store.reservedConcurrency("f"));
            assertEquals(0, store.totalReservedConcurrency("f"));
            assertEquals(3, store.totalReservedConcurrency("other"));
            assertTrue(store.insertAlias("f", "live", "{\"a\":1}"));
            store.updateAlias("f", "live", "{\"a\":2}");
            assertEquals(Optional.of("{\"a\":2}"), store.alias("f", "live"));
            store.deleteAlias("f", "live");
            assertEquals(Optional.empty(), store.alias("f", "live"));
            store.deleteFunction("f");
            assertFalse(store.functionExists("f"));
            assertEquals(Optional.empty(), store.version("f", "$LATEST"));
        }
    }

    @Test
    void dataSurvivesReopening() {
        try (MetadataStore store = MetadataStore.open(dir.resolve("m.db"))) {
            store.insertFunction("kept", "{}", "now");
            assertEquals(1, store.allocateVersionNumber("kept"));
        }
        try (MetadataStore store = MetadataStore.open(dir.resolve("m.db"))) {
            assertTrue(store.functionExists("kept"));
            assertEquals(2, store.allocateVersionNumber("kept"));
        }
    }

    @Test
    void eachFunctionKeepsItsOwnHostUidSlotEvenAfterDeletionAndSlotsRunOut() {
        try (MetadataStore store = MetadataStore.open(dir.resolve("m.db"))) {
            store.insertFunction("a", "{}", "now");
            int a = store.hostUidSlot("a", 2);
            assertEquals(a, store.hostUidSlot("a", 2), "a function keeps its slot");
            int b = store.hostUidSlot("b", 2);
            assertTrue(a != b, "two functions never share a slot");
            store.deleteFunction("a");
            assertEquals(a, store.hostUidSlot("a", 2), "the slot outlives the function, not given to another");
            StoreException full = org.junit.jupiter.api.Assertions.assertThrows(StoreException.class,
                    () -> store.hostUidSlot("c", 2));
            assertTrue(full.getMessage().contains("2 host uid slots"), full.getMessage());
        }
        try (MetadataStore reopened = MetadataStore.open(dir.resolve("m.db"))) {
            assertEquals(1, reopened.hostUidSlot("b", 2), "slots are stored");
        }
    }

    @Test
    void eventInvokeConfigsAreKeptPerQualifierAndLeaveWithWhatTheyBelongTo() {
        try (MetadataStore store = MetadataStore.open(dir.resolve("m.db"))) {
            EventInvokeConfigStoreChecks.configsAreKeptPerQualifierAndLeaveWithWhatTheyBelongTo(store);
            EventInvokeConfigStoreChecks.eventsKeepTheQualifierTheirInvokeNamed(store);
        }
    }
}
