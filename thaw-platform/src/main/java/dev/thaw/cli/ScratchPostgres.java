package dev.thaw.cli;

import dev.thaw.io.FileTrees;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster for {@code thaw bench --cluster}: Debian's server binaries (scripts/setup.sh
 * installs {@code postgresql}) run as the {@code postgres} user through {@code runuser}, with initdb in a directory of
 * its own, trust authentication for the user {@code thaw}, TCP on loopback only (no Unix socket, whose path would
 * be too long under a deep temporary directory).
 * {@link #close} stops it and deletes the directory.
 */
final class ScratchPostgres implements AutoCloseable {
    private static final String USER = "thaw";
    private final Path dir;
    private final Path bin;
    private final int port;
    private boolean running;

    private ScratchPostgres(Path dir, Path bin, int port) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
    }

    /** Makes the cluster in a new directory under {@code parent}, starts it and creates the database {@code thaw}. */
    static ScratchPostgres start(Path parent) throws IOException {
        Path bin = serverBinaries();
        Path dir = Files.createTempDirectory(parent, "postgres-");
        ScratchPostgres pg = new ScratchPostgres(dir, bin, freePort());
        try {
            requireReachable(dir);
            UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName("postgres");
            Files.setOwner(dir, postgres);
            pg.asPostgres(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust",
                    "-U", USER, "--no-sync");
            pg.asPostgres(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                    dir.resolve("log").toString(), "-o", "-p " + pg.port + " -c listen_addresses=127.0.0.1 "
                            + "-c unix_socket_directories='' -c fsync=off", "-w", "start");
            pg.running = true;
            pg.asPostgres(bin.resolve("psql").toString(), "-h", "127.0.0.1", "-p", Integer.toString(pg.port), "-U",
                    USER, "-d", "postgres", "-c", "CREATE DATABASE thaw");
            return pg;
        } catch (IOException | RuntimeException e) {
            pg.close();
            throw e;
        }
    }

    /** {@code --database}'s form of the database. */
    String url() {
        return "postgresql://" + USER + "@127.0.0.1:" + port + "/thaw";
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

    /** The server runs as {@code postgres}, which must be able to pass through every directory above its own. */
    private static void requireReachable(Path dir) throws IOException {
        for (Path p = dir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                throw new IllegalStateException("the postgres user cannot reach " + dir + " (" + p + " is closed to "
                        + "other users); run the bench with -Djava.io.tmpdir set to a directory it can reach");
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
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
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (running) {
                running = false;
                asPostgres(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast",
                        "-w", "stop");
            }
        } finally {
            FileTrees.delete(dir);
        }
    }
}
