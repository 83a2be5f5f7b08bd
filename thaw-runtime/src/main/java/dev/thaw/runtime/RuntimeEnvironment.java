package dev.thaw.runtime;

import java.nio.file.Path;
import java.util.Map;

/**
 * The environment variables the platform sets for an environment. After a SnapStart restore the Runtime API
 * address (and, when the platform sends one, the log stream) comes from the restore line instead.
 */
record RuntimeEnvironment(
        String handler,
        String runtimeApi,
        Path taskRoot,
        String initializationType,
        String functionName,
        String functionVersion,
        int memoryLimitMb,
        String logGroupName,
        String logStreamName) {

    static final String SNAP_START = "snap-start";

    static RuntimeEnvironment from(Map<String, String> env) {
        return new RuntimeEnvironment(
                env.getOrDefault("_HANDLER", ""),
                env.getOrDefault("AWS_LAMBDA_RUNTIME_API", ""),
                Path.of(env.getOrDefault("LAMBDA_TASK_ROOT", "/var/task")),
                env.getOrDefault("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"),
                env.getOrDefault("AWS_LAMBDA_FUNCTION_NAME", ""),
                env.getOrDefault("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
                parseMemory(env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")),
                env.getOrDefault("AWS_LAMBDA_LOG_GROUP_NAME", ""),
                env.getOrDefault("AWS_LAMBDA_LOG_STREAM_NAME", ""));
    }

    boolean snapStart() {
        return SNAP_START.equals(initializationType);
    }

    RuntimeEnvironment restoredAs(RestoreInstruction restore) {
        return new RuntimeEnvironment(handler, restore.runtimeApi(), taskRoot, initializationType, functionName,
                functionVersion, memoryLimitMb, logGroupName, restore.logStreamName().orElse(logStreamName));
    }

    private static int parseMemory(String value) {
        try {
            return value == null ? 128 : Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            return 128;
        }
    }
}
