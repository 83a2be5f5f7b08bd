package dev.thaw.functions;

import java.util.Map;

/** The settings a user controls, shared by $LATEST and every published version (which freezes a copy). */
public record FunctionConfig(
        String runtime,
        String handler,
        String role,
        String description,
        int memorySize,
        int timeout,
        int ephemeralStorage,
        Map<String, String> environment,
        SnapStartMode snapStart) {

    public FunctionConfig {
        environment = Map.copyOf(environment);
    }

    public boolean isSnapStartEnabled() {
        return snapStart == SnapStartMode.PUBLISHED_VERSIONS;
    }

    public FunctionConfig withDescription(String newDescription) {
        return new FunctionConfig(runtime, handler, role, newDescription, memorySize, timeout, ephemeralStorage,
                environment, snapStart);
    }
}
