package dev.thaw.network;

import dev.thaw.io.DeathGuard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Makes the platform's environment networks. Every namespace it makes is named {@code <group>-<environment id>}, so
 * a platform that starts again on the same home finds and deletes what a killed run left, and a guard process does
 * the same if the platform dies.
 */
public final class EnvironmentNetworks implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EnvironmentNetworks.class.getName());

    private final String group;
    private final FunctionNetworkMode mode;
    private final EgressFirewall firewall;
    private final DeathGuard guard;
    private final NamespaceThread thread = new NamespaceThread();
    private final AtomicInteger nextLink = new AtomicInteger(ThreadLocalRandom.current().nextInt(VethLink.LINKS));

    private EnvironmentNetworks(String group, FunctionNetworkMode mode, EgressFirewall firewall, DeathGuard guard) {
        this.group = group;
        this.mode = mode;
        this.firewall = firewall;
        this.guard = guard;
    }

    /**
     * Deletes what a killed run on the same home left, installs the egress rules when the mode has egress, and
     * starts the guard.
     *
     * @throws IllegalStateException with what to fix when this host cannot make network namespaces
     */
    public static EnvironmentNetworks prepare(String group, FunctionNetworkMode mode) {
        int swept = sweep(group);
        if (swept > 0) {
            LOG.info("removed " + swept + " environment network namespaces left by an earlier run");
        }
        EgressFirewall firewall = null;
        try {
            if (mode == FunctionNetworkMode.DEFAULT) {
                firewall = EgressFirewall.install(group);
            }
            check(group);
        } catch (IOException e) {
            throw new IllegalStateException("cannot set up environment networks (" + e.getMessage() + "); run the "
                    + "platform as root with iproute2 and nftables installed (scripts/setup.sh), or start it with "
                    + "--function-network none if only the nftables part fails", e);
        }
        String cleanup = """
                for ns in /run/netns/"$1"-*; do [ -e "$ns" ] && ip netns delete "${ns##*/}"; done
                %s
                """.formatted(EgressFirewall.removalCommand(EgressFirewall.tableName(group)));
        DeathGuard guard = DeathGuard.start("thaw-network-guard", cleanup, List.of(group));
        return new EnvironmentNetworks(group, mode, firewall, guard);
    }

    public FunctionNetworkMode mode() {
        return mode;
    }

    /**
     * A new namespace for environment {@code environmentId}, loopback up, linked to the host unless mode is none. Two
     * {@code ip} processes make it: one on the host's side, one inside; a process start is dear on some hosts (a new
     * address space each), and a burst of cold starts pays it for every copy.
     */
    public EnvironmentNetwork open(String environmentId) throws IOException {
        String name = group + "-" + environmentId;
        VethLink link;
        if (mode == FunctionNetworkMode.DEFAULT) {
            link = linkedNamespace(name);
        } else {
            link = null;
            IpCommands.ip("netns", "add", name);
        }
        try {
            List<String> inside = link == null ? List.of("link set lo up") : List.of(
                    "link set lo up",
                    "addr add " + link.environmentAddress() + "/30 dev eth0",
                    "link set eth0 up",
                    "route add default via " + link.hostAddress());
            IpCommands.ipBatch(name, inside);
            return new EnvironmentNetwork(name, thread, link);
        } catch (IOException | RuntimeException e) {
            IpCommands.ip("netns", "delete", name);
            throw e;
        }
    }

    /**
     * Makes namespace {@code namespace} with a veth pair to it, the host end up with its address, in one {@code ip}
     * batch. The host end's name is unique on the host, so the kernel itself refuses an index another platform holds;
     * the namespace (and with it any half-made pair) is then deleted and the next index tried.
     */
    private VethLink linkedNamespace(String namespace) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 64; attempt++) {
            VethLink link = new VethLink(Math.floorMod(nextLink.getAndIncrement(), VethLink.LINKS));
            try {
                IpCommands.ipBatch(null, List.of(
                        "netns add " + namespace,
                        "link add " + link.hostInterface() + " type veth peer name eth0 netns " + namespace,
                        "addr add " + link.hostAddress() + "/30 dev " + link.hostInterface(),
                        "link set " + link.hostInterface() + " up"));
                return link;
            } catch (IOException e) {
                if (!Files.exists(EnvironmentNetwork.NAMESPACES.resolve(namespace))) {
                    throw e; // the namespace itself could not be made: another link would not help
                }
                last = e;
                deleteQuietly(namespace);
            }
        }
        throw new IOException("no free environment link: " + (last == null ? "" : last.getMessage()));
    }

    private static void deleteQuietly(String namespace) {
        try {
            IpCommands.ip("netns", "delete", namespace);
        } catch (IOException e) {
            LOG.warning("cannot delete network namespace " + namespace + ": " + e.getMessage());
        }
    }

    /** Makes and deletes one namespace, so that a host that cannot is refused at startup, not at the first invoke. */
    private static void check(String group) throws IOException {
        String probe = group + "-probe";
        IpCommands.ip("netns", "add", probe);
        IpCommands.ip("netns", "delete", probe);
    }

    private static int sweep(String group) {
        int swept = 0;
        if (!Files.isDirectory(EnvironmentNetwork.NAMESPACES)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(EnvironmentNetwork.NAMESPACES)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.startsWith(group + "-")) {
                    try {
                        IpCommands.ip("netns", "delete", name);
                        swept++;
                    } catch (IOException e) {
                        LOG.warning("cannot delete leftover network namespace " + name + ": " + e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            LOG.warning("cannot list " + EnvironmentNetwork.NAMESPACES + ": " + e.getMessage());
        }
        return swept;
    }

    /** Removes the egress rules (environments and their namespaces are gone by now). */
    @Override
    public void close() {
        sweep(group);
        if (firewall != null) {
            try {
                firewall.remove();
            } catch (IOException e) {
                LOG.warning("cannot remove nftables table " + firewall.table() + ": " + e.getMessage());
            }
        }
        thread.close();
        guard.dismiss();
    }
}
