/**
 * The invoke path, top to bottom: route (resolve name and qualifier to a version), throttle (account and reserved
 * concurrency), lease an environment (warm or cold), run the invocation, release, report.
 *
 * <p>{@link dev.thaw.invoke.InvokeService#invoke} reads as that sequence. It takes an
 * {@link dev.thaw.invoke.InvokeRequest} parsed by the api package and returns an
 * {@link dev.thaw.invoke.InvokeResponse}; the HTTP shape of both lives in the api package. When no environment is
 * idle, {@link dev.thaw.invoke.ColdStarts} alone decides how one is made: a restore, or INIT with or without the
 * version's AOT cache.
 */
package dev.thaw.invoke;
