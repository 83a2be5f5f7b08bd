/**
 * The org.crac compat backend: the package that {@code -Dorg.crac.Core.Compat=dev.thaw.runtime.crac} names.
 *
 * <p>org.crac 1.5.0 loads {@code <package>.Resource}, {@code .Context}, {@code .Core},
 * {@code .CheckpointException} and {@code .RestoreException} with {@code Class.forName} from its own class
 * loader, looks up {@code Core.getGlobalContext()}, {@code Core.checkpointRestore()} and
 * {@code Context.register(Resource)}, and registers a {@link java.lang.reflect.Proxy} of {@link Resource}
 * for every {@code org.crac.Resource} the function registers. All five names must therefore exist here,
 * be public, and sit on the system class path next to org.crac itself (the runtime jar).
 *
 * <p>Owns: the global context ({@link OrderedContext}) that the runtime notifies around a snapshot.
 * Invariants: resources are held weakly, checkpoint runs in reverse registration order and restore in
 * registration order, every resource is notified even when another throws, failures come back as the
 * suppressed exceptions of one {@link CheckpointException} or {@link RestoreException}, and a
 * notification never runs inside another.
 */
package dev.thaw.runtime.crac;
