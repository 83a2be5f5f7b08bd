package dev.thaw.environments;

import dev.thaw.contract.RuntimeContract;
import dev.thaw.functions.CodePackage;
import dev.thaw.functions.FunctionConfig;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.functions.SnapStartMode;
import dev.thaw.functions.VersionState;
import dev.thaw.runtimeapi.InvocationChannel;
import dev.thaw.runtimeapi.RuntimeApiServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Real environments for unit tests, without a JVM inside: each is a real process (a shell command), a real Runtime
 * API server on a loopback port and a log stream under a temporary directory. The test plays the runtime's part
 * over HTTP ({@link #pollNext}, {@link #postInitError}, {@link #requestCheckpoint}). {@link #close} stops every
 * environment it made.
 */
public final class TestEnvironments implements AutoCloseable {
    /** A runtime that has loaded and waits: what INIT looks like from outside until the runtime calls the API. */
    public static final List<String> WAITING = List.of("sh", "-c", "echo initializing; exec sleep 600");

    private final FunctionLogs logs;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Environment> made = new CopyOnWriteArrayList<>();

    public TestEnvironments(Path logRoot) {
        this.logs = new FunctionLogs(logRoot);
    }

    /** A published version of function {@code name}, with the given timeout, environment and SnapStart mode. */
    public static FunctionVersion version(String name, String version, int timeoutSeconds, Map<String, String> env,
                                          SnapStartMode snapStart, VersionState state) {
        FunctionConfig config = new FunctionConfig("java25", "example.Handler", "arn:aws:iam::000000000000:role/r",
                "", 256, timeoutSeconds, 512, env, snapStart);
        return new FunctionVersion(name, version, config, new CodePackage("00", "AA==", 1), "2026-01-01T00:00:00Z",
                name + "-" + version + "-rev", state, FunctionVersion.SnapshotStatus.Off);
    }

    /** An environment of {@code version} whose process runs {@code command}, just started (STARTING). */
    public Environment spawn(FunctionVersion version, List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        InvocationChannel channel = new InvocationChannel();
        RuntimeApiServer server = RuntimeApiServer.start(channel, 0);
        String id = Environment.newId();
        // The process is its own parent here: there is no launcher wrapper between the platform and it.
        Environment env = Environment.open(id, version, EnvironmentState.STARTING,
                EnvironmentProcess.restored(process.pid(), process), channel, server, () -> { },
                logs.open(version.functionName(), version.version(), id), null);
        made.add(env);
        return env;
    }

    /** An environment of {@code version} that has finished INIT: its runtime asked for work, so it can be invoked. */
    public Environment ready(FunctionVersion version) {
        Environment env = spawn(version, WAITING);
        pollNext(env);
        try {
            new InitWait(env).untilReady(5_000);
        } catch (StartupFailure e) {
            throw new IllegalStateException(e);
        }
        return env;
    }

    /** The runtime's {@code GET /next}, left waiting in the background as a runtime's long poll is. */
    public void pollNext(Environment env) {
        http.sendAsync(request(env, "/invocation/next").GET().build(), HttpResponse.BodyHandlers.discarding());
    }

    /** The runtime's {@code POST /init/error} with {@code errorType}; returns the API's status. */
    public int postInitError(Environment env, String errorType, String body) {
        return send(request(env, "/init/error").header("Lambda-Runtime-Function-Error-Type", errorType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** The SnapStart runtime's {@code POST /runtime/thaw/checkpoint}; returns the API's status. */
    public int requestCheckpoint(Environment env) {
        return send(request(env, RuntimeContract.CHECKPOINT).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    private HttpRequest.Builder request(Environment env, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.runtimeApiPort()
                + RuntimeContract.RUNTIME_API_BASE + path));
    }

    private int send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What the environment's log stream holds, one stored line each ({@code <epoch-ms> <text>}). */
    public List<String> logLines(FunctionVersion version) {
        return logs.read(version.functionName(), 1000);
    }

    @Override
    public void close() {
        made.forEach(Environment::stop);
        http.close();
    }
}
