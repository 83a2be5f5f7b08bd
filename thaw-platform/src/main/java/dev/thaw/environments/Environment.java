package dev.thaw.environments;

import dev.thaw.cgroups.EnvironmentCgroup;
import dev.thaw.errors.RuntimeErrorType;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.functions.LoggingConfig;
import dev.thaw.io.ProcStatus;
import dev.thaw.runtimeapi.ErrorBody;
import dev.thaw.runtimeapi.Invocation;
import dev.thaw.runtimeapi.InvocationChannel;
import dev.thaw.runtimeapi.RuntimeApiServer;
import dev.thaw.runtimeapi.RuntimeOutcome;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One execution environment: a process tree, its Runtime API server and its log stream. It serves one invocation at
 * a time and writes Lambda's START / END / REPORT lines around each. All state changes go through {@link #moveTo}.
 */
public final class Environment {
    private static final Logger LOG = Logger.getLogger(Environment.class.getName());
    private static final long LOG_DRAIN_MILLIS = 50;

    private final String id;
    private final FunctionVersion version;
    private final EnvironmentProcess process;
    private final InvocationChannel channel;
    private final RuntimeApiServer api;
    private final Runnable deleteNetwork;
    private final FunctionLogs.Stream logStream;
    private final LogPump stdout;
    private final LogPump stderr;
    private final Object logLock = new Object();
    private final long startedNanos = System.nanoTime();
    /** Null when the host offers no cgroups. */
    private final EnvironmentCgroup cgroup;

    private StringBuilder currentLog = new StringBuilder();
    private EnvironmentState state;
    /** Init Duration or Restore Duration, reported once on the first invocation (a cold start). */
    private String coldStartReport = "";
    /** Whether the next invocation is the first (its REPORT carries the INIT or restore duration). */
    private boolean coldStartPending;
    private volatile long lastUsedNanos = System.nanoTime();
    private volatile double initMillis;
    private volatile double restoreMillis;
    private final Freezer freezer;
    /** A provisioned concurrency copy: made ahead of any request, and says so in every REPORT line. */
    private volatile boolean provisioned;
    /** True from the start of an invocation until its REPORT line; the invocation cleans up after a crash. */
    private volatile boolean invoking;

    /**
     * An environment of {@code version} around a started process, reading its output and noticing its exit.
     * {@code initial} is STARTING for a spawned environment and RESTORING for a restored copy.
     */
    static Environment open(String id, FunctionVersion version, EnvironmentState initial, EnvironmentProcess process,
                            InvocationChannel channel, RuntimeApiServer api, Runnable deleteNetwork,
                            FunctionLogs.Stream logStream, EnvironmentCgroup cgroup) {
        Environment env = new Environment(id, version, initial, process, channel, api, deleteNetwork, logStream,
                cgroup);
        env.watchProcess();
        return env;
    }

    private Environment(String id, FunctionVersion version, EnvironmentState initial, EnvironmentProcess process,
                        InvocationChannel channel, RuntimeApiServer api, Runnable deleteNetwork,
                        FunctionLogs.Stream logStream, EnvironmentCgroup cgroup) {
        this.state = initial;
        this.cgroup = cgroup;
        this.id = id;
        this.version = version;
        this.process = process;
        this.channel = channel;
        this.api = api;
        this.deleteNetwork = deleteNetwork;
        this.logStream = logStream;
        this.freezer = new Freezer(cgroup, this::state, "environment " + id);
        this.stdout = new LogPump(process.stdout(), this::functionLine);
        this.stderr = new LogPump(process.stderr(), this::functionLine);
    }

    /** Starts reading the process's output and closes the channel when the process exits. */
    private void watchProcess() {
        Thread.ofPlatform().daemon().name("env-" + id + "-stdout").start(stdout);
        Thread.ofPlatform().daemon().name("env-" + id + "-stderr").start(stderr);
        process.onExit().whenComplete((code, err) -> {
            channel.close(new EnvironmentExited(code == null ? -1 : code));
            markDead();
        });
    }

    public static String newId() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    public String id() {
        return id;
    }

    public FunctionVersion version() {
        return version;
    }

