package dev.thaw.it;

import dev.thaw.network.EnvironmentNetwork;
import dev.thaw.network.EnvironmentNetworks;
import dev.thaw.network.FunctionNetworkMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Environment networks made with the host's real iproute2 and nftables, as root. */
class EnvironmentNetworksIT {
    private final String group = "thawnetit" + ThreadLocalRandom.current().nextInt(1 << 20);
    private EnvironmentNetworks networks;

    @BeforeEach
    void prepare() {
        networks = EnvironmentNetworks.prepare(group, FunctionNetworkMode.DEFAULT);
    }

    @AfterEach
    void close() throws IOException {
        networks.close();
        assertEquals(List.of(), namespaces(), "namespaces left behind");
    }

    @Test
    void aNamespaceIsLinkedToTheHostWithBothAddressesAndADefaultRoute() throws Exception {
        try (EnvironmentNetwork network = networks.open("a1")) {
            int index = linkIndex(network);
            String hostAddress = address(index, 1);
            assertEquals(address(index, 2), network.address());
            assertTrue(run("ip", "-br", "addr", "show", "thv" + index).contains(hostAddress + "/30"));
            assertTrue(run("ip", "-n", network.name(), "-br", "addr", "show", "eth0")
                    .contains(network.address() + "/30"));
            assertTrue(run("ip", "-n", network.name(), "route", "show", "default").contains("via " + hostAddress));
            assertTrue(run("ip", "-n", network.name(), "-br", "link", "show", "lo").contains("UNKNOWN"),
                    "loopback is up");
            assertEquals(List.of(network.name()), namespaces());
        }
        assertEquals(List.of(), namespaces());
    }

    @Test
    void aHostInterfaceNameTakenByAnotherOwnerIsSkippedAndTheFailedTryLeavesNothing() throws Exception {
        try (EnvironmentNetwork first = networks.open("b1")) {
            int taken = Math.floorMod(linkIndex(first) + 1, 16_384);
            // Another owner's link: a veth pair whose host end has the name the next index would take.
            run("ip", "link", "add", "thv" + taken, "type", "veth", "peer", "name", "tnit" + taken);
            try (EnvironmentNetwork second = networks.open("b2")) {
                assertEquals(Math.floorMod(taken + 1, 16_384), linkIndex(second));
                assertTrue(run("ip", "-n", second.name(), "route", "show", "default")
                        .contains("via " + address(linkIndex(second), 1)));
                assertEquals(List.of(first.name(), second.name()), namespaces());
            } finally {
                run("ip", "link", "delete", "thv" + taken);
            }
        }
    }

    /** The link index from the environment's address: 10.200.0.0/16 holds one /30 per link, the environment at .2. */
    private static int linkIndex(EnvironmentNetwork network) {
        String[] octets = network.address().split("\\.");
        return ((Integer.parseInt(octets[2]) << 8) + Integer.parseInt(octets[3]) - 2) / 4;
    }

    private static String address(int index, int host) {
        int offset = index * 4 + host;
        return "10.200." + (offset >> 8) + "." + (offset & 0xff);
    }

    private List<String> namespaces() throws IOException {
        Path dir = Path.of("/run/netns");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(group + "-")).sorted().toList();
        }
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }
}
