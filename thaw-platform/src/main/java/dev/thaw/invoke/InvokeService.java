package dev.thaw.invoke;

import dev.thaw.environments.Environment;
import dev.thaw.environments.EnvironmentPool;
import dev.thaw.environments.InvocationResult;
import dev.thaw.environments.InvokeCall;
import dev.thaw.environments.StartupFailure;
import dev.thaw.errors.ThawException;
import dev.thaw.functions.FunctionService;
import dev.thaw.functions.Invocable;
import dev.thaw.errors.ErrorCode;
import dev.thaw.metrics.PlatformMetrics;
import dev.thaw.runtimeapi.ErrorBody;
import dev.thaw.store.MetadataStore;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/** Runs invocations: route → throttle → lease an environment → invoke → release → respond. */
public final class InvokeService {
    /** Lambda's synchronous payload limit (request and response). */
    public static final int MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
    /** X-Amz-Log-Result carries the last 4 KB of the invocation's log. */
    private static final int LOG_TAIL_BYTES = 4096;

    private final FunctionService functions;
    private final MetadataStore store;
    private final ConcurrencyGate limiter;
    private final EnvironmentPool pool;
    private final PlatformMetrics metrics;
    private final InvocationRunner runner;
    private volatile ProvisionedCapacity provisioned = ProvisionedCapacity.NONE;

    /** Runs every invocation on this host's environments. */
    public InvokeService(FunctionService functions, MetadataStore store, ConcurrencyLimiter limiter,
                         EnvironmentPool pool, PlatformMetrics metrics) {
        this(functions, store, limiter, pool, metrics, null);
    }

    /** Admits invocations with {@code gate} and runs them with {@code runner} (null: on this host). */
    public InvokeService(FunctionService functions, MetadataStore store, ConcurrencyGate gate,
                         EnvironmentPool pool, PlatformMetrics metrics, InvocationRunner runner) {
        this.functions = functions;
        this.store = store;
        this.limiter = gate;
        this.pool = pool;
        this.metrics = metrics;
        this.runner = runner == null ? this::run : runner;
    }

    /**
     * Runs a synchronous invocation that a cluster's router already admitted under the cluster's concurrency:
     * resolves it and runs it here, without a second throttle.
     */
    public InvokeResponse invokeAdmitted(InvokeRequest request) {
        Invocable target = functions.resolveForInvoke(request.functionRef(), request.qualifier().orElse(null));
        return run(target, request);
    }

    /** Where the throttle learns of provisioned concurrency (none until set). */
    public void countOn(ProvisionedCapacity capacity) {
        this.provisioned = capacity;
    }

    public InvokeResponse invoke(InvokeRequest request) {
        Invocable target = functions.resolveForInvoke(request.functionRef(), request.qualifier().orElse(null));
        String name = target.version().functionName();
        if (request.type() == InvokeRequest.InvocationType.DRY_RUN) {
            return new InvokeResponse(204, new byte[0], target.executedVersion(), Optional.empty(), Optional.empty());
        }
        if (request.type() == InvokeRequest.InvocationType.EVENT) {
            // Event invocations are queued by dev.thaw.events and delivered back here as RequestResponse.
            throw ThawException.service("Event invocations must go through the event queue.", null);
        }
        if (request.payload().length > MAX_SYNC_PAYLOAD) {
            throw ThawException.tooLarge("Request must be smaller than " + MAX_SYNC_PAYLOAD
                    + " bytes for the InvokeFunction operation");
        }
        ConcurrencyGate.Permit permit;
        try {
            ProvisionedCapacity capacity = provisioned;
            permit = limiter.acquire(name, store.reservedConcurrency(name), store.totalReservedConcurrency(name),
                    new ConcurrencyGate.Provisioned(target.version().environmentKey(),
                            capacity.copies(target.version()), capacity.onUnreservedFunctions()));
        } catch (ThawException e) {
            if (e.code() == ErrorCode.TOO_MANY_REQUESTS) {
                metrics.throttled(name, target.executedVersion(), e.extraFields().getOrDefault("Reason", ""));
            }
            throw e;
        }
        try (permit) {
            return runner.run(target, request);
        }
    }

    private InvokeResponse run(Invocable target, InvokeRequest request) {
        String requestId = request.requestId().orElseGet(() -> UUID.randomUUID().toString());
        String function = target.version().functionName();
        String version = target.executedVersion();
        long started = System.nanoTime();
        EnvironmentPool.Lease lease;
        try {
            lease = pool.acquire(target.version());
        } catch (StartupFailure failure) {
            metrics.invocationFailed(function, version, PlatformMetrics.Start.INIT, failure.errorType(),
                    secondsSince(started));
            return functionError(target, failure.errorType(), failure.body(), failure.log(), request.tailLog());
        }
        Environment env = lease.environment();
        InvocationResult result = null;
        try {
            long timeoutMillis = target.version().config().timeout() * 1000L;
            result = env.invoke(new InvokeCall(requestId, request.payload(), target.invokedArn(),
                    request.clientContext(), timeoutMillis, request.traceHeader()));
        } finally {
            pool.release(env, result != null && result.environmentReusable());
        }
        PlatformMetrics.Start start = env.isProvisioned() ? PlatformMetrics.Start.PROVISIONED
                : !lease.cold() ? PlatformMetrics.Start.WARM
                : env.restoreMillis() > 0 ? PlatformMetrics.Start.RESTORE : PlatformMetrics.Start.INIT;
        if (result.functionError()) {
            metrics.invocationFailed(function, version, start, result.errorType(), secondsSince(started));
            return functionError(target, result.errorType(), result.body(), result.log(), request.tailLog());
        }
        metrics.invocationSucceeded(function, version, start, secondsSince(started));
        return new InvokeResponse(200, result.body(), target.executedVersion(), Optional.empty(),
                tail(result.log(), request.tailLog()));
    }

    private static double secondsSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static InvokeResponse functionError(Invocable target, String errorType, byte[] body, String log,
                                                boolean tailLog) {
        byte[] payload = body == null || body.length == 0 ? ErrorBody.of(errorType, errorType) : body;
        return new InvokeResponse(200, payload, target.executedVersion(), Optional.of("Unhandled"),
                tail(log, tailLog));
    }

    private static Optional<String> tail(String log, boolean wanted) {
        if (!wanted || log == null) {
            return Optional.empty();
        }
        byte[] bytes = log.getBytes(StandardCharsets.UTF_8);
        byte[] last = bytes.length <= LOG_TAIL_BYTES ? bytes
                : Arrays.copyOfRange(bytes, bytes.length - LOG_TAIL_BYTES, bytes.length);
        return Optional.of(Base64.getEncoder().encodeToString(last));
    }
}
