package dev.thaw.cli;

import dev.thaw.cluster.ClusterRole;
import dev.thaw.cluster.ClusterToken;
import dev.thaw.server.Thaw;
import dev.thaw.server.ThawConfig;
import dev.thaw.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code thaw worker}: runs environments for a cluster's API instances until SIGINT or SIGTERM. */
@Command(name = "worker", description = "Run a worker of a cluster: environments for the API instances that share "
        + "its database (thaw server --workers remote).")
final class WorkerCommand implements Callable<Integer> {
    private static volatile boolean running;

    @Option(names = "--database", paramLabel = "URL", description = "The cluster's PostgreSQL database, e.g. "
            + "postgresql://thaw@db.example:5432/thaw (default: $THAW_DATABASE).")
    String database;

    @Option(names = "--listen", required = true, paramLabel = "ADDR:PORT", description = "Where the internal API "
            + "listens for API instances (only there).")
    String listen;

    @Option(names = "--advertise", paramLabel = "ADDR:PORT", description = "The address API instances reach this "
            + "worker at (default: --listen).")
    String advertise;

    @Option(names = "--cluster-token-file", required = true, paramLabel = "FILE", description = "The secret shared "
            + "with the API instances (first line, 16 characters or more).")
    Path clusterTokenFile;

    @Option(names = "--home", description = "Data directory: code and snapshot cache, logs (default: $THAW_HOME or "
            + "~/.thaw).")
    Path home;

    @Option(names = "--memory", paramLabel = "MiB", description = "Memory this worker offers to environments "
            + "(default: three quarters of the host's).")
    Long memoryMib;

    @Option(names = "--idle-ttl", paramLabel = "SECONDS", description = "Seconds an idle environment is kept "
            + "(default: 600).")
    Integer idleTtlSeconds;

    @Mixin
    SharedStateOptions sharedState;

    @Spec
    CommandSpec spec;

    static boolean running() {
        return running;
    }

    private ParameterException invalid(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** host and port of "ADDR:PORT" (an IPv6 address in brackets). */
    private String[] hostAndPort(String option, String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw invalid(option + " looks like ADDR:PORT, not " + value);
        }
        String host = value.substring(0, colon).replace("[", "").replace("]", "");
        try {
            int port = Integer.parseInt(value.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw invalid(option + " has no valid port: " + value);
        }
        return new String[] {host, value.substring(colon + 1)};
    }

    private static long hostMemoryMib() {
        return dev.thaw.io.HostMemory.totalBytes().orElse(4096L * 1024 * 1024) / (1024 * 1024);
    }

    @Override
    public Integer call() throws Exception {
        Logger.getLogger("io.helidon").setLevel(Level.WARNING);
        Logger.getLogger("org.flywaydb").setLevel(Level.WARNING);
        Logger.getLogger("com.zaxxer.hikari").setLevel(Level.WARNING);
        ThawConfig.Builder builder = ThawConfig.defaults().toBuilder();
        if (database != null) {
            builder.database(database);
        }
        if (home != null) {
            builder.home(home);
        }
        if (idleTtlSeconds != null) {
            if (idleTtlSeconds < 1) {
                throw invalid("--idle-ttl must be 1 second or more");
            }
            builder.idleTtl(java.time.Duration.ofSeconds(idleTtlSeconds));
        }
        sharedState.applyTo(builder, ThawConfig.defaults(), this::invalid);
        ThawConfig config = builder.build();
        try {
            if (!(config.metadataDatabase() instanceof Database.Postgres)) {
                throw invalid("--database must name the cluster's PostgreSQL database (postgresql://...)");
            }
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        String[] listenAt = hostAndPort("--listen", listen);
        if (advertise != null) {
            hostAndPort("--advertise", advertise);
        }
        if (memoryMib != null && memoryMib < 128) {
            throw invalid("--memory must be 128 MiB or more");
        }
        ClusterToken token;
        try {
            token = ClusterToken.read(clusterTokenFile);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw invalid(e.getMessage());
        }
        long memory = memoryMib != null ? memoryMib : hostMemoryMib() * 3 / 4;
        int port = Integer.parseInt(listenAt[1]);
        ClusterRole.Worker role = new ClusterRole.Worker(token, listenAt[0], port,
                advertise != null ? advertise : listen, memory);
        Thaw thaw = new Thaw(config, role).start();
        String advertised = advertise != null ? advertise : port == 0 ? listenAt[0] + ":" + thaw.port() : listen;
        running = true;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("thaw: worker shutting down");
            thaw.close();
            System.out.println("thaw: worker stopped");
            stopped.countDown();
        }, "thaw-shutdown"));
        System.out.println("thaw: worker ready on " + listenAt[0] + ":" + thaw.port() + " as " + advertised
                + " (home " + config.home() + ", " + memory + " MiB)");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
