package dev.thaw.invoke;

import dev.thaw.functions.Invocable;

/**
 * Runs one admitted invocation of a resolved version: on this host's environments ({@link InvokeService}'s own), or
 * on a worker chosen by the cluster's router.
 */
public interface InvocationRunner {
    InvokeResponse run(Invocable target, InvokeRequest request);
}
