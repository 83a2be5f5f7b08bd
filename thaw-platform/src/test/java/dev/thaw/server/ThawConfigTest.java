package dev.thaw.server;

import dev.thaw.auth.AccessKeys;
import dev.thaw.network.FunctionNetworkMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThawConfigTest {
    @TempDir
    Path dir;

    private static ThawConfig.Builder host(String address) {
        return ThawConfig.defaults().toBuilder().host(address);
    }

    @Test
    void aBuilderChangesOnlyWhatItIsToldAndKeepsTheRest() {
        ThawConfig defaults = ThawConfig.defaults();
        assertEquals(defaults, defaults.toBuilder().build());
        ThawConfig changed = defaults.toBuilder().port(0).functionNetwork(FunctionNetworkMode.NONE).urlPort(0).build();
        assertEquals(new ThawConfig(defaults.home(), defaults.host(), 0, defaults.accessKeys(), defaults.region(),
                defaults.accountId(), FunctionNetworkMode.NONE, defaults.accountConcurrency(), defaults.idleTtl(),
                defaults.runtimeJar(), defaults.jdkSearchRoot(), defaults.jdkOverrides(), defaults.snapshotExpiry(),
                defaults.eventRetryDelay(), defaults.freezeAfter(), defaults.unreservedConcurrencyFloor(),
                defaults.listener(), 0, defaults.metricsPort(), defaults.database(), defaults.eventLease(),
                defaults.objectStore(), defaults.snapshotKeyFile(), defaults.warmMemoryMb()), changed);
    }

    @Test
    void theMetadataDatabaseIsSqliteInTheHomeUnlessAPostgresUrlIsGiven() {
        ThawConfig defaults = ThawConfig.defaults().toBuilder().home(java.nio.file.Path.of("/srv/thaw")).database("")
                .build();
        assertEquals(dev.thaw.store.Database.sqlite(java.nio.file.Path.of("/srv/thaw/metadata.db")),
                defaults.metadataDatabase());
        ThawConfig shared = defaults.toBuilder().database("postgresql://thaw@db:5432/meta")
                .eventLease(java.time.Duration.ofSeconds(9)).build();
        assertEquals("jdbc:postgresql://db:5432/meta", shared.metadataDatabase().jdbcUrl());
        assertEquals(java.time.Duration.ofSeconds(9), shared.eventLease());
        assertEquals(defaults.home(), shared.home(), "the rest is kept");
    }

    @Test
    void aConfiguredWarmMemoryIsFixedAndTheDefaultMayGrowAfterABurstOnlyWhereItIsHeldAtAll() {
        ThawConfig configured = ThawConfig.defaults().toBuilder().warmMemoryMb(64).build();
        assertEquals(64L << 20, configured.warmMemoryBytes());
        assertEquals(64L << 20, configured.warmMemoryCeilingBytes());
        ThawConfig off = ThawConfig.defaults().toBuilder().warmMemoryMb(0).build();
        assertEquals(0, off.warmMemoryCeilingBytes());
        ThawConfig auto = ThawConfig.defaults().toBuilder().warmMemoryMb(ThawConfig.WARM_MEMORY_AUTO).build();
        if (auto.warmMemoryBytes() == 0) {
            assertEquals(0, auto.warmMemoryCeilingBytes(), "a host that never takes memory back holds none");
        } else {
            assertTrue(auto.warmMemoryCeilingBytes() >= auto.warmMemoryBytes());
            long total = dev.thaw.io.HostMemory.totalBytes().orElseThrow();
            long usable = Math.min(total, dev.thaw.cgroups.OwnMemoryLimit.bytes().orElse(total));
            assertEquals(Math.max(auto.warmMemoryBytes(), usable / 8), auto.warmMemoryCeilingBytes());
        }
    }

    @Test
    void loopbackNeedsNoKeys() {
        for (String loopback : new String[] {"127.0.0.1", "localhost", "::1", "127.0.0.2"}) {
            assertDoesNotThrow(() -> host(loopback).build().requireSafeListener(), loopback);
        }
    }

    @Test
    void anyOtherAddressWithoutKeysIsRefusedSayingWhatToDo() {
        for (String open : new String[] {"0.0.0.0", "::"}) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> host(open).build().requireSafeListener(), open);
            assertTrue(e.getMessage().startsWith("refusing to listen on " + open + " without access keys")
                    && e.getMessage().contains("--access-keys"), e.getMessage());
        }
    }

    @Test
    void anyAddressIsAllowedWithKeys() throws IOException {
        AccessKeys keys = AccessKeys.read(Files.writeString(dir.resolve("keys"),
                "[a]\naws_access_key_id = AKID\naws_secret_access_key = s\n"));
        assertDoesNotThrow(() -> host("0.0.0.0").accessKeys(keys).build()
                .requireSafeListener());
    }
}
