package dev.thaw.server;

import dev.thaw.api.ListenerLimits;
import dev.thaw.auth.AccessKeys;
import dev.thaw.cgroups.OwnMemoryLimit;
import dev.thaw.io.HostMemory;
import dev.thaw.network.FunctionNetworkMode;
import dev.thaw.store.Database;
import dev.thaw.store.MetadataStore;

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
        int urlPort,
        int metricsPort,
        String database,
        Duration eventLease,
        dev.thaw.objects.ObjectStoreSettings objectStore,
        Path snapshotKeyFile,
        int warmMemoryMb) {

    /** {@link #warmMemoryMb} meaning: hold warm memory only where the host takes free memory back. */
    public static final int WARM_MEMORY_AUTO = -1;
    /** The warm memory held when the host takes free memory back, unless the host is small (see below). */
    static final long AUTO_WARM_MEMORY_BYTES = 256L << 20;

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
                Duration.ofMillis(200), -1, ListenerLimits.defaults(), 9001, -1,
                env.getOrDefault("THAW_DATABASE", ""), MetadataStore.DEFAULT_EVENT_LEASE,
                new dev.thaw.objects.ObjectStoreSettings(env.getOrDefault("THAW_OBJECT_STORE", ""),
                        env.getOrDefault("THAW_OBJECT_STORE_ENDPOINT", ""), "", "",
                        dev.thaw.objects.ObjectStoreSettings.DEFAULT_CACHE_BYTES),
                env.containsKey("THAW_SNAPSHOT_KEY_FILE") ? Path.of(env.get("THAW_SNAPSHOT_KEY_FILE")) : null,
                WARM_MEMORY_AUTO);
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

    /** The snapshot master key file: {@code --snapshot-key-file}, THAW_SNAPSHOT_KEY_FILE, or snapshot.key in the home. */
    public Path snapshotKey() {
        return snapshotKeyFile != null ? snapshotKeyFile : home.resolve("snapshot.key");
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

    /**
     * The concurrency no reservation may take: like AWS, which keeps 100 of its default 1,000 unreserved, a tenth of
     * the account limit unless configured.
     */
    public int unreservedConcurrencyMinimum() {
        return unreservedConcurrencyFloor >= 0 ? unreservedConcurrencyFloor : accountConcurrency / 10;
    }

    /**
     * The bytes of host-backed memory held for restores: as configured, or, by default, 256 MB (at most a
     * thirty-second of the host's memory, or of the platform's own cgroup limit if smaller) on a virtual machine
     * whose balloon device takes free pages back, and none elsewhere, where freed memory stays backed.
     */
    public long warmMemoryBytes() {
        if (warmMemoryMb != WARM_MEMORY_AUTO) {
            return (long) warmMemoryMb << 20;
        }
        if (!HostMemory.freePageReporting()) {
            return 0;
        }
        return Math.min(AUTO_WARM_MEMORY_BYTES, usableMemoryBytes() / 32);
    }

    /** The host's memory, or less where the platform's own cgroup (a container's, say) limits it. */
    private static long usableMemoryBytes() {
        long total = HostMemory.totalBytes().orElse(0);
        return Math.min(total, OwnMemoryLimit.bytes().orElse(total));
    }

    /**
     * The most the reserve of {@link #warmMemoryBytes} may grow to for a while after a burst of restores asked for
     * more: by default an eighth of the host's memory where the reserve is held at all; a configured size is fixed.
     */
    public long warmMemoryCeilingBytes() {
        if (warmMemoryMb != WARM_MEMORY_AUTO) {
            return warmMemoryBytes();
        }
        long base = warmMemoryBytes();
        return base == 0 ? 0 : Math.max(base, usableMemoryBytes() / 8);
    }

    /** The metadata database: the PostgreSQL one configured, or SQLite's file in the home. */
    public Database metadataDatabase() {
        return database.isEmpty() ? Database.sqlite(home.resolve("metadata.db")) : Database.parse(database);
    }

    /** A builder that starts from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Changes some settings of a configuration; each method sets the field of the same name. */
    public static final class Builder {
        private Path home;
        private String host;
        private int port;
        private AccessKeys accessKeys;
        private String region;
        private String accountId;
        private FunctionNetworkMode functionNetwork;
        private int accountConcurrency;
        private Duration idleTtl;
        private Path runtimeJar;
        private Path jdkSearchRoot;
        private Map<String, Path> jdkOverrides;
        private Duration snapshotExpiry;
        private Duration eventRetryDelay;
        private Duration freezeAfter;
        private int unreservedConcurrencyFloor;
        private ListenerLimits listener;
        private int urlPort;
        private int metricsPort;
        private String database;
        private Duration eventLease;
        private dev.thaw.objects.ObjectStoreSettings objectStore;
        private Path snapshotKeyFile;
        private int warmMemoryMb;

        private Builder(ThawConfig c) {
            home = c.home;
            host = c.host;
            port = c.port;
            accessKeys = c.accessKeys;
            region = c.region;
            accountId = c.accountId;
            functionNetwork = c.functionNetwork;
            accountConcurrency = c.accountConcurrency;
            idleTtl = c.idleTtl;
            runtimeJar = c.runtimeJar;
            jdkSearchRoot = c.jdkSearchRoot;
            jdkOverrides = c.jdkOverrides;
            snapshotExpiry = c.snapshotExpiry;
            eventRetryDelay = c.eventRetryDelay;
            freezeAfter = c.freezeAfter;
            unreservedConcurrencyFloor = c.unreservedConcurrencyFloor;
            listener = c.listener;
            urlPort = c.urlPort;
            metricsPort = c.metricsPort;
            database = c.database;
            eventLease = c.eventLease;
            objectStore = c.objectStore;
            snapshotKeyFile = c.snapshotKeyFile;
            warmMemoryMb = c.warmMemoryMb;
        }

        public Builder home(Path value) {
            home = value;
            return this;
        }

        /** Listens on {@code value}; anything but loopback needs access keys ({@link ThawConfig#requireSafeListener}). */
        public Builder host(String value) {
            host = value;
            return this;
        }

        public Builder port(int value) {
            port = value;
            return this;
        }

        /** Requires every API request to be signed with one of {@code value}. */
        public Builder accessKeys(AccessKeys value) {
            accessKeys = value;
            return this;
        }

        public Builder region(String value) {
            region = value;
            return this;
        }

        public Builder accountId(String value) {
            accountId = value;
            return this;
        }

        /** What functions may reach beyond their own loopback. */
        public Builder functionNetwork(FunctionNetworkMode value) {
            functionNetwork = value;
            return this;
        }

        public Builder accountConcurrency(int value) {
            accountConcurrency = value;
            return this;
        }

        /** How long an idle environment is kept. */
        public Builder idleTtl(Duration value) {
            idleTtl = value;
            return this;
        }

        /** How long a snapshot may go unused before it is deleted and its version goes Inactive. */
        public Builder snapshotExpiry(Duration value) {
            snapshotExpiry = value;
            return this;
        }

        /** The delay before an event's first retry; the second waits twice as long (Lambda: about 1 and 2 min). */
        public Builder eventRetryDelay(Duration value) {
            eventRetryDelay = value;
            return this;
        }

        /** How long an environment stays idle before it is frozen; zero or negative never freezes. */
        public Builder freezeAfter(Duration value) {
            freezeAfter = value;
            return this;
        }

        /** See {@link ThawConfig#unreservedConcurrencyMinimum()}. */
        public Builder unreservedConcurrencyMinimum(int value) {
            unreservedConcurrencyFloor = value;
            return this;
        }

        public Builder listener(ListenerLimits value) {
            listener = value;
            return this;
        }

        /** The Function URL listener's port; 0 takes a free one. */
        public Builder urlPort(int value) {
            urlPort = value;
            return this;
        }

        /**
         * Also serves {@code GET /metrics} on a listener of its own on this port of the API's host (0 takes a free
         * one; negative: none), apart from the API's, so a scraper needs none of the API's credentials.
         */
        public Builder metricsPort(int value) {
            metricsPort = value;
            return this;
        }

        /**
         * Keeps metadata in the PostgreSQL database at {@code url} (postgresql://user@host:port/db) instead of
         * SQLite in the home; an empty url means SQLite.
         */
        public Builder database(String url) {
            database = url;
            return this;
        }

        /** How long an event claimed by an instance stays its own unless renewed; a dead one's go after it. */
        public Builder eventLease(Duration value) {
            eventLease = value;
            return this;
        }

        /** Where code packages and snapshot images are shared, and the host cache's bound. */
        public Builder objectStore(dev.thaw.objects.ObjectStoreSettings value) {
            objectStore = value;
            return this;
        }

        /** The file holding the master key that wraps every snapshot's data key. */
        public Builder snapshotKeyFile(Path value) {
            snapshotKeyFile = value;
            return this;
        }

        /** Megabytes of host-backed memory held for restores, or {@link #WARM_MEMORY_AUTO}. */
        public Builder warmMemoryMb(int value) {
            warmMemoryMb = value;
            return this;
        }

        public ThawConfig build() {
            return new ThawConfig(home, host, port, accessKeys, region, accountId, functionNetwork,
                    accountConcurrency, idleTtl, runtimeJar, jdkSearchRoot, jdkOverrides, snapshotExpiry,
                    eventRetryDelay, freezeAfter, unreservedConcurrencyFloor, listener, urlPort, metricsPort,
                    database, eventLease, objectStore, snapshotKeyFile, warmMemoryMb);
        }
    }
}
