package dev.thaw.server;

import dev.thaw.api.ListenerLimits;
import dev.thaw.auth.AccessKeys;
import dev.thaw.network.FunctionNetworkMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Platform settings with embedded defaults. Every field can be overridden from the command line or, for the
 * launcher's convenience, from THAW_* environment variables.
 */
public record ThawConfig(
        Path home,
        String host,
        int port,
        AccessKeys accessKeys,
        String region,
        String accountId,
        FunctionNetworkMode functionNetwork,
        int accountConcurrency,
        Duration idleTtl,
        Path runtimeJar,
        Path jdkSearchRoot,
        Map<String, Path> jdkOverrides,
        Duration snapshotExpiry,
        Duration eventRetryDelay,
        Duration freezeAfter,
        int unreservedConcurrencyFloor,
        ListenerLimits listener,
        int urlPort) {

    public static ThawConfig defaults() {
        Map<String, String> env = System.getenv();
        Path home = Path.of(env.getOrDefault("THAW_HOME", System.getProperty("user.home") + "/.thaw"));
        Map<String, Path> jdks = new HashMap<>();
        for (String runtime : new String[] {"java17", "java21", "java25"}) {
            String v = env.get("THAW_JDK_" + runtime.toUpperCase());
            if (v != null && !v.isEmpty()) {
                jdks.put(runtime, Path.of(v));
            }
        }
        return new ThawConfig(home, "127.0.0.1", 9000, AccessKeys.none(), env.getOrDefault("AWS_REGION", "us-east-1"),
                "000000000000", FunctionNetworkMode.DEFAULT, 64, Duration.ofMinutes(10), defaultRuntimeJar(),
                Path.of("/usr/lib/jvm"), jdks, Duration.ofDays(14), Duration.ofSeconds(60),
                Duration.ofMillis(200), -1, ListenerLimits.defaults(), 9001);
    }

    /** The runtime jar shipped beside the platform jar, or THAW_RUNTIME_JAR. */
    static Path defaultRuntimeJar() {
        String configured = System.getenv("THAW_RUNTIME_JAR");
        if (configured != null && !configured.isEmpty()) {
            return Path.of(configured);
        }
        try {
            Path platformJar = Path.of(ThawConfig.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path repoRoot = platformJar.getParent().getParent().getParent();
            Path built = repoRoot.resolve("thaw-runtime/target/thaw-runtime.jar");
            if (Files.exists(built)) {
                return built;
            }
            return platformJar.getParent().resolve("thaw-runtime.jar");
        } catch (Exception e) {
            return Path.of("thaw-runtime.jar");
        }
    }

    public ThawConfig withHome(Path newHome) {
        return new ThawConfig(newHome, host, port, accessKeys, region, accountId, functionNetwork,
                accountConcurrency, idleTtl, runtimeJar, jdkSearchRoot, jdkOverrides, snapshotExpiry,
                eventRetryDelay, freezeAfter, unreservedConcurrencyFloor, listener, urlPort);
    }

    /** Listens on {@code newHost}; anything but loopback needs access keys ({@link #requireSafeListener}). */
    public ThawConfig withHost(String newHost) {
        return new ThawConfig(home, newHost, port, accessKeys, region, accountId, functionNetwork,
                accountConcurrency, idleTtl, runtimeJar, jdkSearchRoot, jdkOverrides, snapshotExpiry,
                eventRetryDelay, freezeAfter, unreservedConcurrencyFloor, listener, urlPort);
    }

    /** Requires every API request to be signed with one of {@code keys}. */
    public ThawConfig withAccessKeys(AccessKeys keys) {
        return new ThawConfig(home, host, port, keys, region, accountId, functionNetwork,
                accountConcurrency, idleTtl, runtimeJar, jdkSearchRoot, jdkOverrides, snapshotExpiry,
                eventRetryDelay, freezeAfter, unreservedConcurrencyFloor, listener, urlPort);
    }

    /**
     * Refuses to listen beyond loopback without access keys: whoever can reach the API can run code on this host.
     *
     * @throws IllegalStateException naming the address and what to do
     */
    public void requireSafeListener() {
        if (accessKeys.required()) {
            return;
        }
        boolean loopback;
        try {
            loopback = java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("cannot resolve --host " + host + ": " + e.getMessage(), e);
        }
        if (!loopback) {
            throw new IllegalStateException("refusing to listen on " + host + " without access keys: anyone who "
                    + "can reach it could deploy and run code on this host. Give --access-keys FILE (or "
                    + "THAW_ACCESS_KEYS) so every request must be signed, or listen on loopback (--host 127.0.0.1).");
        }
    }

    public ThawConfig withPort(int newPort) {
        return new ThawConfig(home, host, newPort, accessKeys, region, accountId, functionNetwork,
                accountConcurrency, idleTtl, runtimeJar, jdkSearchRoot, jdkOverrides, snapshotExpiry,
                eventRetryDelay, freezeAfter, unreservedConcurrencyFloor, listener, urlPort);
    }

    public ThawConfig withRegionAndAccount(String newRegion, String newAccount) {
        return new ThawConfig(home, host, port, accessKeys, newRegion, newAccount, functionNetwork,
                accountConcurrency, idleTtl, runtimeJar, jdkSearchRoot, jdkOverrides, snapshotExpiry,
                eventRetryDelay, freezeAfter, unreservedConcurrencyFloor, listener, urlPort);
    }

    /** What functions may reach beyond their own loopback. */
    public ThawConfig withFunctionNetwork(FunctionNetworkMode mode) {
        return new ThawConfig(home, host, port, accessKeys, region, accountId, mode, accountConcurrency, idleTtl,
                runtimeJar, jdkSearchRoot, jdkOverrides, snapshotExpiry,
                eventRetryDelay, freezeAfter, unreservedConcurrencyFloor, listener, urlPort);
    }

    /** How long a snapshot may go unused before it is deleted and its version goes Inactive. */
    public ThawConfig withSnapshotExpiry(Duration expiry) {
        return new ThawConfig(home, host, port, accessKeys, region, accountId, functionNetwork,
                accountConcurrency, idleTtl, runtimeJar, jdkSearchRoot, jdkOverrides, expiry,
                eventRetryDelay, freezeAfter, unreservedConcurrencyFloor, listener, urlPort);
    }

    public ThawConfig withLimits(int newAccountConcurrency, Duration newIdleTtl) {
        return new ThawConfig(home, host, port, accessKeys, region, accountId, functionNetwork,
                newAccountConcurrency, newIdleTtl, runtimeJar, jdkSearchRoot, jdkOverrides, snapshotExpiry,
                eventRetryDelay, freezeAfter, unreservedConcurrencyFloor, listener, urlPort);
    }

    /** The delay before an event's first retry; the second waits twice as long (Lambda: about 1 and 2 minutes). */
    public ThawConfig withEventRetryDelay(Duration delay) {
        return new ThawConfig(home, host, port, accessKeys, region, accountId, functionNetwork,
                accountConcurrency, idleTtl, runtimeJar, jdkSearchRoot, jdkOverrides, snapshotExpiry, delay,
                freezeAfter, unreservedConcurrencyFloor, listener, urlPort);
    }

    /** How long an environment stays idle before it is frozen; zero or negative never freezes. */
    public ThawConfig withFreezeAfter(Duration after) {
        return new ThawConfig(home, host, port, accessKeys, region, accountId, functionNetwork,
                accountConcurrency, idleTtl, runtimeJar, jdkSearchRoot, jdkOverrides, snapshotExpiry,
                eventRetryDelay, after, unreservedConcurrencyFloor, listener, urlPort);
    }

    /**
     * The concurrency no reservation may take: like AWS, which keeps 100 of its default 1,000 unreserved, a tenth of
     * the account limit unless configured.
     */
    public int unreservedConcurrencyMinimum() {
        return unreservedConcurrencyFloor >= 0 ? unreservedConcurrencyFloor : accountConcurrency / 10;
    }

    public ThawConfig withUnreservedConcurrencyMinimum(int minimum) {
        return new ThawConfig(home, host, port, accessKeys, region, accountId, functionNetwork,
                accountConcurrency, idleTtl, runtimeJar, jdkSearchRoot, jdkOverrides, snapshotExpiry,
                eventRetryDelay, freezeAfter, minimum, listener, urlPort);
    }

    public ThawConfig withListenerLimits(ListenerLimits limits) {
        return new ThawConfig(home, host, port, accessKeys, region, accountId, functionNetwork,
                accountConcurrency, idleTtl, runtimeJar, jdkSearchRoot, jdkOverrides, snapshotExpiry,
                eventRetryDelay, freezeAfter, unreservedConcurrencyFloor, limits, urlPort);
    }

    /** The Function URL listener's port on the API's host; 0 takes a free one. */
    public ThawConfig withUrlPort(int newUrlPort) {
        return new ThawConfig(home, host, port, accessKeys, region, accountId, functionNetwork,
                accountConcurrency, idleTtl, runtimeJar, jdkSearchRoot, jdkOverrides, snapshotExpiry,
                eventRetryDelay, freezeAfter, unreservedConcurrencyFloor, listener, newUrlPort);
    }
}
