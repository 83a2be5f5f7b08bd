/**
 * The bootstrap that runs inside every function environment: one JVM per environment, started as
 * {@code java ... -cp thaw-runtime.jar dev.thaw.runtime.Bootstrap}.
 *
 * <p>Owns: reading the environment's variables ({@link RuntimeEnvironment}), loading the function's code in
 * its own class loader ({@link FunctionClassLoader}), resolving {@code _HANDLER} ({@link HandlerResolver})
 * into something that turns event bytes into response bytes ({@link HandlerInvoker}), the Runtime API
 * calls ({@link RuntimeApiClient}, the only class that speaks HTTP), the invoke loop ({@link InvokeLoop}),
 * and the SnapStart round trip ({@link SnapStartLifecycle}: hooks, checkpoint request, restore line on
 * stdin, re-seeding of the JDK's global random state by {@link Reseeder}), and priming: a {@code $LATEST}
 * environment records what its function loader loads ({@link LoadedClassLog}) and reports it, and a SnapStart INIT
 * replays the package's sample events and loads and links the recorded classes before its checkpoint
 * ({@link SnapshotPriming}, {@link InvokePriming}, {@link ClassPriming}).
 *
 * <p>Invariants: only {@link Bootstrap#main} exits the process; the function sees the runtime's
 * {@code com.amazonaws.services.lambda.runtime} and {@code org.crac} classes (parent-first) and no other
 * third-party name of the runtime, because Jackson is relocated; the AWS error JSON is built in one place
 * ({@link ErrorReport}) and error types are named in one place ({@link RuntimeErrorType}).
 */
package dev.thaw.runtime;
