package dev.thaw.events;

import dev.thaw.errors.ThawException;
import dev.thaw.functions.Arns;
import dev.thaw.functions.FunctionService;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.store.MetadataStore;
import dev.thaw.store.StoredEventConfig;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Put/Update/Get/Delete/ListFunctionEventInvokeConfig(s), with Lambda's rules and messages: a config belongs to one
 * qualifier of a function, {@code $LATEST} (what a call without a qualifier names), a published version or an alias,
 * and governs the events whose invoke named that qualifier. There is no inheritance: an event sent through an alias
 * or to a version without a config of its own gets Lambda's defaults, not the {@code $LATEST} config. AWS documents
 * each config as a resource of the function, version or alias it names and describes no fallback between them.
 */
public final class EventInvokeConfigs {
    private static final int MAX_LIST_ITEMS = 50;

    private final FunctionService functions;
    private final MetadataStore store;
    private final Clock clock;

    public EventInvokeConfigs(FunctionService functions, MetadataStore store, Clock clock) {
        this.functions = functions;
        this.store = store;
        this.clock = clock;
    }

    /** A page of a function's configs and the marker (a qualifier) of the next page, if any. */
    public record Page(List<StoredEventConfig> items, Optional<String> nextMarker) {
    }

    /** The function and qualifier a call names; the qualifier is {@code $LATEST} when it names none. */
    private record Target(String functionName, String qualifier) {
    }

    /** Replaces the qualifier's config; an omitted limit falls back to Lambda's default. */
    public StoredEventConfig put(String functionRef, String qualifierParameter, Integer maximumRetryAttempts,
                                 Integer maximumEventAgeInSeconds) {
        requireLimitsInRange(maximumRetryAttempts, maximumEventAgeInSeconds);
        Target target = existingTarget(functionRef, qualifierParameter);
        StoredEventConfig config = new StoredEventConfig(target.functionName(), target.qualifier(),
                maximumRetryAttempts, maximumEventAgeInSeconds, clock.instant().getEpochSecond());
        store.putEventConfig(config);
        return config;
    }

    /** UpdateFunctionEventInvokeConfig: changes only the limits given, on a config that must exist. */
    public StoredEventConfig update(String functionRef, String qualifierParameter, Integer maximumRetryAttempts,
                                    Integer maximumEventAgeInSeconds) {
        requireLimitsInRange(maximumRetryAttempts, maximumEventAgeInSeconds);
        Target target = existingTarget(functionRef, qualifierParameter);
        return store.updateEventConfig(target.functionName(), target.qualifier(), maximumRetryAttempts,
                maximumEventAgeInSeconds, clock.instant().getEpochSecond()).orElseThrow(() -> missing(target));
    }

    /** Lambda answers the same for a missing function, qualifier or config: the qualified ARN has no config. */
    public StoredEventConfig get(String functionRef, String qualifierParameter) {
        Target target = target(functionRef, qualifierParameter);
        return store.eventConfig(target.functionName(), target.qualifier()).orElseThrow(() -> missing(target));
    }

    public void delete(String functionRef, String qualifierParameter) {
        Target target = target(functionRef, qualifierParameter);
        if (!store.deleteEventConfig(target.functionName(), target.qualifier())) {
            throw missing(target);
        }
    }

    /** ListFunctionEventInvokeConfigs: every qualifier's config, in qualifier order, at most 50 a page. */
    public Page list(String functionRef, Optional<String> marker, Optional<Integer> maxItems) {
        String name = functions.arns().parse(functionRef).name();
        if (!store.functionExists(name)) {
            throw functionMissing();
        }
        int limit = maxItems.orElse(MAX_LIST_ITEMS);
        if (limit < 1 || limit > MAX_LIST_ITEMS) {
            throw ThawException.invalidParameter("1 validation error detected: Value '" + limit + "' at 'maxItems' "
                    + "failed to satisfy constraint: Member must have value between 1 and " + MAX_LIST_ITEMS);
        }
        List<StoredEventConfig> rows = store.eventConfigs(name, marker.orElse(null), limit + 1);
        boolean more = rows.size() > limit;
        List<StoredEventConfig> page = more ? rows.subList(0, limit) : rows;
        return new Page(page, more ? Optional.of(page.getLast().qualifier()) : Optional.empty());
    }

    /** The policy the dispatcher applies now to an event whose invoke named {@code qualifier}. */
    RetryPolicy policy(String functionName, String qualifier) {
        return store.eventConfig(functionName, qualifier).map(c -> new RetryPolicy(
                        c.maximumRetryAttempts() != null ? c.maximumRetryAttempts()
                                : RetryPolicy.DEFAULT_RETRY_ATTEMPTS,
                        c.maximumEventAgeInSeconds() != null ? c.maximumEventAgeInSeconds()
                                : RetryPolicy.DEFAULT_EVENT_AGE_SECONDS))
                .orElse(RetryPolicy.DEFAULT);
    }

    /** The ARN Lambda reports for a config: always qualified, with {@code $LATEST} for an unqualified one. */
    public String functionArn(StoredEventConfig config) {
        return functions.arns().qualifiedArn(config.functionName(), config.qualifier());
    }

    private Target target(String functionRef, String qualifierParameter) {
        Arns.FunctionRef ref = functions.arns().parse(functionRef);
        return new Target(ref.name(), ref.qualifier(qualifierParameter).orElse(FunctionVersion.LATEST));
    }

    /** The target of a Put or Update, whose function and version or alias must exist. */
    private Target existingTarget(String functionRef, String qualifierParameter) {
        Target target = target(functionRef, qualifierParameter);
        String name = target.functionName();
        String q = target.qualifier();
        boolean exists = store.functionExists(name)
                && (FunctionVersion.LATEST.equals(q) || q.chars().allMatch(Character::isDigit)
                ? store.version(name, q).isPresent() : store.alias(name, q).isPresent());
        if (!exists) {
            throw functionMissing();
        }
        return target;
    }

    private static ThawException functionMissing() {
        return ThawException.notFound("The function doesn't exist.");
    }

    private ThawException missing(Target target) {
        return ThawException.notFound("The function " + functions.arns().qualifiedArn(target.functionName(),
                target.qualifier()) + " doesn't have an EventInvokeConfig");
    }

    private static void requireLimitsInRange(Integer maximumRetryAttempts, Integer maximumEventAgeInSeconds) {
        requireRange("maximumRetryAttempts", maximumRetryAttempts, 0, 2);
        requireRange("maximumEventAgeInSeconds", maximumEventAgeInSeconds, 60, 21600);
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
