/**
 * Lambda's Runtime API, served to the code inside an environment.
 *
 * <p>Each environment gets its own {@link dev.thaw.runtimeapi.RuntimeApiServer} on {@code 127.0.0.1:9001} of its own
 * network namespace (the same {@code AWS_LAMBDA_RUNTIME_API} everywhere). The server only translates HTTP into calls
 * on an {@link dev.thaw.runtimeapi.InvocationChannel}, which holds the environment's one in-flight invocation and
 * signals INIT, checkpoint and restore progress; nothing here knows about processes or snapshots.
 */
package dev.thaw.runtimeapi;
