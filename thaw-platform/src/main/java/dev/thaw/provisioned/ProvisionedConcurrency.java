package dev.thaw.provisioned;

import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import dev.thaw.functions.Alias;
import dev.thaw.functions.Arns;
import dev.thaw.functions.FunctionService;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.store.MetadataStore;
import dev.thaw.store.StoredProvisionedConcurrency;

import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Lambda's PutProvisionedConcurrencyConfig, GetProvisionedConcurrencyConfig, DeleteProvisionedConcurrencyConfig and
 * ListProvisionedConcurrencyConfigs, with Lambda's rules and messages: a configuration belongs to a published
 * version or an alias (never {@code $LATEST}), not to both an alias and the version it points to, stays within the
 * function's reserved concurrency, and leaves the account its unreserved minimum.
 */
public final class ProvisionedConcurrency {
    private static final DateTimeFormatter LAST_MODIFIED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);
    private static final int MAX_LIST_ITEMS = 50;

    private final FunctionService functions;
    private final MetadataStore store;
    private final ProvisionedCopies copies;
    private final Clock clock;

    public ProvisionedConcurrency(FunctionService functions, MetadataStore store, ProvisionedCopies copies,
                                  Clock clock) {
        this.functions = functions;
        this.store = store;
        this.copies = copies;
        this.clock = clock;
    }

    /** A page of a function's configurations and the marker of the next page, if any. */
    public record Page(List<ProvisionedStatus> items, Optional<String> nextMarker) {
    }

    public synchronized ProvisionedStatus put(String functionRef, String qualifierParameter, Integer requested) {
        if (requested == null || requested < 1) {
            throw ThawException.invalidParameter("1 validation error detected: Value '" + requested + "' at "
                    + "'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater "
                    + "than or equal to 1");
        }
        Target target = target(functionRef, qualifierParameter,
                "Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
        if (target.version().isLatest()) {
            throw ThawException.invalidParameter(
                    "Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
        }
        requireNoConflict(target);
        requireWithinLimits(target, requested);
        StoredProvisionedConcurrency config = new StoredProvisionedConcurrency(target.functionName(),
                target.qualifier(), requested, LAST_MODIFIED.format(clock.instant()));
        store.putProvisionedConcurrency(config);
        copies.changed();
        return copies.status(config, target.version(), target.arn());
    }

    public ProvisionedStatus get(String functionRef, String qualifierParameter) {
        Target target = target(functionRef, qualifierParameter,
                "The function resource provided must be an alias or a published version.");
        StoredProvisionedConcurrency config = stored(target.functionName(), target.qualifier()).orElseThrow(() ->
                new ThawException(ErrorCode.PROVISIONED_CONCURRENCY_CONFIG_NOT_FOUND,
                        "No Provisioned Concurrency Config found for this function"));
        return copies.status(config, target.version(), target.arn());
    }

    /** Deletes a configuration, which releases its copies; deleting one that does not exist is not an error. */
    public synchronized void delete(String functionRef, String qualifierParameter) {
        Target target = target(functionRef, qualifierParameter,
                "The function resource provided must be an alias or a published version.");
        store.deleteProvisionedConcurrency(target.functionName(), target.qualifier());
        copies.changed();
    }

    /** A function's configurations in qualifier order, after {@code marker} (a qualifier), at most 50 at a time. */
    public Page list(String functionRef, Optional<String> marker, OptionalInt maxItems) {
        Arns.FunctionRef ref = functions.arns().parse(functionRef);
        String name = functions.get(ref.name(), FunctionVersion.LATEST).functionName();
        int limit = maxItems.isPresent() ? maxItems.getAsInt() : MAX_LIST_ITEMS;
        if (limit < 1 || limit > MAX_LIST_ITEMS) {
            throw ThawException.invalidParameter("1 validation error detected: Value '" + limit + "' at 'maxItems' "
                    + "failed to satisfy constraint: Member must have value between 1 and " + MAX_LIST_ITEMS);
        }
        List<StoredProvisionedConcurrency> configs = store.allProvisionedConcurrency().stream()
                .filter(c -> c.functionName().equals(name))
                .filter(c -> marker.isEmpty() || c.qualifier().compareTo(marker.get()) > 0)
                .toList();
        List<ProvisionedStatus> page = configs.stream().limit(limit).flatMap(c -> {
            try {
                FunctionVersion v = functions.get(name, c.qualifier());
                return java.util.stream.Stream.of(copies.status(c, v, functions.arns().qualifiedArn(name,
                        c.qualifier())));
            } catch (ThawException gone) {
                return java.util.stream.Stream.empty();
            }
        }).toList();
        Optional<String> next = configs.size() > limit ? Optional.of(configs.get(limit - 1).qualifier())
                : Optional.empty();
        return new Page(page, next);
    }

    /** The version or alias a call names, with the version its copies run; 404s as Lambda words them. */
    private record Target(String functionName, String qualifier, Optional<Alias> alias, FunctionVersion version,
                          String arn) {
    }

    private Target target(String functionRef, String qualifierParameter, String latestMessage) {
        Arns.FunctionRef ref = functions.arns().parse(functionRef);
        String qualifier = ref.qualifier(qualifierParameter).orElseThrow(() -> ThawException.invalidParameter(
                "The function resource provided must be an alias or a published version."));
        if (FunctionVersion.LATEST.equals(qualifier)) {
            throw ThawException.invalidParameter(latestMessage);
        }
        String name = ref.name();
        // The function first, so a missing function is named as such.
        functions.get(name, FunctionVersion.LATEST);
        Optional<Alias> alias = qualifier.chars().allMatch(Character::isDigit) ? Optional.empty()
                : Optional.of(functions.getAlias(name, qualifier));
        FunctionVersion version = functions.version(name, alias.map(Alias::functionVersion).orElse(qualifier));
        return new Target(name, qualifier, alias, version, functions.arns().qualifiedArn(name, qualifier));
    }

    private Optional<StoredProvisionedConcurrency> stored(String functionName, String qualifier) {
        return store.allProvisionedConcurrency().stream()
                .filter(c -> c.functionName().equals(functionName) && c.qualifier().equals(qualifier)).findFirst();
    }

    private void requireNoConflict(Target target) {
        if (target.alias().isPresent()) {
            if (stored(target.functionName(), target.version().version()).isPresent()) {
                throw ThawException.conflict("Alias can't be used for Provisioned Concurrency configuration on an "
                        + "already Provisioned version");
            }
            return;
        }
        for (StoredProvisionedConcurrency c : store.allProvisionedConcurrency()) {
            if (!c.functionName().equals(target.functionName()) || c.qualifier().chars().allMatch(Character::isDigit)) {
                continue;
            }
            boolean pointsHere;
            try {
                pointsHere = functions.getAlias(target.functionName(), c.qualifier()).functionVersion()
                        .equals(target.qualifier());
            } catch (ThawException gone) {
                pointsHere = false;
            }
            if (pointsHere) {
                throw ThawException.conflict("Version is pointed by a Provisioned Concurrency alias");
            }
        }
    }

    /**
     * Lambda's limits: a reserved function's configurations together stay within its reservation; another
     * function's come out of the unreserved pool, which must keep its minimum.
     */
    private void requireWithinLimits(Target target, int requested) {
        String name = target.functionName();
        int current = stored(name, target.qualifier()).map(StoredProvisionedConcurrency::requested).orElse(0);
        OptionalInt reserved = store.reservedConcurrency(name);
        if (reserved.isPresent()) {
            int others = functions.provisionedConcurrency(name) - current;
            if (others + requested > reserved.getAsInt()) {
                throw ThawException.invalidParameter("Requested Provisioned Concurrency should not be greater than "
                        + "the reservedConcurrentExecution for function");
            }
            return;
        }
        int unreserved = functions.accountSettings().unreservedConcurrentExecutions() + current;
        if (requested > unreserved) {
            throw ThawException.invalidParameter("Specified ConcurrentExecutions for function is greater than "
                    + "account's unreserved concurrency [" + unreserved + "].");
        }
        if (unreserved - requested < functions.unreservedMinimum()) {
            throw ThawException.invalidParameter("Specified ConcurrentExecutions for function decreases account's "
                    + "UnreservedConcurrentExecution below its minimum value of [" + functions.unreservedMinimum()
                    + "].");
        }
    }
}
