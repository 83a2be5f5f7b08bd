package dev.thaw.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster from Debian's {@code postgresql} package: made with initdb in a temporary directory,
 * run as the unprivileged {@code postgres} user on a free loopback port with its socket in that directory, without
 * fsync. {@link #stop}/{@link #start} restart it on the same port; {@link #close} stops it and deletes the directory.
 */
final class PostgresCluster implements AutoCloseable {
    private static final String USER = "thaw";
    private final Path dir;
    private final Path bin;
    private final int port;
    private int databases;

    private PostgresCluster(Path dir, Path bin, int port) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
    }

    static PostgresCluster create() {
        Path dir = null;
        try {
            Path bin = serverBinaries();
            dir = Files.createTempDirectory("thaw-postgres-");
            UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName("postgres");
            Files.setOwner(dir, postgres);
            PostgresCluster cluster = new PostgresCluster(dir, bin, freePort());
            cluster.asPostgres(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust",
                    "-U", USER, "--no-sync");
            cluster.start();
            return cluster;
        } catch (IOException | RuntimeException e) {
            if (dir != null) {
                deleteTree(dir);
            }
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** The newest installed server's binaries: /usr/lib/postgresql/N/bin. */
    private static Path serverBinaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("PostgreSQL is not installed (scripts/setup.sh installs postgresql)");
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                    .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
                    .map(v -> v.resolve("bin"))
                    .orElseThrow(() -> new IllegalStateException("no initdb under " + root));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private String listenAddresses = "127.0.0.1";

    void start() {
        pgCtl("-o", "-k " + dir + " -p " + port + " -c listen_addresses=" + listenAddresses + " -c fsync=off", "-w",
                "start");
    }

    /**
     * Restarts the server listening also on {@code addresses} (host addresses of links to namespaces the test made)
     * and trusting clients from {@code clientNetwork} (CIDR), so that processes in those namespaces can connect.
     */
    void alsoServe(List<String> addresses, String clientNetwork) {
        try {
            Path hba = dir.resolve("data/pg_hba.conf");
            Files.writeString(hba, "host all all " + clientNetwork + " trust\n",
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        stop();
        listenAddresses = "127.0.0.1," + String.join(",", addresses);
        start();
    }

    /** A fast shutdown: open connections are closed, as when the database restarts. */
    void stop() {
        pgCtl("-m", "fast", "-w", "stop");
    }

    private void pgCtl(String... args) {
        List<String> cmd = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), "-D",
                dir.resolve("data").toString(), "-l", dir.resolve("log").toString()));
        cmd.addAll(List.of(args));
        asPostgres(cmd.toArray(String[]::new));
    }

    private void asPostgres(String... command) {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        cmd.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                String log = Files.exists(dir.resolve("log")) ? Files.readString(dir.resolve("log")) : "";
                throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out + log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    int port() {
        return port;
    }

    /** A new empty database; returns its URL in {@code --database}'s shape. */
    String createDatabase() {
        String name = "thaw" + (++databases);
        try (Connection c = connect("postgres")) {
            c.createStatement().execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return "postgresql://" + USER + "@127.0.0.1:" + port + "/" + name;
    }

    /** A JDBC connection to the database named at the end of {@code url} (or a bare name). */
    Connection connect(String urlOrName) throws SQLException {
        String name = urlOrName.substring(urlOrName.lastIndexOf('/') + 1);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + name, USER, "");
    }

    @Override
    public void close() {
        try {
            if (Files.exists(dir.resolve("data/postmaster.pid"))) {
                stop();
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
