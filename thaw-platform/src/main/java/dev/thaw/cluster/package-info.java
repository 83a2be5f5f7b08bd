/**
 * Many hosts: workers that run environments, and the routing that API instances use to place invocations on them.
 * A worker registers in the shared database and heartbeats its capacity every second ({@link WorkerRegistry}); one
 * whose last heartbeat is older than {@link WorkerRegistry#LIVENESS} is out of rotation. Its internal API (served by
 * the api package's {@code WorkerApiServer}) accepts only requests bearing the cluster token ({@link ClusterToken}).
 * An API instance started with {@code --workers remote} admits invocations under cluster-wide concurrency
 * ({@link ClusterConcurrency}, leases in the database) and places them ({@link ClusterRouter}): warm on a worker with
 * an idle environment of the version, cold on one holding the version's snapshot and free memory, else on the least
 * loaded with free memory. An invocation refused before it reached a worker goes to another; one lost in flight
 * fails with a ServiceException. Code packages and layer archives reach a worker from the routing instance when it
 * lacks them ({@link ContentHandover}). Provisioned copies are dealt over the live workers the same way by each
 * worker ({@link ProvisionedPlacement}); workers report theirs with each heartbeat, and API instances count those
 * reports for a configuration's status ({@link WorkerCopyCensus}) and lease provisioned concurrency like the rest.
 */
package dev.thaw.cluster;
