package dev.thaw.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code thaw worker} in a network namespace this test makes, as on a host of its own: linked to the test's host
 * by a veth pair on a private /30 (host 10.251.N.1, worker 10.251.N.2), with its own home, and so its own cgroup
 * subtree ({@code thaw-<hash of its home>}). The worker reaches PostgreSQL at the link's host address; API
 * instances reach the worker at its own. {@link #close()} stops it and deletes the namespace and the home.
 */
final class ClusterWorker implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("thaw: worker ready on \\S+ as (\\S+)");
    private static final String NAMESPACE_PREFIX = "thaw-test-worker-";
    private static final Pattern NAMESPACE = Pattern.compile(Pattern.quote(NAMESPACE_PREFIX) + "(\\d+)-\\d+");
    private static final AtomicBoolean SWEPT = new AtomicBoolean();

    private final String namespace;
    private final String hostAddress;
    private final String workerAddress;
    private final Path home;
    private Process process;
    private Path log;
    private String advertised;
    private int starts;

    private ClusterWorker(String namespace, String hostAddress, String workerAddress, Path home) {
        this.namespace = namespace;
        this.hostAddress = hostAddress;
        this.workerAddress = workerAddress;
        this.home = home;
    }

    /** The namespace, its link and an empty home; the worker is started by {@link #start}. */
    static ClusterWorker prepare(int n) throws IOException, InterruptedException {
        if (SWEPT.compareAndSet(false, true)) {
            deleteStaleNamespaces();
        }
        String name = NAMESPACE_PREFIX + ProcessHandle.current().pid() + "-" + n;
        int base = (int) (ProcessHandle.current().pid() % 60) * 4 * 4 + n * 4;
        String prefix = "10.251." + (base >> 8) + ".";
        String host = prefix + ((base & 0xff) + 1);
        String worker = prefix + ((base & 0xff) + 2);
        String link = "ttw" + ProcessHandle.current().pid() % 100000 + "x" + n;
        run("ip", "netns", "add", name);
        try {
            run("ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", name);
            run("ip", "addr", "add", host + "/30", "dev", link);
            run("ip", "link", "set", link, "up");
            run("ip", "-n", name, "link", "set", "lo", "up");
            run("ip", "-n", name, "addr", "add", worker + "/30", "dev", "eth0");
            run("ip", "-n", name, "link", "set", "eth0", "up");
            // The host's ends of the other workers' links too (a server there serves every worker).
            run("ip", "-n", name, "route", "add", "10.251.0.0/16", "via", host);
        } catch (IOException | RuntimeException e) {
            run("ip", "netns", "delete", name);
            throw e;
        }
        return new ClusterWorker(name, host, worker, Files.createTempDirectory("thaw-it-worker-"));
    }

    String namespace() {
        return namespace;
    }

    /** This worker's end of its link: where PostgreSQL must listen for it. */
    String hostAddress() {
        return hostAddress;
    }

    /** host:port its internal API was advertised at. */
    String advertised() {
        return advertised;
    }

    Path home() {
        return home;
    }

    long pid() {
        return process.pid();
    }

    /** Starts (or starts again, on the same home) {@code thaw worker} inside the namespace. */
    void start(String databaseUrlOnHost, Path tokenFile, long memoryMib) {
        start(databaseUrlOnHost, tokenFile, memoryMib, List.of(), java.util.Map.of());
    }

    /** As {@link #start(String, Path, long)}, with more arguments and variables for the worker. */
    void start(String databaseUrlOnHost, Path tokenFile, long memoryMib, List<String> moreArguments,
               java.util.Map<String, String> environment) {
        String database = databaseUrlOnHost.replace("127.0.0.1", hostAddress);
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + namespace, "--",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", ThawServerProcess.REPO.resolve("thaw-platform/target/thaw-platform.jar").toString(),
                "worker", "--database", database, "--listen", workerAddress + ":0",
                "--cluster-token-file", tokenFile.toString(), "--home", home.toString(),
                "--memory", Long.toString(memoryMib)));
        cmd.addAll(moreArguments);
        try {
            log = ThawServerProcess.REPO.resolve("thaw-platform/target/it-logs/" + namespace + "-" + (++starts)
                    + ".log");
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (System.nanoTime() < deadline) {
                Matcher m = READY.matcher(Files.readString(log));
                if (m.find()) {
                    advertised = m.group(1);
                    return;
                }
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(50);
            }
            process.destroyForcibly();
            throw new IllegalStateException("thaw worker did not become ready:\n" + Files.readString(log));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Everything its functions logged, from the log files in its home. */
    String functionLogs(String function) {
        Path dir = home.resolve("logs").resolve(function);
        if (!Files.isDirectory(dir)) {
            return "";
        }
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                all.append(Files.readString(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all.toString();
    }

    /** What every start of this worker printed, first start first. */
    String allOutput() {
        StringBuilder all = new StringBuilder();
        for (int n = 1; n <= starts; n++) {
            try {
                all.append(Files.readString(ThawServerProcess.REPO.resolve("thaw-platform/target/it-logs/"
                        + namespace + "-" + n + ".log")));
            } catch (IOException e) {
                // that start left no log
            }
        }
        return all.toString();
    }

    String output() {
        try {
            return log == null ? "" : Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGKILL: the worker gets no chance to leave the cluster or clean up. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait; the worker leaves the cluster and stops its environments. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("thaw worker did not stop within 30 s of SIGTERM");
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            stop();
        } finally {
            run("ip", "netns", "delete", namespace);
            try {
                dev.thaw.io.FileTrees.delete(home);
            } catch (IOException e) {
                System.err.println("could not delete " + home + ": " + e.getMessage());
            }
        }
    }

    /**
     * Deletes the namespaces of earlier test JVMs that were killed before their workers' {@link #close()}: those
     * named after a pid that no longer runs, with no process left inside. One that still holds a process is
     * reported and left alone.
     */
    private static void deleteStaleNamespaces() throws IOException, InterruptedException {
        for (String name : run("ip", "netns", "list").lines().map(line -> line.split(" ")[0]).toList()) {
            Matcher m = NAMESPACE.matcher(name);
            if (!m.matches() || ProcessHandle.of(Long.parseLong(m.group(1))).isPresent()) {
                continue;
            }
            String inside = run("ip", "netns", "pids", name);
            if (inside.isEmpty()) {
                run("ip", "netns", "delete", name);
            } else {
                System.err.println("left alone: " + name + " of a test JVM that is gone still holds " + inside);
            }
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
