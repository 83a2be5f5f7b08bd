package dev.thaw.runtime.crac;

/**
 * Receives checkpoint and restore notifications. Mirrors {@code org.crac.Resource}: org.crac implements this
 * interface with a proxy around each resource the function registers.
 */
public interface Resource {

    void beforeCheckpoint(Context<? extends Resource> context) throws Exception;

    void afterRestore(Context<? extends Resource> context) throws Exception;
}
