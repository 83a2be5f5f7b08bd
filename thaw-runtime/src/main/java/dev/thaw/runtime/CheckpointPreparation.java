package dev.thaw.runtime;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the JVM needs just before a snapshot, as AWS's runtime does it: forget resolved names (a restored copy
 * may live on another network), collect garbage so the image is small, and find network sockets that
 * would not survive the restore. Each step reports a problem on stderr and never fails the checkpoint.
 */
final class CheckpointPreparation {

    private CheckpointPreparation() {
    }

    /**
     * Empties InetAddress's static cache. JDK 17 and 25 both keep it in {@code cache} (a ConcurrentMap) and
     * {@code expirySet} (a NavigableSet), plus {@code cachedLocalHost}; needs {@code --add-opens java.base/java.net}.
     */
    static void clearDnsCache() {
        clearStatic("cache");
        clearStatic("expirySet");
        try {
            Field localHost = InetAddress.class.getDeclaredField("cachedLocalHost");
            localHost.setAccessible(true);
            localHost.set(null, null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            note("InetAddress.cachedLocalHost", e);
        }
    }

    private static void clearStatic(String fieldName) {
        try {
            Field field = InetAddress.class.getDeclaredField(fieldName);
            field.setAccessible(true);
            Object value = field.get(null);
            if (value instanceof Map<?, ?> map) {
                map.clear();
            } else if (value instanceof Collection<?> collection) {
                collection.clear();
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            note("InetAddress." + fieldName, e);
        }
    }

    /** How long anonymous memory must stop shrinking before it counts as settled. */
    private static final long SETTLED_MILLIS = 300;
    /** Publishing waits at most this long for memory to settle. */
    private static final long SETTLE_LIMIT_MILLIS = 3000;

    static void collectGarbage() {
        System.gc();
        System.gc();
        awaitMemorySettled();
        leaveHeadroom();
    }

    /**
     * The compacted heap is nearly full, so a restored copy would start its first request with a collection (and
     * a concurrent cycle begun before the checkpoint would end in it). One more collection under the JDK's default
     * free ratios (40-70 %) commits fresh regions instead: pages never touched are not in the image, so the copy
     * gets an empty eden for nothing. The environment's own ratios apply again afterwards.
     */
    static void leaveHeadroom() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            String min = vm.getVMOption("MinHeapFreeRatio").getValue();
            String max = vm.getVMOption("MaxHeapFreeRatio").getValue();
            // MinHeapFreeRatio may never exceed MaxHeapFreeRatio, so the order of the changes matters.
            vm.setVMOption("MaxHeapFreeRatio", "70");
            vm.setVMOption("MinHeapFreeRatio", "40");
            try {
                System.gc();
            } finally {
                vm.setVMOption("MinHeapFreeRatio", min);
                vm.setVMOption("MaxHeapFreeRatio", max);
            }
        } catch (RuntimeException e) {
            System.err.println("thaw-runtime: heap headroom before the checkpoint skipped (" + e + ")");
        }
    }

    /**
     * G1 shrinks the heap at a full GC but hands the freed regions back to the kernel later, on a background
     * thread that starts about 100 ms afterwards. A checkpoint taken before that carries every page of them: the
     * same Spring function's image measured 77 MB or 105 MB depending on the race. So this waits until the
     * process's anonymous memory has stopped falling for {@link #SETTLED_MILLIS}.
     */
    static void awaitMemorySettled() {
        long lowest = anonymousKb();
        if (lowest < 0) {
            return;
        }
        long start = System.nanoTime();
        long lastDrop = start;
        while (System.nanoTime() - lastDrop < SETTLED_MILLIS * 1_000_000L
                && System.nanoTime() - start < SETTLE_LIMIT_MILLIS * 1_000_000L) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = anonymousKb();
            if (now >= 0 && now < lowest) {
                lowest = now;
                lastDrop = System.nanoTime();
            }
        }
    }

    /** RssAnon from /proc/self/status, in kB; -1 where the kernel does not report it. */
    static long anonymousKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("RssAnon:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: nothing to wait for
        }
        return -1;
    }

    /**
     * The TCP and UDP sockets this process holds, e.g. {@code "tcp 127.0.0.1:40112 -> 127.0.0.1:5432"}: a
     * restored copy cannot use them. AF_UNIX sockets are not listed: once NIO has been used the JDK keeps one
     * half-closed socketpair end as its "pre-close" descriptor, and CRIU dumps and restores that one.
     */
    static List<String> openNetworkSockets() {
        Set<String> inodes = socketInodes();
        List<String> sockets = new ArrayList<>();
        if (inodes.isEmpty()) {
            return sockets;
        }
        for (String protocol : List.of("tcp", "tcp6", "udp", "udp6")) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/net", protocol))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && inodes.contains(f[9])) {
                        sockets.add(protocol.replace("6", "") + " " + address(f[1]) + " -> " + address(f[2]));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // no such table (no IPv6, no /proc): nothing of that kind to report
            }
        }
        return sockets;
    }

    private static Set<String> socketInodes() {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // the fd closed while we looked (the directory stream's own, for one)
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("thaw-runtime: cannot list /proc/self/fd to look for open sockets: " + e);
        }
        return inodes;
    }

    /** /proc/net's "0100007F:1F90" (IPv4) or 32 hex digits (IPv6), each 32-bit word in host (little-endian) order. */
    private static String address(String hexAddressAndPort) {
        String[] parts = hexAddressAndPort.split(":");
        byte[] bytes = new byte[parts[0].length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int hex = word * 8 + (3 - i) * 2;
                bytes[word * 4 + i] = (byte) Integer.parseInt(parts[0].substring(hex, hex + 2), 16);
            }
        }
        try {
            InetAddress address = InetAddress.getByAddress(bytes); // an IPv4-mapped IPv6 address comes back as IPv4
            String host = address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
            return host + ":" + Integer.parseInt(parts[1], 16);
        } catch (IOException e) {
            return hexAddressAndPort;
        }
    }

    private static void note(String what, Exception e) {
        System.err.println("thaw-runtime: DNS cache: skipped " + what + " (" + e + ")");
    }
}
