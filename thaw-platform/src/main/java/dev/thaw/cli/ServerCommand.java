package dev.thaw.cli;

import dev.thaw.api.ListenerLimits;
import dev.thaw.auth.AccessKeys;
import dev.thaw.network.FunctionNetworkMode;
import dev.thaw.server.Thaw;
import dev.thaw.server.ThawConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code thaw server}: runs the platform in the foreground until SIGINT or SIGTERM. */
@Command(name = "server", description = "Run the platform in the foreground.")
final class ServerCommand implements Callable<Integer> {
    private static volatile boolean running;
    /** Migrations and the connection pool narrate every step at INFO; the store logs what matters itself. */
    private static final java.util.List<Logger> QUIET_LIBRARIES = java.util.List.of(
            Logger.getLogger("org.flywaydb"), Logger.getLogger("com.zaxxer.hikari"));

    @Option(names = "--home", description = "Data directory (default: $THAW_HOME or ~/.thaw).")
    Path home;

    @Option(names = "--port", description = "API port (default: 9000).")
    Integer port;

    @Option(names = "--metrics-port", paramLabel = "PORT", description = "Also serve GET /metrics on this port "
            + "of the API's host, apart from the API (0 picks a free port). GET /metrics on the API's port always works.")
    Integer metricsPort;

