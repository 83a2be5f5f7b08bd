package dev.thaw.events;

import dev.thaw.errors.ThawException;
import dev.thaw.functions.FunctionService;
import dev.thaw.store.MetadataStore;
import dev.thaw.store.StoredEventConfig;

import java.time.Clock;

/** Put/Get/DeleteFunctionEventInvokeConfig, one config per function, and the retry policy it implies. */
public final class EventInvokeConfigs {
    private final FunctionService functions;
    private final MetadataStore store;
    private final Clock clock;

    public EventInvokeConfigs(FunctionService functions, MetadataStore store, Clock clock) {
        this.functions = functions;
        this.store = store;
        this.clock = clock;
    }

    /** Replaces the function's config; an omitted limit falls back to Lambda's default. */
    public StoredEventConfig put(String functionRef, Integer maximumRetryAttempts, Integer maximumEventAgeInSeconds) {
        requireRange("maximumRetryAttempts", maximumRetryAttempts, 0, 2);
        requireRange("maximumEventAgeInSeconds", maximumEventAgeInSeconds, 60, 21600);
        StoredEventConfig config = new StoredEventConfig(functionName(functionRef), maximumRetryAttempts,
                maximumEventAgeInSeconds, clock.instant().getEpochSecond());
        store.putEventConfig(config);
        return config;
    }

    /** UpdateFunctionEventInvokeConfig: changes only the limits given, on a config that may not exist yet. */
    public StoredEventConfig update(String functionRef, Integer maximumRetryAttempts,
                                    Integer maximumEventAgeInSeconds) {
        requireRange("maximumRetryAttempts", maximumRetryAttempts, 0, 2);
        requireRange("maximumEventAgeInSeconds", maximumEventAgeInSeconds, 60, 21600);
        String name = functionName(functionRef);
        synchronized (this) {
            java.util.Optional<StoredEventConfig> current = store.eventConfig(name);
            StoredEventConfig config = new StoredEventConfig(name,
                    maximumRetryAttempts != null ? maximumRetryAttempts
                            : current.map(StoredEventConfig::maximumRetryAttempts).orElse(null),
                    maximumEventAgeInSeconds != null ? maximumEventAgeInSeconds
                            : current.map(StoredEventConfig::maximumEventAgeInSeconds).orElse(null),
                    clock.instant().getEpochSecond());
            store.putEventConfig(config);
            return config;
        }
    }

    /** ListFunctionEventInvokeConfigs: configs are per function in Thaw, so there is at most one. */
    public java.util.List<StoredEventConfig> list(String functionRef) {
        return store.eventConfig(functionName(functionRef)).map(java.util.List::of).orElse(java.util.List.of());
    }

    public StoredEventConfig get(String functionRef) {
        String name = functionName(functionRef);
        return store.eventConfig(name).orElseThrow(() -> missing(name));
    }

    public void delete(String functionRef) {
        String name = functionName(functionRef);
        if (!store.deleteEventConfig(name)) {
            throw missing(name);
        }
    }

    /** The policy the dispatcher applies to a function's events now. */
    RetryPolicy policy(String functionName) {
        return store.eventConfig(functionName).map(c -> new RetryPolicy(
                        c.maximumRetryAttempts() != null ? c.maximumRetryAttempts() : RetryPolicy.DEFAULT_RETRY_ATTEMPTS,
                        c.maximumEventAgeInSeconds() != null ? c.maximumEventAgeInSeconds()
                                : RetryPolicy.DEFAULT_EVENT_AGE_SECONDS))
                .orElse(RetryPolicy.DEFAULT);
    }

    /** The ARN Lambda reports for an unqualified config: the function's $LATEST. */
    public String functionArn(String functionName) {
        return functions.arns().qualifiedArn(functionName, "$LATEST");
    }

    private String functionName(String functionRef) {
        // get() throws ResourceNotFoundException for an unknown function and canonicalises ARNs to the name.
        return functions.get(functionRef, null).functionName();
    }

    private static ThawException missing(String name) {
        return ThawException.notFound("The function " + name + " doesn't have an EventInvokeConfig");
    }

    private static void requireRange(String field, Integer value, int min, int max) {
        if (value == null) {
            return;
        }
        if (value < min) {
            throw ThawException.invalidParameter("1 validation error detected: Value '" + value + "' at '" + field
                    + "' failed to satisfy constraint: Member must have value greater than or equal to " + min);
        }
        if (value > max) {
            throw ThawException.invalidParameter("1 validation error detected: Value '" + value + "' at '" + field
                    + "' failed to satisfy constraint: Member must have value less than or equal to " + max);
        }
    }
}
