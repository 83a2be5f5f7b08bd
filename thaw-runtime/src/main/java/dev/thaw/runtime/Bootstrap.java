package dev.thaw.runtime;

import dev.thaw.contract.RuntimeContract;

import java.io.IOException;

/**
 * The environment JVM's main class:
 * {@code java <flags> -Dorg.crac.Core.Compat=dev.thaw.runtime.crac -cp thaw-runtime.jar dev.thaw.runtime.Bootstrap}.
 * INIT, then (for {@code snap-start}) the snapshot round trip, then the invoke loop. The only place that exits
 * the process: 0 when the platform abandons a snapshot copy or an AOT training run is done, 1 for every failure.
 */
public final class Bootstrap {

    static final String CRAC_COMPAT_PROPERTY = "org.crac.Core.Compat";
    static final String CRAC_COMPAT_PACKAGE = "dev.thaw.runtime.crac";
    /**
     * Set by the platform in the JDK AOT-cache mode: the function's code is on the class path as jars, because the
     * AOT cache covers only classes of the built-in loaders.
     */
    static final String FUNCTION_ON_CLASS_PATH = RuntimeContract.FUNCTION_ON_CLASS_PATH;
    /** Set for an AOT-cache training run: INIT, warm the invoke path, then exit 0 so the JVM writes its cache. */
    static final String AOT_TRAINING = RuntimeContract.AOT_TRAINING;

    private Bootstrap() {
    }

    public static void main(String[] args) {
        int status;
        try {
            status = run(RuntimeEnvironment.from(System.getenv()));
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        }
        System.exit(status);
    }

    static int run(RuntimeEnvironment env) {
        if (env.runtimeApi().isBlank()) {
            System.err.println("thaw-runtime: AWS_LAMBDA_RUNTIME_API is not set");
            return 1;
        }
        // org.crac reads this once, when the function first touches it; the platform passes it, this is a fallback.
        if (System.getProperty(CRAC_COMPAT_PROPERTY) == null) {
            System.setProperty(CRAC_COMPAT_PROPERTY, CRAC_COMPAT_PACKAGE);
        }
        StdoutLambdaLogger.installAsLambdaRuntimeLogger();
        LazyJsonCodec codec = new LazyJsonCodec();
        RuntimeApiClient api = new RuntimeApiClient(env.runtimeApi());

        LoadedClassLog loadedClasses = System.getenv(RuntimeContract.RECORD_LOADED_CLASSES) != null
                ? new LoadedClassLog() : null;
        ClassLoader loader;
        HandlerInvoker handler;
        try {
            loader = functionLoader(env, loadedClasses);
            Thread.currentThread().setContextClassLoader(loader); // static initialisers may already look it up
            handler = new HandlerResolver(codec).resolve(env.handler(), loader);
        } catch (InitFailure failure) {
            reportInitFailure(api, failure, codec);
            return 1;
        }

        if (System.getenv(AOT_TRAINING) != null) {
            // Load what every first invoke loads, so the cache holds it too.
            handler.prepare();
            LambdaContextImpl.warmUp(env, codec);
            return 0;
        }

        PlatformWatch platformWatch = PlatformWatch.prepare();
        if (env.snapStart()) {
            // What every restored copy's first invoke would otherwise build: Jackson, the event and result types'
            // (de)serializers, the context classes.
            handler.prepare();
            LambdaContextImpl.warmUp(env, codec);
            byte[] priming = SnapshotPriming.run(env, handler, loader, api, codec, System.getenv());
            SnapStartLifecycle.Outcome outcome = new SnapStartLifecycle(api, codec.get(), new Reseeder(),
                    RestoreChannel.stdin()).checkpointAndAwaitRestore(priming);
            if (!(outcome instanceof SnapStartLifecycle.Outcome.Restored restored)) {
                return outcome instanceof SnapStartLifecycle.Outcome.Abandoned ? 0 : 1;
            }
            api = restored.api();
            env = env.restoredAs(restored.instruction());
        }
        platformWatch.arm();
        if (loadedClasses != null) {
            loadedClasses.arm(); // what INIT loaded, a snapshot's INIT loads again
        }

        try {
            new InvokeLoop(api, handler, env, codec, loadedClasses).run();
        } catch (IOException e) {
            System.err.println("thaw-runtime: the Runtime API failed, exiting: " + e.getMessage());
        }
        return 1;
    }

    /** The function's class loader, recording what it loads into {@code loadedClasses} when that is not null. */
    private static ClassLoader functionLoader(RuntimeEnvironment env, LoadedClassLog loadedClasses)
            throws InitFailure {
        try {
            return System.getenv(FUNCTION_ON_CLASS_PATH) != null ? ClassLoader.getSystemClassLoader()
                    : FunctionClassLoader.of(env.taskRoot(), loadedClasses);
        } catch (IOException e) {
            throw new InitFailure(RuntimeErrorType.BAD_FUNCTION_CODE,
                    "Cannot read the task root " + env.taskRoot() + ": " + e.getMessage(), e);
        }
    }

    private static void reportInitFailure(RuntimeApiClient api, InitFailure failure, LazyJsonCodec codec) {
        System.err.println("thaw-runtime: INIT failed (" + failure.type().header() + "): " + failure.getMessage());
        failure.getCause().printStackTrace();
        try {
            api.postInitError(failure.type(), codec.get().write(failure.report()));
        } catch (IOException e) {
            System.err.println("thaw-runtime: could not report to /runtime/init/error: " + e);
        }
    }
}