    @Option(names = "--url-port", paramLabel = "PORT", description = "Function URL port on the API's host; 0 takes a "
            + "free one (default: 9001).")
    Integer urlPort;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "Address the API listens on (default: 127.0.0.1). "
            + "Anything but loopback requires --access-keys.")
    String host;

    @Option(names = "--access-keys", paramLabel = "FILE", description = "Accepted access keys, in the shape of "
            + "~/.aws/credentials ([name] sections with aws_access_key_id and aws_secret_access_key); every request "
            + "(and every AWS_IAM Function URL request) must then carry a SigV4 signature by one of them "
            + "(default: $THAW_ACCESS_KEYS; without keys the API accepts any credentials and listens on loopback "
            + "only).")
    Path accessKeys;

    @Option(names = "--region", description = "Region in ARNs, and the one requests are signed for with "
            + "--access-keys (default: $AWS_REGION or us-east-1).")
    String region;

    @Option(names = "--account-id", description = "Account id in ARNs (default: 000000000000).")
    String accountId;

    @Option(names = "--function-network", paramLabel = "default|none", description = "What functions reach beyond "
            + "their own loopback: 'default', the outside network through NAT (never the host or another "
            + "environment); 'none', nothing (default: default).")
    String functionNetwork;

    @Option(names = "--concurrency", description = "Account concurrency limit (default: 64).")
    Integer concurrency;

    @Option(names = "--idle-ttl", description = "Seconds an idle environment is kept (default: 600).")
    Integer idleTtlSeconds;

    @Option(names = "--snapshot-expiry", description = "Delete snapshots unused this long, e.g. 14d, 12h, 90s "
            + "(default: 14d); the version goes Inactive until its snapshot is re-created.")
    String snapshotExpiry;


    @Option(names = "--event-retry-delay", paramLabel = "SECONDS", description = "Seconds before an Event "
            + "invocation's first retry; the second waits twice as long (default: 60).")
    Integer eventRetryDelaySeconds;

    @Option(names = "--freeze-after", paramLabel = "MILLIS", description = "Milliseconds an environment stays idle "
            + "before its processes are frozen (cgroup freezer) until the next invoke; 0 never freezes (default: 200).")
    Integer freezeAfterMillis;

    @Option(names = "--warm-memory", paramLabel = "MB", description = "Megabytes of memory the host already backs, "
            + "held and handed to each snapshot restore as it starts; 0 holds none (default: 256, at most a "
            + "thirty-second of the host's memory, on a virtual machine whose balloon takes free memory back, else 0).")
    Integer warmMemoryMb;

    @Option(names = "--unreserved-concurrency", paramLabel = "N", description = "Concurrency that reserved "
            + "concurrency may never take, as AWS keeps 100 of 1,000 unreserved (default: a tenth of --concurrency).")
    Integer unreservedConcurrency;

    @Option(names = "--max-connections", paramLabel = "N", description = "Open connections the API accepts at once; "
            + "more wait in the kernel's queue (default: a quarter of the open-file limit, at most 10000).")
    Integer maxConnections;

    @Option(names = "--read-timeout", paramLabel = "SECONDS", description = "A request whose body makes no "
            + "progress for this long is dropped (default: 20).")
    Integer readTimeoutSeconds;

    @Option(names = "--database", paramLabel = "URL", description = "Keep metadata in PostgreSQL, e.g. "
            + "postgresql://thaw@db.example:5432/thaw, so that several instances share functions and events "
            + "(default: $THAW_DATABASE, else SQLite in the home).")
    String database;

    @Option(names = "--event-lease", paramLabel = "SECONDS", description = "Seconds an Event claimed by this "
            + "instance stays its own without renewal; an instance that dies loses its events to others after "
            + "it (default: 30).")
    Integer eventLeaseSeconds;

    @Mixin
    SharedStateOptions sharedState;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", description = "Connections idle this long between "
            + "requests are closed (default: 60).")
    Integer idleTimeoutSeconds;

    @Option(names = "--workers", paramLabel = "embedded|remote", description = "Where environments run: "
            + "'embedded', in this process (default); 'remote', on the workers registered in --database "
            + "(thaw worker), which this instance routes invocations to.")
    String workers;

    @Option(names = "--cluster-token-file", paramLabel = "FILE", description = "The secret shared with workers "
            + "(first line, 16 characters or more); required with --workers remote.")
    Path clusterTokenFile;

    @Spec
    CommandSpec spec;

    /** The role --workers and --cluster-token-file ask for. */
    private dev.thaw.cluster.ClusterRole role(ThawConfig config) {
        String mode = workers == null ? "embedded" : workers;
        switch (mode) {
            case "embedded" -> {
                return new dev.thaw.cluster.ClusterRole.Embedded();
            }
            case "remote" -> {
                if (clusterTokenFile == null) {
                    throw invalid("--workers remote needs --cluster-token-file");
                }
                if (!(config.metadataDatabase() instanceof dev.thaw.store.Database.Postgres)) {
                    throw invalid("--workers remote needs --database postgresql://... shared with the workers");
                }
                try {
                    return new dev.thaw.cluster.ClusterRole.RemoteWorkers(
                            dev.thaw.cluster.ClusterToken.read(clusterTokenFile));
                } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                    throw invalid(e.getMessage());
                }
            }
            default -> throw invalid("--workers is embedded or remote, not " + mode);
        }
    }

    static boolean running() {
        return running;
    }

    private ParameterException invalid(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private Duration parseDuration(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([dhms])").matcher(text.trim());
        if (!m.matches()) {
            throw invalid("durations look like 14d, 12h, 30m or 90s, not " + text);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "d" -> Duration.ofDays(n);
            case "h" -> Duration.ofHours(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
    }

    private static void warnIfOthersCanRead(Path keysFile) {
        try {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> p = java.nio.file.Files.getPosixFilePermissions(
                    keysFile);
            if (p.contains(java.nio.file.attribute.PosixFilePermission.GROUP_READ)
                    || p.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
                System.err.println("thaw: warning: " + keysFile + " holds secrets and other users can read it "
                        + "(chmod 600 it)");
            }
        } catch (java.io.IOException | UnsupportedOperationException unknown) {
            // nothing to say about a file system without POSIX permissions
        }
    }

    /** The keys file from --access-keys or THAW_ACCESS_KEYS; null when neither is given. */
    private Path keysFile() {
        String keysFromEnv = System.getenv("THAW_ACCESS_KEYS");
        return accessKeys != null ? accessKeys
                : keysFromEnv != null && !keysFromEnv.isEmpty() ? Path.of(keysFromEnv) : null;
    }

    /**
     * Where the API listens and whom it accepts: home, port, host and access keys.
     *
     * @throws IllegalArgumentException when the keys file cannot be read
     * @throws IllegalStateException when the API would listen beyond loopback without keys
     */
    private void applyListener(ThawConfig.Builder config, Path keysFile) {
        if (home != null) {
            config.home(home);
        }
        if (port != null) {
            config.port(port);
        }
        if (metricsPort != null) {
            config.metricsPort(metricsPort);
        }
        if (urlPort != null) {
            config.urlPort(urlPort);
        }
        if (host != null) {
            config.host(host);
        }
        if (keysFile != null) {
            config.accessKeys(AccessKeys.read(keysFile));
            warnIfOthersCanRead(keysFile);
        }
        config.build().requireSafeListener();
    }

    /** Every other option given on the command line. */
    private void applyOptions(ThawConfig.Builder config, ThawConfig defaults) {
        if (region != null) {
            config.region(region);
        }
        if (accountId != null) {
            config.accountId(accountId);
        }
        if (functionNetwork != null) {
            try {
                config.functionNetwork(FunctionNetworkMode.parse(functionNetwork));
            } catch (IllegalArgumentException e) {
                throw invalid(e.getMessage());
            }
        }
        if (concurrency != null) {
            config.accountConcurrency(concurrency);
        }
        if (idleTtlSeconds != null) {
            config.idleTtl(Duration.ofSeconds(idleTtlSeconds));
        }
        if (snapshotExpiry != null) {
            config.snapshotExpiry(parseDuration(snapshotExpiry));
        }
        if (eventRetryDelaySeconds != null) {
            if (eventRetryDelaySeconds < 0) {
                throw invalid("--event-retry-delay must be 0 or more seconds");
            }
            config.eventRetryDelay(Duration.ofSeconds(eventRetryDelaySeconds));
        }
        if (freezeAfterMillis != null) {
            config.freezeAfter(Duration.ofMillis(freezeAfterMillis));
        }
        if (warmMemoryMb != null) {
            if (warmMemoryMb < 0) {
                throw invalid("--warm-memory must be 0 or more megabytes");
            }
            config.warmMemoryMb(warmMemoryMb);
        }
        if (unreservedConcurrency != null) {
            int accountLimit = concurrency != null ? concurrency : defaults.accountConcurrency();
            if (unreservedConcurrency < 0 || unreservedConcurrency > accountLimit) {
                throw invalid("--unreserved-concurrency must be between 0 and the account concurrency limit");
            }
            config.unreservedConcurrencyMinimum(unreservedConcurrency);
        }
        if (database != null) {
            config.database(database);
        }
        sharedState.applyTo(config, defaults, this::invalid);
        if (eventLeaseSeconds != null) {
            if (eventLeaseSeconds < 3) {
                throw invalid("--event-lease must be 3 seconds or more");
            }
            config.eventLease(Duration.ofSeconds(eventLeaseSeconds));
        }
        if (maxConnections != null || readTimeoutSeconds != null || idleTimeoutSeconds != null) {
            if ((maxConnections != null && maxConnections < 1) || (readTimeoutSeconds != null && readTimeoutSeconds < 1)
                    || (idleTimeoutSeconds != null && idleTimeoutSeconds < 1)) {
                throw invalid("--max-connections, --read-timeout and --idle-timeout must be 1 or more");
            }
            ListenerLimits l = defaults.listener();
            config.listener(new ListenerLimits(maxConnections != null ? maxConnections : l.maxConnections(),
                    readTimeoutSeconds != null ? Duration.ofSeconds(readTimeoutSeconds) : l.readTimeout(),
                    idleTimeoutSeconds != null ? Duration.ofSeconds(idleTimeoutSeconds) : l.idleTimeout()));
        }
    }

    @Override
    public Integer call() throws Exception {
        Logger.getLogger("io.helidon").setLevel(Level.WARNING);
        QUIET_LIBRARIES.forEach(l -> l.setLevel(Level.WARNING));
        Path keysFile = keysFile();
        ThawConfig defaults = ThawConfig.defaults();
        ThawConfig.Builder builder = defaults.toBuilder();
        try {
            applyListener(builder, keysFile);
        } catch (IllegalArgumentException | IllegalStateException refused) {
            System.err.println("thaw: " + refused.getMessage());
            return 2;
        }
        applyOptions(builder, defaults);
        ThawConfig config = builder.build();
        try {
            config.metadataDatabase();
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        Thaw thaw = new Thaw(config, role(config)).start();
        if (config.accessKeys().required()) {
            System.out.println("thaw: every request must carry a SigV4 signature (service lambda, region "
                    + config.region() + ") by one of the " + config.accessKeys().size() + " access keys in "
                    + keysFile);
        } else {
            System.out.println("thaw: no access keys configured (--access-keys): the API accepts any credentials, "
                    + "so it listens on loopback only");
        }
        running = true;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("thaw: shutting down");
            thaw.close();
            System.out.println("thaw: stopped");
            stopped.countDown();
        }, "thaw-shutdown"));
        System.out.println("thaw: function URLs on http://" + config.host() + ":" + thaw.urlPort()
                + " (http://<url-id>.lambda-url." + config.region() + ".localhost:" + thaw.urlPort() + "/)");
        thaw.metricsPort().ifPresent(p -> System.out.println("thaw: metrics on http://" + config.host() + ":" + p
                + "/metrics"));
        System.out.println("thaw: ready on http://" + config.host() + ":" + thaw.port() + " (home " + config.home()
                + ", region " + config.region() + ", account " + config.accountId() + ")");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
