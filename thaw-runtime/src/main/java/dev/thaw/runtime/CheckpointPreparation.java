package dev.thaw.runtime;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;

/**
 * What the JVM needs just before a snapshot, as AWS's runtime does it: forget resolved names (a restored copy
 * may live on another network), collect garbage so the image is small, and find sockets that would not
 * survive the restore. Each step reports a problem on stderr and never fails the checkpoint.
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

    static void collectGarbage() {
        System.gc();
        System.gc();
    }

    /** Sockets this process holds, from /proc/self/fd; -1 when that cannot be read. */
    static int openSocketCount() {
        int sockets = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                        sockets++;
                    }
                } catch (IOException e) {
                    // the fd closed while we looked (the directory stream's own, for one)
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return sockets;
    }

    private static void note(String what, Exception e) {
        System.err.println("thaw-runtime: DNS cache: skipped " + what + " (" + e + ")");
    }
}