    public long pid() {
        return process.pid();
    }

    /** The environment's cgroups, when the host has them (a snapshot dump records them). */
    public Optional<EnvironmentCgroup> cgroup() {
        return Optional.ofNullable(cgroup);
    }

    public EnvironmentProcess process() {
        return process;
    }

    public InvocationChannel channel() {
        return channel;
    }

    public synchronized EnvironmentState state() {
        return state;
    }

    /** How long ago the environment was started (or its copy restored). */
    public long ageMillis() {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    public boolean isInvoking() {
        return invoking;
    }

    public long idleNanos() {
        return System.nanoTime() - lastUsedNanos;
    }

    synchronized void moveTo(EnvironmentState target) {
        if (state == target) {
            return;
        }
        if (!state.canMoveTo(target)) {
            throw new IllegalStateException("environment " + id + " cannot move from " + state + " to " + target);
        }
        state = target;
    }

    /**
     * Moves to {@code target} unless the environment is already DEAD (its process exited first, which a start can
     * only notice afterwards); false then.
     */
    synchronized boolean moveToUnlessDead(EnvironmentState target) {
        if (state == EnvironmentState.DEAD) {
            return false;
        }
        moveTo(target);
        return true;
    }

    private void markDead() {
        moveTo(EnvironmentState.DEAD);
    }

    /** Writes a platform line (INIT_START, START, END, REPORT...) into the environment's log stream. */
    public void platformLine(String line) {
        functionLine(line);
    }

    private void functionLine(String line) {
        logStream.append(line);
        if (!invoking) {
            logStream.flush(); // an invocation's lines are flushed together, after its REPORT
        }
        synchronized (logLock) {
            if (currentLog != null) {
                currentLog.append(line).append('\n');
            }
        }
    }

    /** Lines logged since the environment started (INIT output), for startup failures. */
    String takeInitLog() {
        synchronized (logLock) {
            String log = currentLog == null ? "" : currentLog.toString();
            currentLog = null;
            return log;
        }
    }

    /** Milliseconds since the environment's process was started. */
    double millisSinceStart() {
        return (System.nanoTime() - startedNanos) / 1e6;
    }

    /** INIT ended after {@code millis} (see {@link InitWait}). */
    void initFinished(double millis) {
        initMillis = millis;
    }

    /** Marks an environment ready after INIT; its first REPORT line carries INIT's duration. */
    void readyAfterInit() {
        readyForFirstInvoke(PlatformRecords.initDuration(initMillis));
    }

    /** How long INIT took, once it has finished. */
    public double initMillis() {
        return initMillis;
    }

    /** How long its restore took, for a copy restored from a snapshot (0 otherwise). */
    public double restoreMillis() {
        return restoreMillis;
    }

    /** Memory the environment uses now (its cgroup's), when the host has cgroups. */
    public java.util.OptionalLong memoryBytes() {
        return cgroup == null ? java.util.OptionalLong.empty() : cgroup.currentMemoryBytes();
    }

    /** Output logged since the environment started, without consuming it. */
    public String initLog() {
        synchronized (logLock) {
            return currentLog == null ? "" : currentLog.toString();
        }
    }

    /** Marks a restored environment ready and records its restore time for the first REPORT line. */
    public void restored(double restoreMillis) {
        this.restoreMillis = restoreMillis;
        readyForFirstInvoke(PlatformRecords.restoreDuration(restoreMillis));
    }

    /**
     * Makes this ready environment a provisioned concurrency copy: its INIT or restore happened ahead of any
     * request, so no invoke reports an Init or Restore Duration, and every REPORT says
     * {@code Init Type: provisioned-concurrency}.
     */
    public void provisioned() {
        provisioned = true;
        coldStartReport = "";
        coldStartPending = false;
    }

    public boolean isProvisioned() {
        return provisioned;
    }

    private void readyForFirstInvoke(String coldStart) {
        coldStartReport = coldStart;
        coldStartPending = true;
        takeInitLog();
        lastUsedNanos = System.nanoTime();
    }

    /** ": exit status N" once the process has exited (waiting up to 2 s), else empty. */
    String exitStatus() {
        try {
            return ": exit status " + process.onExit().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "";
        }
    }

    /** Runs one invocation to completion, enforcing the function's timeout. */
    public InvocationResult invoke(InvokeCall call) {
        moveTo(EnvironmentState.BUSY);
        invoking = true;
        StringBuilder log = new StringBuilder();
        synchronized (logLock) {
            currentLog = log;
        }
        LoggingConfig logging = version.config().logging();
        boolean jsonRecords = logging.json();
        boolean writeRecords = !jsonRecords || logging.writesSystemRecord("INFO");
        if (writeRecords) {
            platformLine(jsonRecords ? PlatformRecords.platformStart(Instant.now(), call.requestId(), version.version())
                    : PlatformRecords.start(call.requestId(), version.version()));
            // START reaches the file at once: whoever reads the log after a crash knows what was running.
            logStream.flush();
        }
        long start = System.nanoTime();
        Invocation inv = new Invocation(call.requestId(), call.payload(),
                System.currentTimeMillis() + call.timeoutMillis(), call.invokedFunctionArn(),
                call.traceHeader().orElseGet(() -> "Root=1-" + Long.toHexString(System.currentTimeMillis() / 1000) + "-"
                        + id + ";Sampled=0"),
                call.clientContext(), Optional.empty(), new CompletableFuture<>());
        InvocationResult result;
        String status = "";
        PlatformRecords.Outcome outcome = PlatformRecords.Outcome.SUCCESS;
        try {
            channel.submit(inv);
            RuntimeOutcome answer = inv.outcome().get(call.timeoutMillis(), TimeUnit.MILLISECONDS);
            drainLogs();
            result = switch (answer) {
                case RuntimeOutcome.Response r -> InvocationResult.success(r.body(), null);
                case RuntimeOutcome.Error e -> InvocationResult.error(e.errorType(), e.body(), null,
                        !RuntimeErrorType.OUT_OF_MEMORY.type().equals(e.errorType()));
                case RuntimeOutcome.ResponseTooLarge t -> failed(RuntimeErrorType.RESPONSE_TOO_LARGE,
                        "Response payload size exceeded maximum allowed payload size (6291556 bytes).", true);
            };
        } catch (TimeoutException e) {
            process.kill();
            drainLogs();
            String message = String.format(Locale.ROOT, "%s %s Task timed out after %.2f seconds", Instant.now(),
                    call.requestId(), call.timeoutMillis() / 1000.0);
            platformLine(message);
            status = "Status: timeout\t";
            outcome = new PlatformRecords.Outcome("timeout", null);
            result = failed(RuntimeErrorType.TIMED_OUT, message, false);
        } catch (ExecutionException | IllegalStateException e) {
            drainLogs();
            // Killed by the memory cgroup, or the JVM ran out of memory so badly it could not report it itself.
            boolean oom = (cgroup != null && cgroup.oomKills() > 0) || log.indexOf("java.lang.OutOfMemoryError") >= 0;
            RuntimeErrorType type = oom ? RuntimeErrorType.OUT_OF_MEMORY : RuntimeErrorType.EXIT_ERROR;
            String message = "RequestId: " + call.requestId() + " Error: Runtime exited with error" + exitStatus()
                    + (oom ? " (killed by the memory limit of " + version.config().memorySize() + " MB)" : "");
            platformLine(message);
            status = "Status: error\tError Type: " + type + "\t";
            outcome = new PlatformRecords.Outcome("error", type.toString());
            result = failed(type, message, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.kill();
            result = failed(RuntimeErrorType.INTERRUPTED, "interrupted", false);
        }
        double durationMs = (System.nanoTime() - start) / 1e6;
        if (jsonRecords && writeRecords) {
            PlatformRecords.Outcome done = outcome == PlatformRecords.Outcome.SUCCESS && result.functionError()
                    ? new PlatformRecords.Outcome("error", result.errorType()) : outcome;
            Instant now = Instant.now();
            platformLine(PlatformRecords.platformRuntimeDone(now, call.requestId(), done, durationMs,
                    result.body() == null ? 0 : result.body().length));
            platformLine(PlatformRecords.platformReport(now, call.requestId(), outcome, durationMs,
                    version.config().memorySize(), maxMemoryUsedMb(),
                    coldStartPending && restoreMillis == 0 ? initMillis : 0, coldStartPending ? restoreMillis : 0));
        } else if (writeRecords) {
            platformLine(PlatformRecords.end(call.requestId()));
            platformLine(PlatformRecords.report(call.requestId(), durationMs, version.config().memorySize(),
                    maxMemoryUsedMb(), provisioned ? PlatformRecords.provisionedInitType() : coldStartReport, status));
        }
        coldStartReport = "";
        coldStartPending = false;
        synchronized (logLock) {
            currentLog = null;
        }
        lastUsedNanos = System.nanoTime();
        invoking = false;
        logStream.flush();
        return new InvocationResult(result.functionError(), result.errorType(), result.body(), log.toString(),
                result.environmentReusable() && process.onExit().isDone() == false);
    }

    /** Returns a busy environment to idle after an invocation. */
    void idle() {
        moveTo(EnvironmentState.IDLE);
        freezer.release();
    }

    /** Claims this idle environment for a request, thawing it first when it is frozen; false when it is gone. */
    boolean lease() {
        return freezer.lease();
    }

    /** Freezes this environment if it is still idle and not leased; without cgroups it stays as it is. */
    void freeze() {
        freezer.freeze();
    }

    public boolean isFrozen() {
        return freezer.isFrozen();
    }

    /** How long the last thaw took, in nanoseconds (0 if it was never thawed). */
    public long lastThawNanos() {
        return freezer.lastThawNanos();
    }

    /** How long the last freeze took until the kernel reported the cgroup frozen, in nanoseconds (0 if never). */
    public long lastFreezeNanos() {
        return freezer.lastFreezeNanos();
    }

    public void drainLogs() {
        stdout.awaitQuiet(LOG_DRAIN_MILLIS);
        stderr.awaitQuiet(LOG_DRAIN_MILLIS);
    }

    /** Peak memory of the environment: its cgroup's peak, or the main process's peak RSS without cgroups. */
    long maxMemoryUsedMb() {
        if (cgroup != null) {
            java.util.OptionalLong peak = cgroup.peakMemoryBytes();
            if (peak.isPresent()) {
                return peak.getAsLong() / (1024 * 1024);
            }
        }
        // A process that is gone reports what cannot be known as 0.
        return ProcStatus.number(process.pid(), "VmHWM").orElse(0) / 1024;
    }

    /** Stops the process (SIGTERM, SIGKILL after 2 s), the Runtime API server and the log stream. Idempotent. */
    public void stop() {
        synchronized (this) {
            if (state == EnvironmentState.DEAD && process.onExit().isDone() && channelClosed) {
                return;
            }
            moveTo(EnvironmentState.DEAD);
        }
        channel.close(new EnvironmentExited(-1));
        freezer.thawForStop();
        try {
            process.stop(2000);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "stopping environment " + id, e);
        }
        closeResources();
    }

    private volatile boolean channelClosed;

    private synchronized void closeResources() {
        if (channelClosed) {
            return;
        }
        channelClosed = true;
        try {
            api.close();
        } finally {
            deleteNetwork.run();
            stdout.awaitQuiet(200);
            stderr.awaitQuiet(200);
            logStream.close();
            if (cgroup != null) {
                cgroup.remove();
            }
        }
    }

    /** An invocation the platform ends with an error of its own. */
    private static InvocationResult failed(RuntimeErrorType type, String message, boolean environmentReusable) {
        return InvocationResult.error(type.type(), ErrorBody.of(type.type(), message), null, environmentReusable);
    }

    /** The environment's process ended; fails whatever was in flight. */
    static final class EnvironmentExited extends RuntimeException {
        EnvironmentExited(int status) {
            super("environment process exited with status " + status);
        }
    }

    @Override
    public String toString() {
        return "Environment[" + id + " " + version.functionName() + ":" + version.version() + " pid " + pid() + "]";
    }
}
