package dev.thaw.urls;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thaw.errors.ThawException;
import dev.thaw.functions.Arns;
import dev.thaw.functions.FunctionService;
import dev.thaw.store.MetadataStore;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;

/**
 * Create, get, update, delete and list Function URL configurations, validated as Lambda validates them and kept in
 * the metadata store; and the url-id lookup a request starts from.
 */
public final class FunctionUrls {
    /** Lambda's qualifier pattern for URLs: an alias name, never a version number or $LATEST. */
    private static final Pattern ALIAS_QUALIFIER = Pattern.compile("(?!^\\d+$)[0-9a-zA-Z_-]{1,128}");
    private static final Pattern URL_ID = Pattern.compile("[a-z0-9]{32}");
    private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final ObjectMapper DOCUMENTS = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    public static final String BUFFERED = "BUFFERED";

    private final FunctionService functions;
    private final MetadataStore store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private volatile IntSupplier port = () -> 0;

    public FunctionUrls(FunctionService functions, MetadataStore store, Clock clock) {
        this.functions = functions;
        this.store = store;
        this.clock = clock;
    }

    /** The URL listener's port, known once it listens; it is part of every FunctionUrl. */
    public void servedOn(IntSupplier listenerPort) {
        this.port = listenerPort;
    }

    public Arns arns() {
        return functions.arns();
    }

    public FunctionUrlConfig create(String functionRef, String qualifier, AuthType authType, Cors cors,
                                    String invokeMode) {
        Target t = target(functionRef, qualifier);
        requireAuthType(authType);
        validate(cors);
        String mode = invokeMode(invokeMode);
        String now = TIMESTAMP.format(clock.instant());
        FunctionUrlConfig config = new FunctionUrlConfig(newUrlId(), t.name, t.qualifier, authType, cors, mode, now,
                now);
        if (!store.insertFunctionUrl(config.urlId(), t.name, t.qualifier, encode(config))) {
            throw ThawException.conflict("Failed to create function url config for [functionArn = "
                    + functionArn(config) + "]. Error message:  FunctionUrlConfig exists for this Lambda function");
        }
        return config;
    }

    public FunctionUrlConfig get(String functionRef, String qualifier) {
        Target t = target(functionRef, qualifier);
        return store.functionUrl(t.name, t.qualifier).map(FunctionUrls::decode).orElseThrow(FunctionUrls::missing);
    }

    /** Replaces what the caller gave (the whole Cors when given) and keeps the rest. */
    public synchronized FunctionUrlConfig update(String functionRef, String qualifier, AuthType authType, Cors cors,
                                                 String invokeMode) {
        FunctionUrlConfig current = get(functionRef, qualifier);
        validate(cors);
        FunctionUrlConfig updated = new FunctionUrlConfig(current.urlId(), current.functionName(),
                current.qualifier(), authType != null ? authType : current.authType(),
                cors != null ? cors : current.cors(),
                invokeMode != null ? invokeMode(invokeMode) : current.invokeMode(), current.creationTime(),
                TIMESTAMP.format(clock.instant()));
        store.updateFunctionUrl(current.urlId(), encode(updated));
        return updated;
    }

    public void delete(String functionRef, String qualifier) {
        Target t = target(functionRef, qualifier);
        if (!store.deleteFunctionUrl(t.name, t.qualifier)) {
            throw missing();
        }
    }

    /** One page of a function's URLs (its own and its aliases'), after the marker. */
    public FunctionService.Page<FunctionUrlConfig> list(String functionRef, String marker, int maxItems) {
        String name = target(functionRef, null).name;
        List<FunctionUrlConfig> rows = store.functionUrls(name, marker, maxItems + 1).stream()
                .map(FunctionUrls::decode).toList();
        boolean more = rows.size() > maxItems;
        List<FunctionUrlConfig> page = more ? rows.subList(0, maxItems) : rows;
        return new FunctionService.Page<>(page, more ? page.getLast().urlId() : null);
    }

    /** The configuration a request's url-id names, if any. */
    public Optional<FunctionUrlConfig> byUrlId(String urlId) {
        if (urlId == null || !URL_ID.matcher(urlId).matches()) {
            return Optional.empty();
        }
        return store.functionUrlById(urlId).map(FunctionUrls::decode);
    }

