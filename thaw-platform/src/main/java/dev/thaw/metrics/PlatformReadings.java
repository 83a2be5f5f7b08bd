package dev.thaw.metrics;

import java.util.List;
import java.util.Map;

/** What the metrics read from the platform at scrape time: states, not events. */
public interface PlatformReadings {
    /** The states an environment is counted in. */
    enum EnvironmentPhase {
        STARTING("starting"), IDLE("idle"), BUSY("busy"), FROZEN("frozen");

        private final String label;

        EnvironmentPhase(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One live environment; {@code memoryBytes} is its cgroup's current use, or -1 when unknown. */
    record EnvironmentReading(String function, String version, EnvironmentPhase phase, long memoryBytes) {
    }

    /** One snapshot on disk. */
    record SnapshotReading(String function, String version, long bytes) {
    }

    /** Event invocations stored and not yet delivered or failed; {@code oldestAcceptedAtMillis} is 0 when none. */
    record EventBacklog(long depth, long oldestAcceptedAtMillis) {
    }

    /** The memory held for restores (see {@code snapshots.WarmMemory}): mapped and touched now, and its target. */
    record WarmMemoryReading(long heldBytes, long targetBytes) {
    }

    /**
     * One snapshot's restore slots made ahead (see {@code snapshots.RestoreSlots}): ready now, and how many it keeps
     * (one, or more for a while after a burst).
     */
    record RestoreSlotsReading(String function, String version, int ready, int wanted) {
    }

    List<EnvironmentReading> environments();

    /** Invocations running now, by function (functions with none may be left out). */
    Map<String, Integer> concurrentExecutions();

    List<SnapshotReading> snapshots();

    EventBacklog eventBacklog();

    WarmMemoryReading warmMemory();

    List<RestoreSlotsReading> restoreSlots();
}
