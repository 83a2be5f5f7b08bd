package dev.thaw.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckpointPreparationTest {

    @Test
    void anOpenTcpSocketIsNamedAndAClosedOneIsNot() throws Exception {
        String listening;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listening = "tcp 127.0.0.1:" + server.getLocalPort() + " -> ";
            assertTrue(CheckpointPreparation.openNetworkSockets().stream().anyMatch(s -> s.startsWith(listening)),
                    CheckpointPreparation.openNetworkSockets().toString());
        }
        assertFalse(CheckpointPreparation.openNetworkSockets().stream().anyMatch(s -> s.startsWith(listening)));
    }

    @Test
    void theJdkDnsCacheIsEmptied() throws Exception {
        InetAddress.getByName("localhost");
        Field cacheField = InetAddress.class.getDeclaredField("cache");
        cacheField.setAccessible(true);
        Map<?, ?> cache = (Map<?, ?>) cacheField.get(null);
        assertFalse(cache.isEmpty());

        CheckpointPreparation.clearDnsCache();

        assertTrue(cache.isEmpty());
    }
}
