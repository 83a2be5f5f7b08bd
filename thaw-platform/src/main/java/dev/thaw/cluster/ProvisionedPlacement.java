package dev.thaw.cluster;

import dev.thaw.provisioned.HostShare;

import java.util.ArrayList;
import java.util.List;

/**
 * Which worker keeps which provisioned copies, decided the same way by every worker without talking to the others:
 * a version's copies are dealt over the live workers in the order of their ids, starting at a place set by the
 * version's environment key (so the odd copies of different versions land on different workers). Every worker reads
 * the same rows, so the shares add up to the requested number; when a worker leaves the rotation the others' shares
 * grow by what it held, and shrink again when it comes back, surplus copies being stopped. Memory is not weighed.
 */
public final class ProvisionedPlacement implements HostShare {
    private static final long REFRESH_MILLIS = 500;

    private final String self;
    private final WorkerRegistry registry;
    private List<String> live = List.of();
    private long readAt;

    public ProvisionedPlacement(String self, WorkerRegistry registry) {
        this.self = self;
        this.registry = registry;
    }

    @Override
    public int copiesHere(String environmentKey, int wanted) {
        return share(workers(), self, environmentKey, wanted);
    }

    /** The live workers' ids, this one always among them (it is live while it asks). */
    private synchronized List<String> workers() {
        long now = registry.now();
        if (live.isEmpty() || now - readAt >= REFRESH_MILLIS) {
            List<String> ids = new ArrayList<>(registry.live().stream().map(WorkerStatus::id).toList());
            if (!ids.contains(self)) {
                ids.add(self);
            }
            ids.sort(null);
            live = List.copyOf(ids);
            readAt = now;
        }
        return live;
    }

    /** {@code worker}'s share of {@code wanted} copies of {@code key} over {@code workers} (sorted ids). */
    static int share(List<String> workers, String worker, String key, int wanted) {
        int n = workers.size();
        int index = workers.indexOf(worker);
        if (index < 0 || wanted <= 0) {
            return 0;
        }
        int position = Math.floorMod(index - Math.floorMod(key.hashCode(), n), n);
        return wanted / n + (position < wanted % n ? 1 : 0);
    }
}
