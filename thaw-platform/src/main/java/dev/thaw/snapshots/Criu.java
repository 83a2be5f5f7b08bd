package dev.thaw.snapshots;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The CRIU binary and whether it works here. Looked up in order: {@code $THAW_CRIU}, the copy that
 * scripts/setup-criu.sh installs, then {@code criu} on PATH. {@link #unavailableReason()} says in one sentence what
 * is missing, for the typed error PublishVersion returns when snapshots cannot work on this host.
 */
public final class Criu {
    static final Path INSTALLED = Path.of("/usr/local/lib/thaw/criu/criu");

    private final Path binary;
    private final String version;
    private final String unavailableReason;

    private Criu(Path binary, String version, String unavailableReason) {
        this.binary = binary;
        this.version = version;
        this.unavailableReason = unavailableReason;
    }

    /** Finds CRIU and runs {@code criu check}; never throws. */
    public static Criu detect() {
        Optional<Path> found = locate();
        if (found.isEmpty()) {
            return new Criu(null, null, "CRIU was not found (set THAW_CRIU, or run scripts/setup-criu.sh as root "
                    + "to install CRIU 4 at " + INSTALLED + ")");
        }
        Path bin = found.get();
        if (!"root".equals(System.getProperty("user.name"))) {
            return new Criu(bin, null, "the platform is not running as root, which CRIU needs to dump and restore "
                    + "processes");
        }
        try {
            Result v = run(List.of(bin.toString(), "--version"), 10);
            String version = v.output().lines().filter(l -> l.startsWith("Version:")).findFirst()
                    .map(l -> l.substring("Version:".length()).trim()).orElse("unknown");
            if (!version.matches("([4-9]|\\d\\d+)\\..*")) {
                return new Criu(bin, version, "CRIU " + version + " at " + bin + " is too old; Thaw needs CRIU 4 or "
                        + "newer (scripts/setup-criu.sh builds 4.1.1)");
            }
            Result check = run(List.of(bin.toString(), "check"), 30);
            if (check.exitCode() != 0) {
                String last = check.output().lines().reduce((a, b) -> b).orElse("");
                return new Criu(bin, version, "`criu check` failed: " + last.trim());
            }
            return new Criu(bin, version, null);
        } catch (IOException e) {
            return new Criu(bin, null, "cannot run " + bin + ": " + e.getMessage());
        }
    }

    private static Optional<Path> locate() {
        String configured = System.getenv("THAW_CRIU");
        if (configured != null && !configured.isEmpty()) {
            return Optional.of(Path.of(configured)).filter(Files::isExecutable);
        }
        if (Files.isExecutable(INSTALLED)) {
            return Optional.of(INSTALLED);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            Path p = Path.of(dir, "criu");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    public boolean available() {
        return unavailableReason == null;
    }

    /** Null when CRIU works; otherwise why snapshots cannot be taken on this host. */
    public String unavailableReason() {
        return unavailableReason;
    }

    public String version() {
        return version;
    }

    public Path binary() {
        return binary;
    }

    record Result(int exitCode, String output) {
    }

    /** A command that did not finish in time and was killed. */
    static final class TimedOut extends IOException {
        TimedOut(String message) {
            super(message);
        }
    }

    /**
     * Makes CRIU stop a task's threads by tracing their syscalls instead of with hardware breakpoints, at dump (when
     * it removes its parasite) and at restore. A breakpoint waits for an RCU grace period to be set, and on some
     * virtual machines it never fires, so a dump waits for ever. 130 is CRIU's FI_NO_BREAKPOINTS, the only switch
     * it offers for this; docs/snapstart.md has what each costs.
     */
    static ProcessBuilder withoutHardwareBreakpoints(ProcessBuilder builder) {
        builder.environment().put("CRIU_FAULT", "130");
        return builder;
    }

    /** Runs a short command, capturing stdout and stderr together. */
    static Result run(List<String> command, long timeoutSeconds) throws IOException {
        Process p = withoutHardwareBreakpoints(new ProcessBuilder(new ArrayList<>(command))).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        // Output is read beside the wait: reading it first would wait for the process however long it hangs.
        java.util.concurrent.CompletableFuture<byte[]> out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        }, Thread::startVirtualThread);
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new TimedOut(command.getFirst() + " " + command.get(1) + " did not finish within "
                        + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), new String(out.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return new Result(p.exitValue(), "");
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
