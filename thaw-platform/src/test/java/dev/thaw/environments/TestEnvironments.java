package dev.thaw.environments;

import dev.thaw.contract.RuntimeContract;
import dev.thaw.functions.CodePackage;
import dev.thaw.functions.FunctionConfig;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.functions.SnapStartMode;
import dev.thaw.functions.VersionState;
import dev.thaw.network.EnvironmentNetworks;
import dev.thaw.network.FunctionNetworkMode;
import dev.thaw.runtimeapi.CredentialsEndpoint;
import dev.thaw.runtimeapi.RuntimeApiServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Real environments for unit tests, without a JVM inside: each is a shell script in a network namespace of its own
 * with a real Runtime API server on 127.0.0.1:9001 there ({@link RuntimeApiEndpoints}), and a log stream under a
 * temporary directory. The script plays the runtime, calling the Runtime API with curl. Needs root and iproute2, as
 * the platform does. {@link #close} stops every environment it made and removes the namespaces.
 */
public final class TestEnvironments implements AutoCloseable {
    private static final String API = "http://" + RuntimeApiServer.ADDRESS + RuntimeContract.RUNTIME_API_BASE;

    /** A runtime that has loaded and waits: INIT, seen from outside, until the runtime calls the API. */
    public static final String WAITING = "echo initializing; exec sleep 600";
    /** A runtime that finishes INIT: it asks for its first invocation and waits for it. */
    public static final String POLLING = "echo initializing; exec curl -s -o /dev/null " + API + "/invocation/next";
    /** A SnapStart runtime that has run its beforeCheckpoint hooks: it asks to be checkpointed. */
    public static final String CHECKPOINTING = "curl -s -o /dev/null -X POST " + API + RuntimeContract.CHECKPOINT
            + "; exec sleep 600";

    private static final CredentialsEndpoint NO_CREDENTIALS = authorization -> new CredentialsEndpoint.Reply(404,
            new byte[0]);

    private final FunctionLogs logs;
    private final EnvironmentNetworks networks;
    private final RuntimeApiEndpoints endpoints;
    private final List<Environment> made = new CopyOnWriteArrayList<>();

    public TestEnvironments(Path logRoot) {
        this.logs = new FunctionLogs(logRoot);
        this.networks = EnvironmentNetworks.prepare("thaw-test-" + HexFormat.of().toHexDigits(
                ThreadLocalRandom.current().nextInt()), FunctionNetworkMode.NONE);
        this.endpoints = new RuntimeApiEndpoints(networks, NO_CREDENTIALS);
    }

    /** A runtime that reports an INIT error of {@code errorType} with {@code body}, then waits. */
    public static String initError(String errorType, String body) {
        return "echo initializing; curl -s -o /dev/null -X POST -H 'Lambda-Runtime-Function-Error-Type: " + errorType
                + "' --data '" + body + "' " + API + "/init/error; exec sleep 600";
    }

    /** A published version of function {@code name}, with the given timeout, environment and SnapStart mode. */
    public static FunctionVersion version(String name, String version, int timeoutSeconds, Map<String, String> env,
                                          SnapStartMode snapStart, VersionState state) {
        FunctionConfig config = new FunctionConfig("java25", "example.Handler", "arn:aws:iam::000000000000:role/r",
                "", 256, timeoutSeconds, 512, env, snapStart);
        return new FunctionVersion(name, version, config, new CodePackage("00", "AA==", 1), "2026-01-01T00:00:00Z",
                name + "-" + version + "-rev", state, FunctionVersion.SnapshotStatus.Off);
    }

    /** An environment of {@code version} whose process runs the shell {@code script}, just started (STARTING). */
    public Environment spawn(FunctionVersion version, String script) {
        RuntimeApiEndpoint endpoint = endpoints.open();
        Process process;
        try {
            ProcessBuilder pb = new ProcessBuilder("nsenter", "--net=" + endpoint.network().file(), "sh", "-c",
                    script);
            pb.environment().put("AWS_LAMBDA_RUNTIME_API", endpoint.server().address());
            process = pb.start();
        } catch (IOException e) {
            endpoint.close();
            throw new UncheckedIOException(e);
        }
        String id = endpoint.environmentId();
        // nsenter execs the shell: the process is its own parent here, with no launcher wrapper in between.
        Environment env = Environment.open(id, version, EnvironmentState.STARTING,
                EnvironmentProcess.restored(process.pid(), process), endpoint.channel(), endpoint.server(),
                endpoint.network()::close, logs.open(version.functionName(), version.version(), id), null);
        made.add(env);
        return env;
    }

    /** An environment of {@code version} that has finished INIT: its runtime asked for work, so it can be invoked. */
    public Environment ready(FunctionVersion version) {
        Environment env = spawn(version, POLLING);
        try {
            new InitWait(env).untilReady(10_000);
        } catch (StartupFailure e) {
            throw new IllegalStateException(e);
        }
        return env;
    }

    /** What the version's log group holds, one stored line each ({@code <epoch-ms> <text>}). */
    public List<String> logLines(FunctionVersion version) {
        return logs.read(version.functionName(), 1000);
    }

    @Override
    public void close() {
        made.forEach(Environment::stop);
        endpoints.close();
        networks.close();
    }
}