    public static boolean isUrlId(String candidate) {
        return URL_ID.matcher(candidate).matches();
    }

    public String functionUrl(FunctionUrlConfig config) {
        return "http://" + domainName(config.urlId()) + ":" + port.getAsInt() + "/";
    }

    /** The host name of a URL, as its FunctionUrl spells it (without the port). */
    public String domainName(String urlId) {
        return urlId + ".lambda-url." + functions.arns().region() + ".localhost";
    }

    public String functionArn(FunctionUrlConfig config) {
        return config.isQualified() ? arns().qualifiedArn(config.functionName(), config.qualifier())
                : arns().functionArn(config.functionName());
    }

    // --- validation ---------------------------------------------------------------------------------------------

    private record Target(String name, String qualifier) {
    }

    /** The function (which must exist) and the alias (which must exist, or "" for none) a call names. */
    private Target target(String functionRef, String explicitQualifier) {
        Arns.FunctionRef ref = functions.arns().parse(functionRef);
        Optional<String> q = ref.qualifier(explicitQualifier);
        functions.get(ref.name(), null);
        if (q.isEmpty()) {
            return new Target(ref.name(), "");
        }
        if (!ALIAS_QUALIFIER.matcher(q.get()).matches()) {
            throw ThawException.invalidParameter("1 validation error detected: Value '" + q.get()
                    + "' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression "
                    + "pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)");
        }
        functions.getAlias(ref.name(), q.get());
        return new Target(ref.name(), q.get());
    }

    private static void requireAuthType(AuthType authType) {
        if (authType == null) {
            throw ThawException.invalidParameter("1 validation error detected: Value null at 'authType' failed to "
                    + "satisfy constraint: Member must not be null");
        }
    }

    private static String invokeMode(String mode) {
        if (mode == null || mode.equals(BUFFERED)) {
            return BUFFERED;
        }
        if (mode.equals("RESPONSE_STREAM")) {
            throw ThawException.invalidParameter("InvokeMode RESPONSE_STREAM is not supported: Thaw answers "
                    + "Function URLs with the whole response (BUFFERED).");
        }
        throw ThawException.invalidParameter("1 validation error detected: Value '" + mode + "' at 'invokeMode' "
                + "failed to satisfy constraint: Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]");
    }

    private static void validate(Cors cors) {
        if (cors == null) {
            return;
        }
        requireList("cors.allowHeaders", cors.allowHeaders(), 100, 1024);
        requireList("cors.allowMethods", cors.allowMethods(), 6, 6);
        requireList("cors.allowOrigins", cors.allowOrigins(), 100, 253);
        requireList("cors.exposeHeaders", cors.exposeHeaders(), 100, 1024);
        if (cors.maxAge() != null && (cors.maxAge() < 0 || cors.maxAge() > 86400)) {
            throw ThawException.invalidParameter("1 validation error detected: Value '" + cors.maxAge()
                    + "' at 'cors.maxAge' failed to satisfy constraint: Member must have value less than or equal "
                    + "to 86400");
        }
    }

    private static void requireList(String field, List<String> values, int maxItems, int maxLength) {
        if (values == null) {
            return;
        }
        if (values.size() > maxItems) {
            throw ThawException.invalidParameter("1 validation error detected: Value at '" + field
                    + "' failed to satisfy constraint: Member must have length less than or equal to " + maxItems);
        }
        for (String v : values) {
            if (v == null || v.isEmpty() || v.length() > maxLength) {
                throw ThawException.invalidParameter("1 validation error detected: Value '" + v + "' at '" + field
                        + "' failed to satisfy constraint: Member must have length between 1 and " + maxLength);
            }
        }
    }

    private String newUrlId() {
        StringBuilder id = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            id.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
        }
        return id.toString();
    }

    private static ThawException missing() {
        return ThawException.notFound("The resource you requested does not exist.");
    }

    private static String encode(FunctionUrlConfig config) {
        try {
            return DOCUMENTS.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static FunctionUrlConfig decode(String document) {
        try {
            return DOCUMENTS.readValue(document, FunctionUrlConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt function URL document", e);
        }
    }
}
