package dev.thaw.server;

import dev.thaw.environments.Environment;
import dev.thaw.environments.EnvironmentPool;
import dev.thaw.events.EventQueue;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.invoke.ConcurrencyLimiter;
import dev.thaw.metrics.PlatformReadings;
import dev.thaw.snapshots.SnapStartService;
import dev.thaw.store.MetadataStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The platform's live state as the metrics read it at scrape time: the pool, the limiter, snapshots, the queue. */
final class LiveReadings implements PlatformReadings {
    private final EnvironmentPool pool;
    private final ConcurrencyLimiter limiter;
    private final SnapStartService snapshots;
    private final EventQueue events;

    LiveReadings(EnvironmentPool pool, ConcurrencyLimiter limiter, SnapStartService snapshots, EventQueue events) {
        this.pool = pool;
        this.limiter = limiter;
        this.snapshots = snapshots;
        this.events = events;
    }

    @Override
    public List<EnvironmentReading> environments() {
        List<EnvironmentReading> out = new ArrayList<>();
        for (FunctionVersion v : pool.starting()) {
            out.add(new EnvironmentReading(v.functionName(), v.version(), EnvironmentPhase.STARTING, -1));
        }
        for (Environment env : pool.environments()) {
            EnvironmentPhase phase = switch (env.state()) {
                case STARTING, INITIALIZING, RESTORING -> EnvironmentPhase.STARTING;
                case IDLE -> env.isFrozen() ? EnvironmentPhase.FROZEN : EnvironmentPhase.IDLE;
                case BUSY -> EnvironmentPhase.BUSY;
                case TRAINING, CHECKPOINTING, DEAD -> null;
            };
            if (phase != null) {
                out.add(new EnvironmentReading(env.version().functionName(), env.version().version(), phase,
                        env.memoryBytes().orElse(-1)));
            }
        }
        return out;
    }

    @Override
    public Map<String, Integer> concurrentExecutions() {
        return limiter.runningByFunction();
    }

    @Override
    public List<SnapshotReading> snapshots() {
        return snapshots.manifests().stream()
                .map(m -> new SnapshotReading(m.functionName(), m.version(), m.imageBytes())).toList();
    }

    @Override
    public WarmMemoryReading warmMemory() {
        return snapshots.warmMemory();
    }

    @Override
    public List<RestoreSlotsReading> restoreSlots() {
        return snapshots.restoreSlots();
    }

    @Override
    public EventBacklog eventBacklog() {
        MetadataStore.EventBacklog backlog = events.backlog();
        return new EventBacklog(backlog.depth(), backlog.oldestAcceptedAt());
    }
}
