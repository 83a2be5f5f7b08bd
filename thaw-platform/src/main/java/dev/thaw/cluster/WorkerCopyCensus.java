package dev.thaw.cluster;

import dev.thaw.provisioned.CopyCensus;

import java.util.List;
import java.util.Optional;

/** Provisioned copies as the workers in rotation last reported them: what an API tier's status counts. */
public final class WorkerCopyCensus implements CopyCensus {
    private final ClusterRouter router;

    public WorkerCopyCensus(ClusterRouter router) {
        this.router = router;
    }

    @Override
    public int ready(String environmentKey) {
        return router.workers().stream()
                .mapToInt(w -> w.provisionedCopies().getOrDefault(environmentKey, NONE).ready())
                .sum();
    }

    @Override
    public Optional<String> failure(String environmentKey) {
        return router.workers().stream()
                .map(w -> w.provisionedCopies().getOrDefault(environmentKey, NONE).failure())
                .filter(f -> !f.isEmpty())
                .findFirst();
    }

    private static final WorkerStatus.ProvisionedReport NONE =
            new WorkerStatus.ProvisionedReport(0, 0, "", "", List.of());
}
