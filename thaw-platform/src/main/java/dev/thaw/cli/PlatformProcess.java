package dev.thaw.cli;

import dev.thaw.server.Thaw;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code thaw server} or {@code thaw worker} that {@code thaw bench --cluster} runs as a process of its own, from the
 * platform jar this code runs from, on a home it names, with its output in {@code home/../NAME.log}. It is ready when
 * it prints the line that names its port. {@link #close} stops it with SIGTERM (its shutdown stops its environments
 * and removes its cgroups, namespaces and mounts) and checks that it left no network namespace behind.
 */
final class PlatformProcess implements AutoCloseable {
    private static final Pattern SERVER_READY = Pattern.compile("thaw: ready on http://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern WORKER_READY = Pattern.compile("thaw: worker ready on \\S+ as \\S+:(\\d+)");

    private static final List<String> STATE_VARIABLES = List.of("THAW_HOME", "THAW_DATABASE", "THAW_OBJECT_STORE",
            "THAW_OBJECT_STORE_ENDPOINT", "THAW_OBJECT_STORE_SECRET_KEY", "THAW_SNAPSHOT_KEY_FILE", "THAW_ACCESS_KEYS");

    private final String name;
    private final Process process;
    private final Path home;
    private final Path log;
    private final int port;

    private PlatformProcess(String name, Process process, Path home, Path log, int port) {
        this.name = name;
        this.process = process;
        this.home = home;
        this.log = log;
        this.port = port;
    }

    /** {@code thaw server} on a free loopback port; {@code args} come after the home and ports. */
    static PlatformProcess server(String name, Path home, List<String> args) throws IOException {
        List<String> all = new ArrayList<>(List.of("server", "--home", home.toString(), "--port", "0", "--url-port",
                "0"));
        all.addAll(args);
        return start(name, home, all, SERVER_READY);
    }

    /** {@code thaw worker} listening on a free loopback port; {@code args} come after the home and address. */
    static PlatformProcess worker(String name, Path home, List<String> args) throws IOException {
        List<String> all = new ArrayList<>(List.of("worker", "--home", home.toString(), "--listen", "127.0.0.1:0"));
        all.addAll(args);
        return start(name, home, all, WORKER_READY);
    }

    private static PlatformProcess start(String name, Path home, List<String> args, Pattern ready)
            throws IOException {
        Files.createDirectories(home);
        Path log = home.resolveSibling(name + ".log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), "-jar", platformJar().toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // Its state is where the arguments say: the caller's own home, database or store must not reach it.
        pb.environment().keySet().removeAll(STATE_VARIABLES);
        Process process = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (System.nanoTime() < deadline) {
                Matcher m = ready.matcher(Files.readString(log));
                if (m.find()) {
                    return new PlatformProcess(name, process, home, log, Integer.parseInt(m.group(1)));
                }
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException(name + " did not become ready:\n" + tail(log));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (IOException | RuntimeException e) {
            stop(process);
            throw e;
        }
    }

    static Path platformJar() {
        try {
            return Path.of(PlatformProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** Everything it printed so far. */
    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops it; a network namespace of its environments that is still there afterwards (a platform that had to be
     * killed) is deleted here.
     */
    @Override
    public void close() throws IOException {
        stop(process);
        String prefix = Thaw.groupName(home) + "-";
        Path netns = Path.of("/run/netns");
        if (Files.isDirectory(netns)) {
            try (var names = Files.list(netns)) {
                for (String left : names.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix))
                        .toList()) {
                    System.err.println("thaw bench: " + name + " left network namespace " + left + "; deleting it");
                    try {
                        new ProcessBuilder("ip", "netns", "delete", left).redirectErrorStream(true).start()
                                .waitFor(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }
    }
}
