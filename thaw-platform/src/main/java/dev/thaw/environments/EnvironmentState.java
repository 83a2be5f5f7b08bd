package dev.thaw.environments;

import java.util.EnumSet;
import java.util.Set;

/**
 * An environment's lifecycle. Every change goes through {@link #canMoveTo}; a wrong transition is a bug and fails
 * loudly with both states named.
 */
public enum EnvironmentState {
    /** Process spawned; its runtime has not started INIT yet. */
    STARTING,
    /** INIT is running (the runtime loaded the handler but has not asked for work). */
    INITIALIZING,
    /** A copy restored from a snapshot: its runtime runs the afterRestore hooks and has not asked for work yet. */
    RESTORING,
    /** The JDK AOT cache's training run: INIT, then the runtime exits and the JVM writes the cache. */
    TRAINING,
    /** SnapStart: INIT done, hooks run, CRIU is dumping the process. */
    CHECKPOINTING,
    /** Waiting in the pool for an invocation. */
    IDLE,
    /** Serving exactly one invocation. */
    BUSY,
    /** Stopped or crashed; never used again. */
    DEAD;

    private Set<EnvironmentState> next() {
        return switch (this) {
            case STARTING -> EnumSet.of(INITIALIZING, TRAINING, DEAD);
            case INITIALIZING -> EnumSet.of(IDLE, BUSY, CHECKPOINTING, DEAD);
            case RESTORING -> EnumSet.of(IDLE, BUSY, DEAD);
            case TRAINING -> EnumSet.of(DEAD);
            case CHECKPOINTING -> EnumSet.of(DEAD);
            case IDLE -> EnumSet.of(BUSY, DEAD);
            case BUSY -> EnumSet.of(IDLE, DEAD);
            case DEAD -> EnumSet.noneOf(EnvironmentState.class);
        };
    }

    public boolean canMoveTo(EnvironmentState target) {
        return next().contains(target);
    }
}
