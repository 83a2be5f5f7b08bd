package dev.thaw.it;

import dev.thaw.store.Database;
import dev.thaw.store.EventInvokeConfigStoreChecks;
import dev.thaw.store.MetadataStore;
import dev.thaw.store.ShippedMigrations;
import dev.thaw.store.StoredEvent;
import dev.thaw.store.StoredEventConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.flywaydb.core.Flyway;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The metadata store on a real PostgreSQL: migrations, the cache across instances, and leased event claims. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresMetadataStoreIT {
    private PostgresCluster cluster;

    @BeforeAll
    void startPostgres() {
        cluster = PostgresCluster.create();
    }

    @AfterAll
    void stopPostgres() {
        cluster.close();
    }

    private MetadataStore open(String url, String instance, Duration lease) {
        return MetadataStore.open(Database.parse(url), instance, lease);
    }

    @Test
    void migrationsCreateTheSchemaOnceAndRecordTheirVersions() throws Exception {
        String url = cluster.createDatabase();
        open(url, "a", Duration.ofSeconds(30)).close();
        open(url, "a", Duration.ofSeconds(30)).close();
        try (Connection c = cluster.connect(url);
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank")) {
            List<String> applied = new ArrayList<>();
            while (rs.next()) {
                assertTrue(rs.getBoolean(2));
                applied.add(rs.getString(1));
            }
            assertEquals(ShippedMigrations.versions("postgresql"), applied);
        }
    }

    @Test
    void eventInvokeConfigsAreKeptPerQualifierAndLeaveWithWhatTheyBelongTo() {
        try (MetadataStore store = open(cluster.createDatabase(), "a", Duration.ofSeconds(30))) {
            EventInvokeConfigStoreChecks.configsAreKeptPerQualifierAndLeaveWithWhatTheyBelongTo(store);
            EventInvokeConfigStoreChecks.eventsKeepTheQualifierTheirInvokeNamed(store);
        }
    }

    @Test
    void aDatabaseFromBeforeQualifiersKeepsItsConfigAsTheLatestOneAndItsEvents() throws Exception {
        String url = cluster.createDatabase();
        Database db = Database.parse(url);
        Database.Postgres pg = (Database.Postgres) db;
        Flyway.configure().dataSource(db.jdbcUrl(), pg.user(), pg.password())
                .locations("classpath:dev/thaw/store/migrations/postgresql").target("9").load().migrate();
        try (Connection c = cluster.connect(url)) {
            c.createStatement().executeUpdate("INSERT INTO functions(name, created_at) VALUES ('old', 'now')");
            c.createStatement().executeUpdate("INSERT INTO event_invoke_configs VALUES ('old', 1, NULL, 1700000000)");
            c.createStatement().executeUpdate("INSERT INTO events(id, function_name, version, payload, accepted_at, "
                    + "next_attempt_at, state) VALUES ('queued', 'old', '2', '\\x7b7d', 5, 5, 'queued')");
        }
        try (MetadataStore store = open(url, "a", Duration.ofSeconds(30))) {
            assertEquals(Optional.of(new StoredEventConfig("old", "$LATEST", 1, null, 1700000000L)),
                    store.eventConfig("old", "$LATEST"), "the function's config became $LATEST's");
            store.insertAlias("old", "live", "{}");
            store.putEventConfig(new StoredEventConfig("old", "live", 0, null, 1700000001L));
            assertEquals(2, store.eventConfigs("old", null, 10).size(), "the key now holds the qualifier");
            List<StoredEvent> due = store.claimDueEvents(10, 10);
            assertEquals(List.of("queued"), due.stream().map(StoredEvent::id).toList());
            assertEquals("$LATEST", due.getFirst().qualifier());
        }
    }

    @Test
    void anInstanceSeesWhatAnotherWroteAfterCachingTheOldValue() throws Exception {
        String url = cluster.createDatabase();
        try (MetadataStore a = open(url, "a", Duration.ofSeconds(30));
             MetadataStore b = open(url, "b", Duration.ofSeconds(30))) {
            assertFalse(b.functionExists("f"), "b caches that f is missing");
            assertTrue(a.insertFunction("f", "{\"v\":0}", "now"));
            assertFalse(b.insertFunction("f", "{}", "now"), "the name is taken across instances");
            awaitTrue(() -> b.functionExists("f"));
            assertEquals(Optional.of("{\"v\":0}"), b.version("f", "$LATEST"));
            a.putVersion("f", "$LATEST", "{\"v\":1}");
            awaitTrue(() -> b.version("f", "$LATEST").equals(Optional.of("{\"v\":1}")));
            assertEquals(OptionalInt.empty(), b.reservedConcurrency("f"));
            a.setReservedConcurrency("f", 5);
            awaitTrue(() -> b.reservedConcurrency("f").equals(OptionalInt.of(5)));
            assertEquals(5, b.totalReservedConcurrency("other"));
            assertTrue(b.insertAlias("f", "live", "{\"a\":1}"));
            assertFalse(a.insertAlias("f", "live", "{\"a\":2}"));
            assertEquals(Optional.of("{\"a\":1}"), a.alias("f", "live"));
            b.updateAlias("f", "live", "{\"a\":3}");
            awaitTrue(() -> a.alias("f", "live").equals(Optional.of("{\"a\":3}")));
            assertEquals(1, a.allocateVersionNumber("f"));
            assertEquals(2, b.allocateVersionNumber("f"));
            int slotA = a.hostUidSlot("f", 10);
            assertEquals(slotA, b.hostUidSlot("f", 10));
            assertTrue(b.hostUidSlot("g", 10) != slotA);
            assertEquals(Optional.empty(), b.functionUrlById("url1"));
            assertTrue(a.insertFunctionUrl("url1", "f", "live", "{\"u\":1}"));
            awaitTrue(() -> b.functionUrlById("url1").equals(Optional.of("{\"u\":1}")));
            assertEquals(List.of(), b.permissions("f", "live"));
            for (String sid : List.of("zeta", "alpha", "mid")) {
                assertTrue(a.insertPermission("f", "live", sid, "{\"Sid\":\"" + sid + "\"}"));
            }
            assertFalse(b.insertPermission("f", "live", "alpha", "{}"));
            awaitTrue(() -> b.permissions("f", "live").size() == 3);
            assertEquals(List.of("{\"Sid\":\"zeta\"}", "{\"Sid\":\"alpha\"}", "{\"Sid\":\"mid\"}"),
                    b.permissions("f", "live"), "statements in the order they were added");
            a.putTags("f", java.util.Map.of("team", "x"));
            assertEquals(java.util.Map.of("team", "x"), b.tags("f"));
            b.deleteAlias("f", "live");
            awaitTrue(() -> a.functionUrlById("url1").isEmpty() && a.permissions("f", "live").isEmpty());
            b.deleteFunction("f");
            awaitTrue(() -> !a.functionExists("f"));
        }
    }

    @Test
    void instancesClaimingAtOnceNeverTakeTheSameEvent() throws Exception {
        String url = cluster.createDatabase();
        try (MetadataStore a = open(url, "a", Duration.ofSeconds(30));
             MetadataStore b = open(url, "b", Duration.ofSeconds(30));
             ExecutorService pool = Executors.newFixedThreadPool(4)) {
            a.insertFunction("f", "{}", "now");
            Set<String> accepted = new HashSet<>();
            for (int i = 0; i < 400; i++) {
                String id = "e" + i;
                a.insertEvent(id, "f", "$LATEST", "$LATEST", ("{\"n\":" + i + "}").getBytes(), 1000 + i);
                accepted.add(id);
            }
            Set<String> claimed = ConcurrentHashMap.newKeySet();
            List<String> duplicates = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Future<?>> claimers = new ArrayList<>();
            for (MetadataStore store : List.of(a, b, a, b)) {
                claimers.add(pool.submit(() -> {
                    List<StoredEvent> got;
                    while (!(got = store.claimDueEvents(System.currentTimeMillis(), 7)).isEmpty()) {
                        for (StoredEvent e : got) {
                            if (!claimed.add(e.id())) {
                                duplicates.add(e.id());
                            }
                            store.deleteEvent(e.id());
                        }
                    }
                }));
            }
            for (Future<?> f : claimers) {
                f.get();
            }
            assertEquals(List.of(), duplicates);
            assertEquals(accepted, claimed);
        }
    }

    @Test
    void anEventWhoseLeaseEndsGoesToAnotherInstanceAndRenewalKeepsIt() throws Exception {
        String url = cluster.createDatabase();
        try (MetadataStore a = open(url, "a", Duration.ofSeconds(2));
             MetadataStore b = open(url, "b", Duration.ofSeconds(2))) {
            a.insertFunction("f", "{}", "now");
            a.insertEvent("kept", "f", "$LATEST", "$LATEST", new byte[] {1}, 1);
            a.insertEvent("lost", "f", "$LATEST", "$LATEST", new byte[] {2}, 2);
            long now = System.currentTimeMillis();
            assertEquals(Set.of("kept", "lost"), ids(a.claimDueEvents(now, 10)));
            assertEquals(List.of(), b.claimDueEvents(now + 1000, 10), "a's leases have not ended");
            assertEquals(2, a.renewEventLeases(now + 1500));
            try (Connection c = cluster.connect(url)) {
                // "lost" now stands for an event of an instance that died without renewing it.
                c.createStatement().executeUpdate("UPDATE events SET claimed_by = 'dead', lease_until = "
                        + (now + 2000) + " WHERE id = 'lost'");
            }
            assertEquals(Set.of("lost"), ids(b.claimDueEvents(now + 2500, 10)),
                    "the ended lease goes to b; the renewed one stays with a");
            assertEquals(1, a.requeueRunningEvents(), "a restarting takes back only what is still its own");
            assertEquals(Set.of("kept"), ids(b.claimDueEvents(now + 2500, 10)));
        }
    }

    private static Set<String> ids(List<StoredEvent> events) {
        return new HashSet<>(events.stream().map(StoredEvent::id).toList());
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not seen within 10 s");
            }
            Thread.sleep(20);
        }
    }
}
