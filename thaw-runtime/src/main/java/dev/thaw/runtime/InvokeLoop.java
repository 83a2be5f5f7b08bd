package dev.thaw.runtime;

import java.io.IOException;

/**
 * Serves events one at a time until the Runtime API fails or the function breaks the JVM: next, invoke,
 * post the response or the error.
 */
final class InvokeLoop {

    static final String TRACE_HEADER_PROPERTY = "com.amazonaws.xray.traceHeader";

    private final RuntimeApiClient api;
    private final HandlerInvoker handler;
    private final RuntimeEnvironment env;
    private final LazyJsonCodec codec;
    /** Null unless the platform records what this environment loads ({@code $LATEST}). */
    private LoadedClassLog loadedClasses;

    InvokeLoop(RuntimeApiClient api, HandlerInvoker handler, RuntimeEnvironment env, LazyJsonCodec codec) {
        this(api, handler, env, codec, null);
    }

    InvokeLoop(RuntimeApiClient api, HandlerInvoker handler, RuntimeEnvironment env, LazyJsonCodec codec,
               LoadedClassLog loadedClasses) {
        this.api = api;
        this.handler = handler;
        this.env = env;
        this.codec = codec;
        this.loadedClasses = loadedClasses;
    }

    /** Returns only when the environment must end: the Runtime API failed, or a VirtualMachineError was reported. */
    void run() throws IOException {
        while (true) {
            Invocation invocation = api.nextInvocation();
            // No lambdas on this path: each one is linked on its first run, which in a restored copy is its first
            // invoke (about a millisecond apiece, interpreted).
            if (invocation.traceId().isPresent()) {
                System.setProperty(TRACE_HEADER_PROPERTY, invocation.traceId().get());
            } else {
                System.clearProperty(TRACE_HEADER_PROPERTY);
            }
            StdoutLambdaLogger.INSTANCE.invocationStarted(invocation.requestId());
            byte[] response;
            try {
                response = handler.invoke(invocation.payload(), new LambdaContextImpl(invocation, env, codec));
            } catch (Throwable t) {
                reportFailure(invocation.requestId(), t);
                if (t instanceof VirtualMachineError) {
                    return; // the heap or stack may be unusable: report, then let the platform replace us
                }
                reportLoadedClasses();
                continue;
            } finally {
                Thread.interrupted(); // an interrupt the function left behind must not break the next call
            }
            flushFunctionOutput();
            try {
                api.postResponse(invocation.requestId(), response);
            } catch (RuntimeApiException e) {
                tolerate(e);
            }
            reportLoadedClasses();
        }
    }

    /**
     * After the response has gone, so the invocation's Duration does not include it; only invocations that loaded
     * something new send anything. A platform that refuses the report gets no more of them.
     */
    private void reportLoadedClasses() {
        if (loadedClasses == null || !loadedClasses.hasUnreported()) {
            return;
        }
        try {
            api.reportLoadedClasses(loadedClasses.takeUnreported());
        } catch (IOException e) {
            System.err.println("thaw-runtime: the platform did not take the list of loaded classes, no more are sent: "
                    + e.getMessage());
            loadedClasses = null;
        }
    }

    private void reportFailure(String requestId, Throwable t) throws IOException {
        t.printStackTrace();
        flushFunctionOutput();
        byte[] body = codec.get().write(ErrorReport.of(t));
        try {
            api.postInvocationError(requestId, RuntimeErrorType.ofUserThrowable(t), body);
        } catch (RuntimeApiException e) {
            tolerate(e);
        }
    }

    /** A rejected post (e.g. 413, response too large) fails this invoke only; a 5xx or no connection ends the loop. */
    private static void tolerate(RuntimeApiException e) throws RuntimeApiException {
        if (e.mustExit()) {
            throw e;
        }
        System.err.println("thaw-runtime: " + e.getMessage());
    }

    /** The platform reads stdout and stderr in the background; flushing first keeps logs ahead of the END line. */
    private static void flushFunctionOutput() {
        System.out.flush();
        System.err.flush();
    }
}
