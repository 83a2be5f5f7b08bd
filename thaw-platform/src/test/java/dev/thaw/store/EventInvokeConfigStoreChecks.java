package dev.thaw.store;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the store promises about event invoke configs and events' qualifiers, checked on either dialect. */
public final class EventInvokeConfigStoreChecks {
    private EventInvokeConfigStoreChecks() {
    }

    /** Configs are kept per qualifier, paged in a stable order, and go with their version, alias or function. */
    public static void configsAreKeptPerQualifierAndLeaveWithWhatTheyBelongTo(MetadataStore store) {
        assertTrue(store.insertFunction("f", "{}", "now"));
        store.putVersion("f", "1", "{\"v\":1}");
        assertTrue(store.insertAlias("f", "live", "{\"a\":1}"));
        store.putEventConfig(new StoredEventConfig("f", "$LATEST", 0, null, 10));
        store.putEventConfig(new StoredEventConfig("f", "1", 1, 120, 11));
        store.putEventConfig(new StoredEventConfig("f", "live", 2, null, 12));

        assertEquals(Optional.of(new StoredEventConfig("f", "1", 1, 120, 11)), store.eventConfig("f", "1"));
        assertEquals(Optional.of(new StoredEventConfig("f", "$LATEST", 0, null, 10)),
                store.eventConfig("f", "$LATEST"));
        assertEquals(Optional.empty(), store.eventConfig("f", "2"));
        assertEquals(Set.of("$LATEST", "1", "live"), qualifiers(store.eventConfigs("f", null, 10)));
        List<StoredEventConfig> first = store.eventConfigs("f", null, 2);
        List<StoredEventConfig> rest = store.eventConfigs("f", first.getLast().qualifier(), 2);
        assertEquals(2, first.size());
        assertEquals(1, rest.size(), "the page after the marker holds the rest");
        Set<String> paged = qualifiers(first);
        paged.addAll(qualifiers(rest));
        assertEquals(Set.of("$LATEST", "1", "live"), paged);

        assertEquals(Optional.of(new StoredEventConfig("f", "1", 1, 300, 13)),
                store.updateEventConfig("f", "1", null, 300, 13), "an update keeps the limit it does not name");
        assertEquals(Optional.empty(), store.updateEventConfig("f", "2", 0, null, 14), "no config, nothing updated");
        assertEquals(Optional.empty(), store.eventConfig("f", "2"));
        store.putEventConfig(new StoredEventConfig("f", "live", null, 60, 15));
        assertEquals(Optional.of(new StoredEventConfig("f", "live", null, 60, 15)), store.eventConfig("f", "live"),
                "a put replaces the whole config");

        store.deleteAlias("f", "live");
        assertEquals(Optional.empty(), store.eventConfig("f", "live"), "the alias took its config with it");
        store.deleteVersion("f", "1");
        assertEquals(Optional.empty(), store.eventConfig("f", "1"), "the version took its config with it");
        assertEquals(Set.of("$LATEST"), qualifiers(store.eventConfigs("f", null, 10)));
        assertTrue(store.deleteEventConfig("f", "$LATEST"));
        assertFalse(store.deleteEventConfig("f", "$LATEST"));

        store.putEventConfig(new StoredEventConfig("f", "$LATEST", 1, null, 16));
        store.deleteFunction("f");
        assertTrue(store.insertFunction("f", "{}", "now"));
        assertEquals(List.of(), store.eventConfigs("f", null, 10), "deleting the function deleted every config");
        store.deleteFunction("f");
    }

    /** An event keeps the qualifier its invoke named beside the version that runs. */
    public static void eventsKeepTheQualifierTheirInvokeNamed(MetadataStore store) {
        assertTrue(store.insertFunction("q", "{}", "now"));
        store.insertEvent("via-alias", "q", "1", "live", new byte[] {1}, 1);
        store.insertEvent("unqualified", "q", "$LATEST", "$LATEST", new byte[] {2}, 2);
        List<StoredEvent> claimed = store.claimDueEvents(100, 10);
        assertEquals(List.of("via-alias", "unqualified"), claimed.stream().map(StoredEvent::id).toList());
        assertEquals("1", claimed.getFirst().version());
        assertEquals("live", claimed.getFirst().qualifier());
        assertEquals("$LATEST", claimed.getLast().qualifier());
        claimed.forEach(e -> store.deleteEvent(e.id()));
        store.deleteFunction("q");
    }

    private static Set<String> qualifiers(List<StoredEventConfig> configs) {
        return new HashSet<>(configs.stream().map(StoredEventConfig::qualifier).toList());
    }
}
