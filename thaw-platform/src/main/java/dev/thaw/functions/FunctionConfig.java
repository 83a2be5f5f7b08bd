package dev.thaw.functions;

import java.util.List;
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
        SnapStartMode snapStart,
        InertSettings inert,
        List<FunctionLayer> layers,
        LoggingConfig logging) {

    public FunctionConfig {
        environment = Map.copyOf(environment);
        inert = inert == null ? InertSettings.NONE : inert;
        layers = layers == null ? List.of() : List.copyOf(layers);
        logging = logging == null ? LoggingConfig.TEXT_LOGS : logging;
    }

    public FunctionConfig(String runtime, String handler, String role, String description, int memorySize,
                          int timeout, int ephemeralStorage, Map<String, String> environment,
                          SnapStartMode snapStart, InertSettings inert, List<FunctionLayer> layers) {
        this(runtime, handler, role, description, memorySize, timeout, ephemeralStorage, environment, snapStart,
                inert, layers, LoggingConfig.TEXT_LOGS);
    }

    public FunctionConfig(String runtime, String handler, String role, String description, int memorySize,
                          int timeout, int ephemeralStorage, Map<String, String> environment,
                          SnapStartMode snapStart, InertSettings inert) {
        this(runtime, handler, role, description, memorySize, timeout, ephemeralStorage, environment, snapStart,
                inert, List.of());
    }

    public FunctionConfig(String runtime, String handler, String role, String description, int memorySize,
                          int timeout, int ephemeralStorage, Map<String, String> environment,
                          SnapStartMode snapStart) {
        this(runtime, handler, role, description, memorySize, timeout, ephemeralStorage, environment, snapStart,
                InertSettings.NONE, List.of());
    }

    /**
     * The environment variable that turns on the JDK AOT-cache mode (java25): PublishVersion runs a training INIT
     * and the version's environments start with the cache. Thaw's portable alternative to SnapStart.
     */
    public static final String AOT_CACHE_VARIABLE = "THAW_AOT_CACHE";

    public boolean isAotCacheEnabled() {
        return "on".equalsIgnoreCase(environment.getOrDefault(AOT_CACHE_VARIABLE, ""));
    }

    public boolean isSnapStartEnabled() {
        return snapStart == SnapStartMode.PUBLISHED_VERSIONS;
    }

    public FunctionConfig withDescription(String newDescription) {
        return new FunctionConfig(runtime, handler, role, newDescription, memorySize, timeout, ephemeralStorage,
                environment, snapStart, inert, layers, logging);
    }

    public FunctionConfig withLogging(LoggingConfig newLogging) {
        return new FunctionConfig(runtime, handler, role, description, memorySize, timeout, ephemeralStorage,
                environment, snapStart, inert, layers, newLogging);
    }

    public FunctionConfig withLayers(List<FunctionLayer> newLayers) {
        return new FunctionConfig(runtime, handler, role, description, memorySize, timeout, ephemeralStorage,
                environment, snapStart, inert, newLayers, logging);
    }
}
