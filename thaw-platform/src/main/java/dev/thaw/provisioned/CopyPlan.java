package dev.thaw.provisioned;

import java.util.Optional;

/** The arithmetic of keeping copies: how many to start now, and what a configuration's status is. */
final class CopyPlan {
    private CopyPlan() {
    }

    /** At most this many copies of one version are made at once; the rest follow as those finish. */
    static final int PARALLEL_MAKES = 4;

    /** Copies to start now for a version that wants {@code wanted}, has {@code live} and is making {@code making}. */
    static int toStart(int wanted, int live, int making) {
        int missing = wanted - live - making;
        return Math.max(0, Math.min(missing, PARALLEL_MAKES - making));
    }

    /**
     * The share of a version's {@code live} copies that a configuration owns, when configurations asking for
     * {@code requestedBefore} copies of the same version (other aliases) come before it.
     */
    static int allocated(int requested, int live, int requestedBefore) {
        return Math.max(0, Math.min(requested, live - requestedBefore));
    }

    /** READY with all copies live; FAILED while the last try to make one failed; IN_PROGRESS otherwise. */
    static ProvisionedStatus.Status status(int requested, int allocated, Optional<String> failure) {
        if (allocated >= requested) {
            return ProvisionedStatus.Status.READY;
        }
        return failure.isPresent() ? ProvisionedStatus.Status.FAILED : ProvisionedStatus.Status.IN_PROGRESS;
    }

    /** How long to wait before trying again after {@code failures} failures in a row: 2 s doubling up to 60 s. */
    static long retryDelayMillis(int failures) {
        if (failures <= 0) {
            return 0;
        }
        return Math.min(60_000L, 2_000L << Math.min(failures - 1, 5));
    }
}
