package dev.thaw.environments;

import java.util.Optional;

/**
 * How {@link EnvironmentLauncher#start} starts an environment and what it waits for. Each mode says what the runtime
 * is told ({@code AWS_LAMBDA_INITIALIZATION_TYPE}), how long INIT may take, and when the start is over.
 */
public sealed interface LaunchMode {
    /** How long INIT may take before the start fails with {@link dev.thaw.errors.RuntimeErrorType#INIT_TIMEOUT}. */
    long initLimitMillis();

    /** An on-demand INIT: returns once the runtime first asks for work, ready to invoke. */
    record Init(long initLimitMillis) implements LaunchMode {
    }

    /** An on-demand INIT with the version's trained JDK AOT cache in {@code files}; otherwise as {@link Init}. */
    record InitWithAotCache(AotCacheFiles files, long initLimitMillis) implements LaunchMode {
    }

    /**
     * INIT for a snapshot ({@code snap-start}): returns once the runtime has run its beforeCheckpoint hooks and asks
     * to be checkpointed.
     */
    record InitForCheckpoint(long initLimitMillis) implements LaunchMode {
    }

    /**
     * INIT of a provisioned concurrency copy ({@code provisioned-concurrency}), with the version's trained AOT cache
     * when it has one: returns once the runtime first asks for work. The copy reports no Init Duration on its first
     * invoke: its INIT happened ahead of any request.
     */
    record ProvisionedInit(Optional<AotCacheFiles> aotCache, long initLimitMillis) implements LaunchMode {
    }

    /**
     * The JDK AOT cache's training run: INIT once with {@code -XX:AOTCacheOutput}, then the runtime exits and the JVM
     * writes the cache into {@code files}. Returns once the process is gone.
     */
    record AotTraining(AotCacheFiles files, long initLimitMillis) implements LaunchMode {
    }

    /** The value of {@code AWS_LAMBDA_INITIALIZATION_TYPE} the runtime sees. */
    default String initializationType() {
        return switch (this) {
            case InitForCheckpoint _ -> "snap-start";
            case ProvisionedInit _ -> PROVISIONED_CONCURRENCY;
            default -> "on-demand";
        };
    }

    /** The initialization type of provisioned concurrency copies, as Lambda names it. */
    String PROVISIONED_CONCURRENCY = "provisioned-concurrency";

    /** INIT_START's Initialization Type: the runtime's, except that a training run says what it is. */
    default String initStartType() {
        return this instanceof AotTraining ? "aot-training" : initializationType();
    }
}
