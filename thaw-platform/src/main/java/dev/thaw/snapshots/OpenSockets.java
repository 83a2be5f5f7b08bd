package dev.thaw.snapshots;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the sockets a process holds, by their inodes in /proc/PID/fd, and names them from /proc/PID/net: a TCP
 * connection cannot be restored into many copies, so any socket left open at checkpoint fails the snapshot with the
 * endpoints it names.
 */
final class OpenSockets {
    private OpenSockets() {
    }

    /**
     * The TCP sockets {@code pid} holds, described like "TCP 127.0.0.1:41000 -> 127.0.0.1:5432". Only TCP blocks a
     * snapshot: CRIU restores unix, netlink and UDP sockets itself, but a TCP connection exists once.
     */
    static List<String> tcp(long pid) {
        List<Long> inodes = socketInodes(pid);
        if (inodes.isEmpty()) {
            return List.of();
        }
        Map<Long, String> known = new HashMap<>();
        Path net = Path.of("/proc", Long.toString(pid), "net");
        readInet(net.resolve("tcp"), "TCP", known);
        readInet(net.resolve("tcp6"), "TCP", known);
        List<String> out = new ArrayList<>();
        for (long inode : inodes) {
            String tcp = known.get(inode);
            if (tcp != null) {
                out.add(tcp);
            }
        }
        return out;
    }

    static List<Long> socketInodes(long pid) {
        List<Long> inodes = new ArrayList<>();
        Path fds = Path.of("/proc", Long.toString(pid), "fd");
        try (var list = Files.list(fds)) {
            for (Path fd : list.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException e) {
                    // fd closed while listing
                }
            }
        } catch (IOException e) {
            // process gone
        }
        return inodes;
    }

    private static void readInet(Path table, String proto, Map<Long, String> out) {
        try {
            List<String> lines = Files.readAllLines(table);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10) {
                    continue;
                }
                long inode = Long.parseLong(f[9]);
                String local = address(f[1]);
                String remote = address(f[2]);
                boolean listening = "0A".equals(f[3]) && proto.equals("TCP");
                out.put(inode, proto + (listening ? " listening on " + local : " " + local + " -> " + remote));
            }
        } catch (IOException | RuntimeException e) {
            // table unavailable: inodes stay unnamed
        }
    }

    /** Decodes /proc/net's hex "ADDR:PORT" (IPv4 little-endian words, or IPv6). */
    static String address(String hex) {
        String[] parts = hex.split(":");
        int port = Integer.parseInt(parts[1], 16);
        String a = parts[0];
        if (a.length() == 8) {
            long v = Long.parseLong(a, 16);
            return (v & 0xff) + "." + ((v >> 8) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 24) & 0xff) + ":"
                    + port;
        }
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 32; i += 8) {
            String word = a.substring(i, i + 8);
            for (int j = 6; j >= 0; j -= 2) {
                sb.append(word, j, j + 2);
                if (j == 4 || j == 0) {
                    sb.append(i == 24 && j == 0 ? "" : ":");
                }
            }
        }
        return sb.append("]:").append(port).toString();
    }
}
