package dev.thaw.server;

import dev.thaw.auth.AccessKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThawConfigTest {
    @TempDir
    Path dir;

    @Test
    void loopbackNeedsNoKeys() {
        for (String loopback : new String[] {"127.0.0.1", "localhost", "::1", "127.0.0.2"}) {
            assertDoesNotThrow(() -> ThawConfig.defaults().withHost(loopback).requireSafeListener(), loopback);
        }
    }

    @Test
    void anyOtherAddressWithoutKeysIsRefusedSayingWhatToDo() {
        for (String open : new String[] {"0.0.0.0", "::"}) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> ThawConfig.defaults().withHost(open).requireSafeListener(), open);
            assertTrue(e.getMessage().startsWith("refusing to listen on " + open + " without access keys")
                    && e.getMessage().contains("--access-keys"), e.getMessage());
        }
    }

    @Test
    void anyAddressIsAllowedWithKeys() throws IOException {
        AccessKeys keys = AccessKeys.read(Files.writeString(dir.resolve("keys"),
                "[a]\naws_access_key_id = AKID\naws_secret_access_key = s\n"));
        assertDoesNotThrow(() -> ThawConfig.defaults().withHost("0.0.0.0").withAccessKeys(keys).requireSafeListener());
    }
}
