package dev.thaw.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@code thaw} command that starts its own platform (demo, bench), run as a user runs it: its own JVM, its own
 * temporary directory for the platform home, every process it starts tracked while it runs. {@link #close} stops
 * whatever still runs and deletes the directory; {@link #assertNothingLeft} checks that the command itself left no
 * process, platform home or mount behind.
 */
final class LocalCommand implements AutoCloseable {
    private final Path dir = Files.createTempDirectory("thaw-local-command-");
    private final Path tmp = Files.createDirectories(dir.resolve("tmp"));
    private final Path log;
    private final Set<ProcessHandle> started = new HashSet<>();
    private Process process;

    LocalCommand(String logName) throws IOException {
        log = ThawServerProcess.REPO.resolve("thaw-platform/target/it-logs/" + logName + ".log");
        Files.createDirectories(log.getParent());
    }

    Path directory() {
        return dir;
    }

    /** The built platform jar with {@code args}; returns its exit value. */
    int runJar(long limitMinutes, String... args) throws Exception {
        return run(limitMinutes, jar(args));
    }

    /**
     * The built platform jar with {@code args} and exactly the {@code AWS_*} variables of {@code aws} (none of the
     * test's own), as a user with those credentials runs it; returns its exit value.
     */
    int runJarWithAwsEnvironment(long limitMinutes, java.util.Map<String, String> aws, String... args)
            throws Exception {
        ProcessBuilder pb = jar(args);
        pb.environment().keySet().removeIf(name -> name.startsWith("AWS_"));
        pb.environment().putAll(aws);
        return run(limitMinutes, pb);
    }

    private ProcessBuilder jar(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp, "-jar",
                ThawServerProcess.REPO.resolve("thaw-platform/target/thaw-platform.jar").toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    /** The repository's {@code ./thaw} launcher with {@code args}, as the README runs it; returns its exit value. */
    int runLauncher(long limitMinutes, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ThawServerProcess.REPO.resolve("thaw").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp);
        return run(limitMinutes, pb);
    }

    private int run(long limitMinutes, ProcessBuilder pb) throws Exception {
        pb.directory(ThawServerProcess.REPO.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        pb.environment().put("THAW_REPO", ThawServerProcess.REPO.toString());
        process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(limitMinutes);
        // Every process the command starts (environments, CRIU, restored copies) is its descendant while it runs.
        while (process.isAlive() && System.nanoTime() < deadline) {
            process.descendants().forEach(started::add);
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
        if (process.isAlive()) {
            throw new AssertionError(String.join(" ", pb.command()) + " still runs after " + limitMinutes
                    + " minutes:\n" + tail());
        }
        return process.exitValue();
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    /** The last lines of the command's output, for failure messages. */
    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** No process the command started is alive, and it left no platform home or mount in its directory. */
    void assertNothingLeft() throws IOException {
        assertTrue(!started.isEmpty(), "the command started no environment");
        List<Long> survivors = ProcessLeaks.survivors(started);
        assertTrue(survivors.isEmpty(), "processes outlived the command: " + survivors);
        try (Stream<Path> left = Files.list(tmp)) {
            List<String> homes = left.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("thaw-local-")).toList();
            assertTrue(homes.isEmpty(), "the command left its platform home behind: " + homes);
        }
        List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.contains(dir.toString())).toList();
        assertTrue(mounts.isEmpty(), "the command left mounts of its platform home behind: " + mounts);
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy(); // SIGTERM: the command's shutdown hook stops its platform and deletes its home
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        started.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        // Never across a mount: a platform home the command left behind may still hold CRIU's cgroup yard.
        dev.thaw.io.FileTrees.delete(dir);
    }
}
