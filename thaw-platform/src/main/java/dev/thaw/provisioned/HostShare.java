package dev.thaw.provisioned;

/**
 * How many of the copies a version wants this host keeps: all of them when one process runs everything, a worker's
 * share when a cluster's workers keep them together.
 */
@FunctionalInterface
public interface HostShare {
    /** The copies of {@code environmentKey} to keep here, when the version wants {@code wanted} in all. */
    int copiesHere(String environmentKey, int wanted);

    /** One process keeps every copy. */
    HostShare ALL = (key, wanted) -> wanted;
}
