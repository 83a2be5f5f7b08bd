package dev.thaw.functions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import dev.thaw.store.MetadataStore;
import dev.thaw.store.StoredProvisionedConcurrency;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The control plane: every create, update, publish, alias and delete goes through here, is validated here and is
 * persisted before it returns. Listeners hear about published and retired versions after the store has them.
 */
public final class FunctionService {
    private static final DateTimeFormatter LAST_MODIFIED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);
    private static final Pattern ALIAS_NAME = Pattern.compile("(?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}");
    private static final Pattern ENV_KEY = Pattern.compile("[a-zA-Z][a-zA-Z0-9_]+");
    private static final Pattern VERSION = Pattern.compile("\\$LATEST|[0-9]{1,10}");
    private static final Set<String> RESERVED_ENV_KEYS = Set.of("_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION",
            "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
            "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR");
    private static final ObjectMapper DOCUMENTS = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final MetadataStore store;
    private final CodeStore codeStore;
    private final Arns arns;
    private final RuntimeAvailability runtimes;
    private final int accountConcurrency;
    private final int unreservedMinimum;
    private final Clock clock;
    private final LayerCatalog layers;
    private final List<VersionListener> listeners = new CopyOnWriteArrayList<>();

    public FunctionService(MetadataStore store, CodeStore codeStore, Arns arns, RuntimeAvailability runtimes,
                           int accountConcurrency, int unreservedMinimum, Clock clock) {
        this(store, codeStore, arns, runtimes, accountConcurrency, unreservedMinimum, clock, LayerCatalog.NONE);
    }

    public FunctionService(MetadataStore store, CodeStore codeStore, Arns arns, RuntimeAvailability runtimes,
                           int accountConcurrency, int unreservedMinimum, Clock clock, LayerCatalog layers) {
        this.layers = layers;
        this.store = store;
        this.codeStore = codeStore;
        this.arns = arns;
        this.runtimes = runtimes;
        this.accountConcurrency = accountConcurrency;
        this.unreservedMinimum = unreservedMinimum;
        this.clock = clock;
    }

    public void addListener(VersionListener listener) {
        listeners.add(listener);
    }

    public Arns arns() {
        return arns;
    }

    /**
     * Makes sure a version's package and its layers' content are on this host: with a shared object store, a
     * version created through another instance has them there only.
     */
    public void ensureCode(FunctionVersion version) {
        codeStore.ensure(version.code().sha256Hex());
        for (FunctionLayer layer : version.config().layers()) {
            layers.ensureContent(layer.sha256Hex());
        }
    }

    public CodeStore codeStore() {
        return codeStore;
    }

    // --- functions ----------------------------------------------------------------------------------------------

    public FunctionVersion create(Commands.CreateFunction cmd) {
        Arns.requireValidName(cmd.functionName());
        FunctionConfig config = cmd.config().withLayers(layers.resolve(cmd.layers()));
        validate(config);
        if (cmd.zip() == null || cmd.zip().length == 0) {
            throw ThawException.invalidParameter("Code.ZipFile is required: a base64 zip or jar of the function.");
        }
        if (store.functionExists(cmd.functionName())) {
            throw functionExists(cmd.functionName());
        }
        FunctionVersion latest = withStoredCode(cmd.zip(), code -> {
            if (config.layers().isEmpty()) {
                // A handler class may come from a layer: only a function without layers can be checked here.
                HandlerCheck.check(codeStore.taskRoot(code.sha256Hex()), config.runtime(), config.handler());
            }
            FunctionVersion created = new FunctionVersion(cmd.functionName(), FunctionVersion.LATEST, config,
                    code, now(), UUID.randomUUID().toString(), VersionState.active(), null);
            if (!store.insertFunction(cmd.functionName(), encode(created), now())) {
                throw functionExists(cmd.functionName());
            }
            return created;
        });
        return cmd.publish() ? publish(new Commands.Publish(cmd.functionName(), null, null, null)) : latest;
    }

    public FunctionVersion updateCode(Commands.UpdateCode cmd) {
        String name = unqualifiedName(cmd.functionRef());
        if (cmd.zip() == null || cmd.zip().length == 0) {
            throw ThawException.invalidParameter("ZipFile is required.");
        }
        CodePackage previous = version(name, FunctionVersion.LATEST).code();
        // Like AWS, new code is not checked against the configured handler: a mismatch fails at invoke.
        FunctionVersion updated = withStoredCode(cmd.zip(), code -> updateLatest(name, cmd.revisionId(),
                latest -> new FunctionVersion(name, FunctionVersion.LATEST, latest.config(), code, now(),
                        UUID.randomUUID().toString(), VersionState.active(), null)));
        if (!previous.equals(updated.code())) {
            deleteCodeUnlessReferenced(previous);
        }
        return cmd.publish() ? publish(new Commands.Publish(name, null, null, null)) : updated;
    }

    /**
     * Stores a package and runs {@code use} with it. If {@code use} fails, the package is removed again unless a
     * version refers to it, so a rejected call leaves nothing on disk. Serialised with removals, so that a package
     * another call is about to use is never removed from under it.
     */
    private FunctionVersion withStoredCode(byte[] zip, java.util.function.Function<CodePackage, FunctionVersion> use) {
        synchronized (codeStore) {
            CodePackage code = codeStore.store(zip);
            try {
                return use.apply(code);
            } catch (RuntimeException e) {
                deleteCodeUnlessReferenced(code);
                throw e;
            }
        }
    }

    private static ThawException functionExists(String name) {
        return ThawException.conflict("Function already exist: " + name);
    }

    public FunctionVersion updateConfiguration(Commands.UpdateConfiguration cmd) {
        String name = unqualifiedName(cmd.functionRef());
        return updateLatest(name, cmd.revisionId(), latest -> {
            FunctionConfig c = latest.config();
            FunctionConfig next = new FunctionConfig(
                    or(cmd.runtime(), c.runtime()), or(cmd.handler(), c.handler()), or(cmd.role(), c.role()),
                    or(cmd.description(), c.description()), or(cmd.memorySize(), c.memorySize()),
                    or(cmd.timeout(), c.timeout()), or(cmd.ephemeralStorage(), c.ephemeralStorage()),
                    or(cmd.environment(), c.environment()), or(cmd.snapStart(), c.snapStart()),
                    c.inert().with(cmd.inert()),
                    cmd.layers() == null ? c.layers() : layers.resolve(cmd.layers()),
                    c.logging().with(cmd.logging()));
            validate(next);
            if (next.layers().isEmpty()) {
                codeStore.ensure(latest.code().sha256Hex());
                HandlerCheck.check(codeStore.taskRoot(latest.code().sha256Hex()), next.runtime(), next.handler());
            }
            return new FunctionVersion(name, FunctionVersion.LATEST, next, latest.code(), now(),
                    UUID.randomUUID().toString(), VersionState.active(), null);
        });
    }

    private synchronized FunctionVersion updateLatest(String name, String expectedRevision,
                                                      UnaryOperator<FunctionVersion> change) {
        FunctionVersion latest = version(name, FunctionVersion.LATEST);
        requireRevision(latest.revisionId(), expectedRevision);
        FunctionVersion updated = change.apply(latest);
        store.putVersion(name, FunctionVersion.LATEST, encode(updated));
        listeners.forEach(l -> l.versionRetired(latest));
        return updated;
    }

    public void delete(String functionRef, String qualifier) {
        Arns.FunctionRef ref = arns.parse(functionRef);
        Optional<String> q = ref.qualifier(qualifier);
        requireFunction(ref.name());
        if (q.isPresent()) {
            deleteVersion(ref.name(), q.get());
            return;
        }
        List<FunctionVersion> all = allVersions(ref.name());
        store.deleteFunction(ref.name());
        for (FunctionVersion v : all) {
            listeners.forEach(l -> l.versionRetired(v));
            deleteCodeUnlessReferenced(v.code());
        }
        listeners.forEach(l -> l.functionDeleted(ref.name()));
    }

    private void deleteCodeUnlessReferenced(CodePackage code) {
        synchronized (codeStore) {
            codeStore.deleteUnless(code.sha256Hex(), isCodeReferenced(code.sha256Hex()));
        }
    }

    private synchronized void deleteVersion(String name, String version) {
        if (FunctionVersion.LATEST.equals(version)) {
            throw ThawException.invalidParameter("$LATEST version cannot be deleted without deleting the function.");
        }
        FunctionVersion v = version(name, version);
        List<String> referencing = listAliases(name, null, Integer.MAX_VALUE).stream()
                .filter(a -> a.functionVersion().equals(version)).map(Alias::name).toList();
        if (!referencing.isEmpty()) {
            throw ThawException.conflict("Unable to delete version because the following aliases reference it: "
                    + referencing);
        }
        store.deleteVersion(name, version);
        listeners.forEach(l -> l.versionRetired(v));
        deleteCodeUnlessReferenced(v.code());
    }

    /** Whether a function version uses a layer whose content has this SHA-256 (deleted layer versions included). */
    public boolean usesLayerContent(String sha256Hex) {
        return allStoredVersions().stream().flatMap(v -> v.config().layers().stream())
                .anyMatch(l -> l.sha256Hex().equals(sha256Hex));
    }

    private boolean isCodeReferenced(String sha256Hex) {
        return store.allVersions().stream().map(this::decodeVersion)
                .anyMatch(v -> v.code().sha256Hex().equals(sha256Hex));
    }

    /** GetFunction / GetFunctionConfiguration: a version or alias, $LATEST by default. */
    public FunctionVersion get(String functionRef, String qualifier) {
        Arns.FunctionRef ref = arns.parse(functionRef);
        requireFunction(ref.name());
        String q = ref.qualifier(qualifier).orElse(FunctionVersion.LATEST);
        return version(ref.name(), resolveQualifier(ref.name(), q));
    }

    /** One page of functions ($LATEST of each), after the marker. */
    public Page<FunctionVersion> list(String marker, int maxItems) {
        List<String> names = store.functionNames(marker, maxItems + 1);
        boolean more = names.size() > maxItems;
        List<String> page = more ? names.subList(0, maxItems) : names;
        List<FunctionVersion> items = page.stream().map(n -> version(n, FunctionVersion.LATEST)).toList();
        return new Page<>(items, more ? page.getLast() : null);
    }

    public record Page<T>(List<T> items, String nextMarker) {
    }

    // --- versions -----------------------------------------------------------------------------------------------

    public synchronized FunctionVersion publish(Commands.Publish cmd) {
        String name = unqualifiedName(cmd.functionRef());
        FunctionVersion latest = version(name, FunctionVersion.LATEST);
        if (cmd.codeSha256() != null && !cmd.codeSha256().equals(latest.code().sha256Base64())) {
            throw ThawException.invalidParameter("CodeSHA256 (" + cmd.codeSha256()
                    + ") is different from current CodeSHA256 in $LATEST (" + latest.code().sha256Base64()
                    + "). Please try again with the CodeSHA256 in $LATEST.");
        }
        requireRevision(latest.revisionId(), cmd.revisionId());
        Optional<FunctionVersion> newest = publishedVersions(name).stream().reduce((a, b) -> b);
        if (newest.isPresent() && newest.get().code().equals(latest.code())
                && sameSettings(newest.get().config(), latest.config())
                && newest.get().state().state() != VersionState.State.Failed) {
            return newest.get();
        }
        if (latest.config().isSnapStartEnabled()) {
            runtimes.requireSnapshotSupport(latest.config().runtime());
        }
        String number = Integer.toString(store.allocateVersionNumber(name));
        FunctionConfig config = cmd.description() == null ? latest.config()
                : latest.config().withDescription(cmd.description());
        VersionState state = config.isSnapStartEnabled()
                ? VersionState.pending("Lambda is creating a snapshot of the initialised function.", "Creating")
                : config.isAotCacheEnabled()
                ? VersionState.pending("Thaw is training the JDK AOT cache of this version.", "Creating")
                : VersionState.active();
        FunctionVersion published = new FunctionVersion(name, number, config, latest.code(), now(),
                UUID.randomUUID().toString(), state,
                FunctionVersion.SnapshotStatus.Off);
        store.putVersion(name, number, encode(published));
        listeners.forEach(l -> l.versionPublished(published));
        return published;
    }

    private static boolean sameSettings(FunctionConfig a, FunctionConfig b) {
        return a.withDescription("").equals(b.withDescription(""));
    }

    public Page<FunctionVersion> listVersions(String functionRef, String marker, int maxItems) {
        String name = unqualifiedName(functionRef);
        int after = -1;
        if (marker != null && !marker.isEmpty()) {
            after = FunctionVersion.LATEST.equals(marker) ? 0 : parseVersionMarker(marker);
        }
        List<FunctionVersion> rows = store.versions(name, after, maxItems + 1).stream().map(this::decodeVersion)
                .toList();
        boolean more = rows.size() > maxItems;
        List<FunctionVersion> page = more ? rows.subList(0, maxItems) : rows;
        return new Page<>(page, more ? page.getLast().version() : null);
    }

    private static int parseVersionMarker(String marker) {
        try {
            return Integer.parseInt(marker);
        } catch (NumberFormatException e) {
            throw ThawException.invalidParameter("Invalid Marker: " + marker);
        }
    }

    /** Records a published version's snapshot progress (Pending → Active or Failed, or Inactive). */
    public synchronized Optional<FunctionVersion> updateVersionState(String name, String version,
                                                                   FunctionVersion.SnapshotStatus snapshot,
                                                                   VersionState state) {
        Optional<FunctionVersion> current = store.version(name, version).map(this::decodeVersion);
        current.ifPresent(v -> store.putVersion(name, version, encode(v.withSnapshot(snapshot, state))));
        return current.map(v -> v.withSnapshot(snapshot, state));
    }

    /** Every stored version of every function, for reconciliation after a restart. */
    public List<FunctionVersion> allStoredVersions() {
        return store.allVersions().stream().map(this::decodeVersion).toList();
    }

    // --- aliases ------------------------------------------------------------------------------------------------

    public synchronized Alias createAlias(Commands.CreateAlias cmd) {
        String name = unqualifiedName(cmd.functionRef());
        requireAliasName(cmd.name());
        requireAliasTarget(name, cmd.functionVersion());
        Alias alias = new Alias(name, cmd.name(), cmd.functionVersion(), nz(cmd.description()),
                UUID.randomUUID().toString());
        if (!store.insertAlias(name, cmd.name(), encode(alias))) {
            throw ThawException.conflict("Alias already exists: " + arns.qualifiedArn(name, cmd.name()));
        }
        return alias;
    }

    public Alias getAlias(String functionRef, String aliasName) {
        String name = unqualifiedName(functionRef);
        return alias(name, aliasName);
    }

    public synchronized Alias updateAlias(Commands.UpdateAlias cmd) {
        String name = unqualifiedName(cmd.functionRef());
        Alias current = alias(name, cmd.name());
        requireRevision(current.revisionId(), cmd.revisionId());
        String target = or(cmd.functionVersion(), current.functionVersion());
        requireAliasTarget(name, target);
        Alias updated = new Alias(name, cmd.name(), target, or(cmd.description(), current.description()),
                UUID.randomUUID().toString());
        store.updateAlias(name, cmd.name(), encode(updated));
        return updated;
    }

    public synchronized void deleteAlias(String functionRef, String aliasName) {
        String name = unqualifiedName(functionRef);
        store.deleteAlias(name, aliasName);
    }

    public Page<Alias> listAliasesPage(String functionRef, String marker, int maxItems) {
        String name = unqualifiedName(functionRef);
        List<Alias> rows = listAliases(name, marker, maxItems + 1);
        boolean more = rows.size() > maxItems;
        List<Alias> page = more ? rows.subList(0, maxItems) : rows;
        return new Page<>(page, more ? page.getLast().name() : null);
    }

    private List<Alias> listAliases(String name, String marker, int limit) {
        return store.aliases(name, marker, limit).stream().map(d -> decode(d, Alias.class)).toList();
    }

    private Alias alias(String name, String aliasName) {
        return store.alias(name, aliasName).map(d -> decode(d, Alias.class))
                .orElseThrow(() -> ThawException.notFound("Cannot find alias arn: "
                        + arns.qualifiedArn(name, aliasName)));
    }

    private void requireAliasName(String aliasName) {
        if (aliasName == null || !ALIAS_NAME.matcher(aliasName).matches()) {
            throw ThawException.invalidParameter("Alias name '" + aliasName + "' must be 1-128 letters, digits, "
                    + "'-' or '_', and not only digits.");
        }
    }

    private void requireAliasTarget(String name, String version) {
        if (version == null || version.isEmpty()) {
            throw ThawException.invalidParameter("FunctionVersion is required.");
        }
        if (!VERSION.matcher(version).matches()) {
            throw ThawException.invalidParameter("1 validation error detected: Value '" + version
                    + "' at 'functionVersion' failed to satisfy constraint: Member must satisfy regular expression "
                    + "pattern: (\\$LATEST|[0-9]+)");
        }
        version(name, version);
    }

    // --- concurrency --------------------------------------------------------------------------------------------

    public synchronized int putReservedConcurrency(String functionRef, Integer value) {
        String name = unqualifiedName(functionRef);
        if (value == null || value < 0) {
            throw ThawException.invalidParameter("ReservedConcurrentExecutions must be a number >= 0.");
        }
        int provisioned = provisionedConcurrency(name);
        if (value < provisioned) {
            throw ThawException.invalidParameter("ReservedConcurrentExecutions " + value + " should not be lower "
                    + "than function's total provisioned concurrency [" + provisioned + "].");
        }
        // With a reservation, the function's provisioned copies come out of it instead of the unreserved pool.
        int othersReserved = store.totalReservedConcurrency(name) + provisionedOnUnreservedFunctions(name);
        if (othersReserved + value > accountConcurrency - unreservedMinimum) {
            throw ThawException.invalidParameter("Specified ReservedConcurrentExecutions for function decreases "
                    + "account's UnreservedConcurrentExecution below its minimum value of [" + unreservedMinimum
                    + "].");
        }
        store.setReservedConcurrency(name, value);
        return value;
    }

    public OptionalInt reservedConcurrency(String functionRef) {
        String name = unqualifiedName(functionRef);
        return store.reservedConcurrency(name);
    }

    public void deleteReservedConcurrency(String functionRef) {
        String name = unqualifiedName(functionRef);
        store.setReservedConcurrency(name, null);
    }

    /** What GetAccountSettings reports: the limits this platform enforces and what its functions use. */
    public record AccountSettings(int concurrentExecutions, int unreservedConcurrentExecutions, long totalCodeSize,
                                  int functionCount) {
    }

    public AccountSettings accountSettings() {
        List<FunctionVersion> all = allStoredVersions();
        long codeSize = all.stream().map(FunctionVersion::code).distinct().mapToLong(CodePackage::size).sum();
        int functions = (int) all.stream().map(FunctionVersion::functionName).distinct().count();
        // No function is named "": this is the reserved concurrency of all of them.
        int reserved = store.totalReservedConcurrency("");
        return new AccountSettings(accountConcurrency,
                accountConcurrency - reserved - provisionedOnUnreservedFunctions(""), codeSize, functions);
    }

    /** The provisioned concurrency of all of a function's versions and aliases. */
    public int provisionedConcurrency(String functionName) {
        return store.allProvisionedConcurrency().stream().filter(p -> p.functionName().equals(functionName))
                .mapToInt(StoredProvisionedConcurrency::requested).sum();
    }

    /**
     * The provisioned concurrency of functions without reserved concurrency, except {@code exceptFunction}: as on
     * Lambda, it is taken from the unreserved pool, while a reserved function's comes out of its reservation.
     */
    public int provisionedOnUnreservedFunctions(String exceptFunction) {
        return store.allProvisionedConcurrency().stream()
                .filter(p -> !p.functionName().equals(exceptFunction))
                .filter(p -> store.reservedConcurrency(p.functionName()).isEmpty())
                .mapToInt(StoredProvisionedConcurrency::requested).sum();
    }

    public int accountConcurrency() {
        return accountConcurrency;
    }

    public int unreservedMinimum() {
        return unreservedMinimum;
    }

    /**
     * Put/GetFunctionRecursionConfig: stored and returned ("Terminate" until set). Thaw does not detect recursive
     * loops, so the setting has no effect.
     */
    public String recursiveLoop(String functionRef) {
        return store.recursiveLoop(unqualifiedName(functionRef)).orElse("Terminate");
    }

    public String putRecursiveLoop(String functionRef, String value) {
        String name = unqualifiedName(functionRef);
        if (!"Allow".equals(value) && !"Terminate".equals(value)) {
            throw ThawException.invalidParameter("1 validation error detected: Value '" + value + "' at "
                    + "'recursiveLoop' failed to satisfy constraint: Member must satisfy enum value set: "
                    + "[Terminate, Allow]");
        }
        store.putRecursiveLoop(name, value);
        return value;
    }

    // --- invoke routing -----------------------------------------------------------------------------------------

    /** Resolves a function reference and qualifier to the version that will run. */
    public Invocable resolveForInvoke(String functionRef, String qualifier) {
        Arns.FunctionRef ref = arns.parse(functionRef);
        requireFunction(ref.name());
        String q = ref.qualifier(qualifier).orElse(FunctionVersion.LATEST);
        FunctionVersion v = version(ref.name(), resolveQualifier(ref.name(), q));
        String invokedArn = ref.qualifier(qualifier).isPresent() ? arns.qualifiedArn(ref.name(), q)
                : arns.functionArn(ref.name());
        return new Invocable(v, invokedArn);
    }

    private String resolveQualifier(String name, String qualifier) {
        if (FunctionVersion.LATEST.equals(qualifier) || qualifier.chars().allMatch(Character::isDigit)) {
            return qualifier;
        }
        return alias(name, qualifier).functionVersion();
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    private String unqualifiedName(String functionRef) {
        Arns.FunctionRef ref = arns.parse(functionRef);
        requireFunction(ref.name());
        return ref.name();
    }

    private void requireFunction(String name) {
        if (!store.functionExists(name)) {
            throw ThawException.notFound("Function not found: " + arns.functionArn(name));
        }
    }

    public FunctionVersion version(String name, String version) {
        return store.version(name, version).map(this::decodeVersion)
                .orElseThrow(() -> ThawException.notFound("Function not found: "
                        + (FunctionVersion.LATEST.equals(version) ? arns.functionArn(name)
                        : arns.qualifiedArn(name, version))));
    }

    private List<FunctionVersion> allVersions(String name) {
        return store.versions(name, -1, Integer.MAX_VALUE).stream().map(this::decodeVersion).toList();
    }

    private List<FunctionVersion> publishedVersions(String name) {
        return store.versions(name, 0, Integer.MAX_VALUE).stream().map(this::decodeVersion).toList();
    }

    private static void requireRevision(String actual, String expected) {
        if (expected != null && !expected.isEmpty() && !expected.equals(actual)) {
            throw new ThawException(ErrorCode.PRECONDITION_FAILED, "The Revision Id provided does not match the "
                    + "latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
        }
    }

    private void validate(FunctionConfig c) {
        if (c.runtime() == null || !Runtimes.ALL.contains(c.runtime())) {
            throw ThawException.invalidParameter("Value " + c.runtime() + " at 'runtime' failed to satisfy "
                    + "constraint: Member must satisfy enum value set: " + Runtimes.ALL);
        }
        runtimes.requireAvailable(c.runtime());
        if (c.handler() == null || c.handler().isBlank() || c.handler().length() > 128
                || c.handler().chars().anyMatch(Character::isWhitespace)) {
            throw ThawException.invalidParameter("Handler is required: 1-128 characters without whitespace, "
                    + "e.g. example.Hello::handleRequest.");
        }
        if (c.memorySize() < 128 || c.memorySize() > 10240) {
            throw ThawException.invalidParameter("1 validation error detected: Value '" + c.memorySize()
                    + "' at 'memorySize' failed to satisfy constraint: Member must have value between 128 and 10240");
        }
        if (c.timeout() < 1 || c.timeout() > 900) {
            throw ThawException.invalidParameter("1 validation error detected: Value '" + c.timeout()
                    + "' at 'timeout' failed to satisfy constraint: Member must have value between 1 and 900");
        }
        if (c.ephemeralStorage() < 512 || c.ephemeralStorage() > 10240) {
            throw ThawException.invalidParameter("EphemeralStorage.Size must be between 512 and 10240 MB, got "
                    + c.ephemeralStorage());
        }
        if (c.description() != null && c.description().length() > 256) {
            throw ThawException.invalidParameter("Description must be at most 256 characters.");
        }
        validateEnvironment(c.environment());
        if (c.isSnapStartEnabled()) {
            if (Runtimes.isCustom(c.runtime())) {
                throw ThawException.invalidParameter("SnapStart is supported only for the managed Java runtimes "
                        + Runtimes.JAVA + ": a custom runtime's Runtime API connection cannot survive a snapshot.");
            }
            runtimes.requireSnapshotSupport(c.runtime());
        }
        if (c.isAotCacheEnabled()) {
            if (!"java25".equals(c.runtime())) {
                throw ThawException.invalidParameter(FunctionConfig.AOT_CACHE_VARIABLE + "=on needs Runtime java25 "
                        + "(the JDK AOT cache of JEP 483, 514 and 515), not " + c.runtime() + ".");
            }
            if (c.isSnapStartEnabled()) {
                throw ThawException.invalidParameter("Choose SnapStart or " + FunctionConfig.AOT_CACHE_VARIABLE
                        + "=on, not both: a snapshot already holds every loaded class.");
            }
        }
    }

    private static void validateEnvironment(Map<String, String> env) {
        int size = 0;
        List<String> reserved = new ArrayList<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!ENV_KEY.matcher(e.getKey()).matches()) {
                throw ThawException.invalidParameter("Environment variable name '" + e.getKey()
                        + "' must start with a letter and contain only letters, digits and '_' (at least 2).");
            }
            if (RESERVED_ENV_KEYS.contains(e.getKey())) {
                reserved.add(e.getKey());
            }
            String value = Objects.requireNonNullElse(e.getValue(), "");
            if (value.indexOf('\0') >= 0) {
                throw ThawException.invalidParameter("The value of environment variable " + e.getKey()
                        + " contains a NUL character, which no process environment can hold.");
            }
            // AWS counts the 4 KB in UTF-8 bytes, not characters.
            size += e.getKey().getBytes(StandardCharsets.UTF_8).length + value.getBytes(StandardCharsets.UTF_8).length;
        }
        if (!reserved.isEmpty()) {
            throw ThawException.invalidParameter("Lambda was unable to configure your environment variables because "
                    + "the environment variables you have provided contains reserved keys that are currently not "
                    + "supported for modification. Reserved keys used in this request: " + String.join(", ", reserved));
        }
        if (size > 4096) {
            throw ThawException.invalidParameter("Lambda was unable to configure your environment variables because "
                    + "the environment variables you have provided exceeded the 4KB limit.");
        }
    }

    private String now() {
        return LAST_MODIFIED.format(clock.instant());
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static String encode(Object record) {
        try {
            return DOCUMENTS.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Decoded documents by their text: the invoke path reads the same version document again and again. */
    private final java.util.concurrent.ConcurrentHashMap<String, FunctionVersion> decoded =
            new java.util.concurrent.ConcurrentHashMap<>();

    private FunctionVersion decodeVersion(String document) {
        FunctionVersion v = decoded.get(document);
        if (v == null) {
            if (decoded.size() > 4096) {
                decoded.clear();
            }
            v = decode(document, FunctionVersion.class);
            decoded.put(document, v);
        }
        return v;
    }

    private static <T> T decode(String document, Class<T> type) {
        try {
            return DOCUMENTS.readValue(document, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt metadata document", e);
        }
    }
}
