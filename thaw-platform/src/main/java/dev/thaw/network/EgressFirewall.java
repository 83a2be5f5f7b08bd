package dev.thaw.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The nftables rules that make a veth link an exit to the outside network and nothing more, in a table of the
 * platform's own ({@code inet thaw_<home>}), removed when it stops:
 * <ul>
 *   <li>input: nothing from an environment reaches the host itself, whichever of its addresses is asked;</li>
 *   <li>forward: nothing from an environment reaches another environment; and when the platform was the one to
 *       turn IPv4 forwarding on, the host forwards nothing that does not come from or go to an environment;</li>
 *   <li>postrouting: what leaves for the outside is masqueraded to the host's address on that side.</li>
 * </ul>
 * The rules match every platform's links ({@code thv*}), so platforms on one host also keep apart from each other.
 */
final class EgressFirewall {
    private static final Path IP_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");

    private final String table;

    private EgressFirewall(String table) {
        this.table = table;
    }

    static String tableName(String group) {
        return group.replaceAll("[^A-Za-z0-9_]", "_");
    }

    /** Turns forwarding on if it is off and installs the platform's table (replacing one a killed run left). */
    static EgressFirewall install(String group) throws IOException {
        boolean forwardingWasOff = Files.readString(IP_FORWARD).trim().equals("0");
        if (forwardingWasOff) {
            Files.writeString(IP_FORWARD, "1\n");
        }
        String table = tableName(group);
        String links = VethLink.HOST_PREFIX + "*";
        String onlyEnvironments = forwardingWasOff
                ? "    iifname != \"" + links + "\" oifname != \"" + links + "\" drop\n" : "";
        IpCommands.nft("""
                table inet %1$s
                delete table inet %1$s
                table inet %1$s {
                  chain input {
                    type filter hook input priority 0; policy accept;
                    iifname "%2$s" drop
                  }
                  chain forward {
                    type filter hook forward priority 0; policy accept;
                    iifname "%2$s" oifname "%2$s" drop
                    iifname "%2$s" ip daddr %3$s drop
                %4$s  }
                  chain postrouting {
                    type nat hook postrouting priority 100; policy accept;
                    ip saddr %3$s oifname != "%2$s" masquerade
                  }
                }
                """.formatted(table, links, VethLink.SUBNET, onlyEnvironments));
        return new EgressFirewall(table);
    }

    /** The shell line that removes the table, for the platform's death guard. */
    static String removalCommand(String table) {
        return "nft delete table inet " + table + " 2>/dev/null";
    }

    String table() {
        return table;
    }

    void remove() throws IOException {
        IpCommands.nft("delete table inet " + table + "\n");
    }
}
