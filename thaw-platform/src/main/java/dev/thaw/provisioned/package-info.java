/**
 * Provisioned concurrency: the configurations of Lambda's PutProvisionedConcurrencyConfig and its siblings (one per
 * published version or alias, kept in the metadata store, refused where they would exceed the function's reserved
 * concurrency or leave the account less than its unreserved minimum), and the keeper of the copies they ask for.
 *
 * <p>{@link dev.thaw.provisioned.ProvisionedCopies} compares, every half second and after every change, the copies
 * each version should have with the live ones in the environment pool; it has missing ones made by
 * {@link dev.thaw.invoke.ColdStarts#provision} (restored from the snapshot for a SnapStart version, INIT with
 * {@code provisioned-concurrency} otherwise) and tells the pool how many to keep, so copies lost to a crash are
 * replaced and surplus ones stopped. A configuration's status is READY when all its copies are live, FAILED while
 * they cannot be made (with the reason), IN_PROGRESS otherwise. {@link dev.thaw.provisioned.CopyPlan} is the pure
 * arithmetic of it. One process keeps every copy; in a cluster each worker keeps its {@link HostShare} of them and
 * an API instance keeps none, counting the copies the workers report ({@link CopyCensus}) for the status.
 */
package dev.thaw.provisioned;
