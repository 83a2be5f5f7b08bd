package dev.thaw.layers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thaw.errors.ThawException;
import dev.thaw.functions.CodePackage;
import dev.thaw.functions.CodeStore;
import dev.thaw.functions.FunctionLayer;
import dev.thaw.functions.LayerCatalog;
import dev.thaw.functions.Runtimes;
import dev.thaw.store.MetadataStore;

import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/** Publishes, finds, lists and deletes layer versions, and resolves the {@code Layers} a function names. */
public final class Layers implements LayerCatalog {
    private static final DateTimeFormatter CREATED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);
    private static final ObjectMapper DOCUMENTS = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final Set<String> ARCHITECTURES = Set.of("x86_64", "arm64");

    private final MetadataStore store;
    private final CodeStore content;
    private final String region;
    private final String accountId;
    private final Clock clock;
    private final LayerVersionPolicies policies;

    public Layers(MetadataStore store, CodeStore content, String region, String accountId, Clock clock) {
        this.store = store;
        this.content = content;
        this.region = region;
        this.accountId = accountId;
        this.clock = clock;
        this.policies = new LayerVersionPolicies(this, store);
    }

    /** The layer versions' resource-based policies. */
    public LayerVersionPolicies policies() {
        return policies;
    }

    /** Where layer contents are stored (their extracted trees are what environments see under /opt). */
    public CodeStore content() {
        return content;
    }

    public record Publish(String layerName, String description, String licenseInfo, List<String> compatibleRuntimes,
                          List<String> compatibleArchitectures, byte[] zip) {
    }

    public LayerVersion publish(Publish cmd) {
        String name = layerName(cmd.layerName());
        if (cmd.zip() == null || cmd.zip().length == 0) {
            throw ThawException.invalidParameter("Content.ZipFile is required: a base64 zip of the layer.");
        }
        if (cmd.description() != null && cmd.description().length() > 256) {
            throw ThawException.invalidParameter("Description must be at most 256 characters.");
        }
        if (cmd.licenseInfo() != null && cmd.licenseInfo().length() > 512) {
            throw ThawException.invalidParameter("LicenseInfo must be at most 512 characters.");
        }
        List<String> runtimes = cmd.compatibleRuntimes() == null ? List.of() : cmd.compatibleRuntimes();
        // Any Lambda runtime name is accepted (a layer may serve runtimes this platform lacks); it only filters lists.
        if (runtimes.size() > 15 || !runtimes.stream().allMatch(r -> r.matches("[a-z][a-z0-9.]{0,39}"))) {
            throw ThawException.invalidParameter("CompatibleRuntimes must be at most 15 runtime names, such as "
                    + Runtimes.ALL + ": " + runtimes);
        }
        List<String> architectures = cmd.compatibleArchitectures() == null ? List.of()
                : cmd.compatibleArchitectures();
        if (architectures.size() > 2 || !ARCHITECTURES.containsAll(architectures)) {
            throw ThawException.invalidParameter("CompatibleArchitectures must be at most 2 of " + ARCHITECTURES
                    + ": " + architectures);
        }
        synchronized (content) {
            CodePackage stored = content.store(cmd.zip());
            long version = store.allocateLayerVersion(name);
            LayerVersion published = new LayerVersion(name, version, nz(cmd.description()), cmd.licenseInfo(),
                    runtimes, architectures, CREATED.format(clock.instant()), stored);
            store.insertLayerVersion(name, version, encode(published));
            return published;
        }
    }

    /** GetLayerVersion: by the path's name (or layer ARN) and number. */
    public LayerVersion get(String layerNameOrArn, long version) {
        String name = layerName(layerNameOrArn);
        return find(name, version).orElseThrow(() -> ThawException.notFound("The resource you requested does not "
                + "exist. (Layer version " + arn(name, version) + ")"));
    }

    /** GetLayerVersionByArn. */
    public LayerVersion getByArn(String layerVersionArn) {
        LayerVersionArn arn = LayerVersionArn.parse(layerVersionArn);
        return ofThisAccount(arn).flatMap(a -> find(a.layerName(), a.version()))
                .orElseThrow(() -> ThawException.notFound("The resource you requested does not exist. (Layer "
                        + "version " + layerVersionArn + ")"));
    }

    /**
     * DeleteLayerVersion: idempotent, as on Lambda. The content stays while {@code contentInUse} says a function
     * still runs it, or another layer version has the same bytes.
     */
    public void delete(String layerNameOrArn, long version, Predicate<String> contentInUse) {
        String name = layerName(layerNameOrArn);
        synchronized (content) {
            Optional<LayerVersion> deleted = find(name, version);
            if (deleted.isEmpty() || !store.deleteLayerVersion(name, version)) {
                return;
            }
            String sha = deleted.get().content().sha256Hex();
            boolean inUse = contentInUse.test(sha) || store.allLayerVersions().stream().map(Layers::decode)
                    .anyMatch(v -> v.content().sha256Hex().equals(sha));
            content.deleteUnless(sha, inUse);
        }
    }

    public record Page<T>(List<T> items, String nextMarker) {
    }

    /** ListLayerVersions: newest first, only those compatible with the filters when given. */
    public Page<LayerVersion> listVersions(String layerNameOrArn, String runtime, String architecture, String marker,
                                           int maxItems) {
        String name = layerName(layerNameOrArn);
        long before = Long.MAX_VALUE;
        if (marker != null && !marker.isEmpty()) {
            try {
                before = Long.parseLong(marker);
            } catch (NumberFormatException e) {
                throw ThawException.invalidParameter("Invalid Marker: " + marker);
            }
        }
        List<LayerVersion> matching = new ArrayList<>();
        for (String doc : store.layerVersions(name, before, Integer.MAX_VALUE)) {
            LayerVersion v = decode(doc);
            if (matches(v, runtime, architecture)) {
                matching.add(v);
                if (matching.size() > maxItems) {
                    break;
                }
            }
        }
        boolean more = matching.size() > maxItems;
        List<LayerVersion> page = more ? matching.subList(0, maxItems) : matching;
        return new Page<>(List.copyOf(page), more ? Long.toString(page.getLast().version()) : null);
    }

    /** ListLayers: each layer with its newest version that matches the filters; layers with none are left out. */
    public Page<LayerVersion> listLayers(String runtime, String architecture, String marker, int maxItems) {
        List<LayerVersion> latest = new ArrayList<>();
        String after = marker == null || marker.isEmpty() ? null : marker;
        boolean more = false;
        while (!more) {
            List<String> names = store.layerNames(after, 50);
            if (names.isEmpty()) {
                break;
            }
            for (String name : names) {
                after = name;
                Optional<LayerVersion> newest = listVersions(name, runtime, architecture, null, 1).items().stream()
                        .findFirst();
                if (newest.isPresent()) {
                    if (latest.size() == maxItems) {
                        more = true;
                        break;
                    }
                    latest.add(newest.get());
                }
            }
        }
        return new Page<>(List.copyOf(latest), more ? latest.getLast().layerName() : null);
    }

    @Override
    public void ensureContent(String sha256Hex) {
        content.ensure(sha256Hex);
    }

    @Override
    public List<FunctionLayer> resolve(List<String> layerVersionArns) {
        if (layerVersionArns == null || layerVersionArns.isEmpty()) {
            return List.of();
        }
        if (layerVersionArns.size() > MAX_LAYERS) {
            throw ThawException.invalidParameter("Cannot reference more than " + MAX_LAYERS + " layers: "
                    + layerVersionArns.size() + " given.");
        }
        Set<String> names = new HashSet<>();
        List<FunctionLayer> resolved = new ArrayList<>();
        for (String raw : layerVersionArns) {
            LayerVersionArn arn = LayerVersionArn.parse(raw);
            if (!names.add(arn.layerArn())) {
                throw ThawException.invalidParameter("Two different versions of the same layer are not allowed: "
                        + arn.layerArn());
            }
            LayerVersion v = ofThisAccount(arn).flatMap(a -> find(a.layerName(), a.version()))
                    .orElseThrow(() -> ThawException.invalidParameter("Layer version " + raw + " does not exist."));
            resolved.add(new FunctionLayer(arn.toString(), v.content().size(), v.content().sha256Hex()));
        }
        return List.copyOf(resolved);
    }

    public String arn(String layerName, long version) {
        return LayerVersionArn.layerArn(region, accountId, layerName) + ":" + version;
    }

    public String layerArn(String layerName) {
        return LayerVersionArn.layerArn(region, accountId, layerName);
    }

    private Optional<LayerVersionArn> ofThisAccount(LayerVersionArn arn) {
        return arn.region().equals(region) && arn.accountId().equals(accountId) ? Optional.of(arn) : Optional.empty();
    }

    private Optional<LayerVersion> find(String name, long version) {
        return store.layerVersion(name, version).map(Layers::decode);
    }

    private String layerName(String raw) {
        return LayerVersionArn.layerName(raw, region, accountId);
    }

    private static boolean matches(LayerVersion v, String runtime, String architecture) {
        return (runtime == null || v.compatibleRuntimes().contains(runtime))
                && (architecture == null || v.compatibleArchitectures().contains(architecture));
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static String encode(LayerVersion v) {
        try {
            return DOCUMENTS.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static LayerVersion decode(String document) {
        try {
            return DOCUMENTS.readValue(document, LayerVersion.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt layer version document", e);
        }
    }
}
