package dev.thaw.provisioned;

import java.util.Optional;

/**
 * Where a configuration's status counts its copies: this host's pool, or what a cluster's workers report.
 */
public interface CopyCensus {
    /** Copies of {@code environmentKey} live and ready, idle or busy. */
    int ready(String environmentKey);

    /** Why a missing copy of {@code environmentKey} cannot be made now, while that lasts. */
    Optional<String> failure(String environmentKey);
}
