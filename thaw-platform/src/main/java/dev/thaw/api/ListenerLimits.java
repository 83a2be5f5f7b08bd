package dev.thaw.api;

import java.time.Duration;

/**
 * How the API listener protects itself: at most {@code maxConnections} open connections (so it never runs out
 * of file descriptors), and a request whose body makes no progress for {@code readTimeout} is dropped.
 */
public record ListenerLimits(int maxConnections, Duration readTimeout, Duration idleTimeout) {
    public static ListenerLimits defaults() {
        long fds = java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() : 4096;
        // A quarter of the descriptors: environments, logs, snapshots and the store need the rest.
        int max = (int) Math.max(64, Math.min(10_000, fds / 4));
        return new ListenerLimits(max, Duration.ofSeconds(20), Duration.ofSeconds(60));
    }
}
