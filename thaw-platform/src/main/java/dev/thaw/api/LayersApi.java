package dev.thaw.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.errors.ThawException;
import dev.thaw.functions.FunctionService;
import dev.thaw.layers.LayerVersion;
import dev.thaw.layers.LayerVersionPolicies;
import dev.thaw.layers.Layers;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiFunction;

/**
 * Lambda's layers API: PublishLayerVersion, GetLayerVersion, GetLayerVersionByArn, ListLayers, ListLayerVersions and
 * DeleteLayerVersion, the layer-version permission calls (AddLayerVersionPermission, GetLayerVersionPolicy,
 * RemoveLayerVersionPermission), plus the download behind {@code Content.Location}.
 */
final class LayersApi {
    private static final String LAYERS = "/2018-10-31/layers";
    static final String CODE = PlatformApi.BASE + "/layer-code";

    private final Layers layers;
    private final FunctionService functions;
    private final BodyReader bodies;
    private final BiFunction<ServerRequest, String, String> location;

    /** @param location the URL a client downloads a path of this server from (presigned when requests are signed) */
    LayersApi(Layers layers, FunctionService functions, BodyReader bodies,
              BiFunction<ServerRequest, String, String> location) {
        this.layers = layers;
        this.functions = functions;
        this.bodies = bodies;
        this.location = location;
    }

    void routes(HttpRouting.Builder r) {
        r.get(LAYERS, this::listLayersOrFind)
                .get(LAYERS + "/", this::listLayersOrFind)
                .post(LAYERS + "/{layer}/versions", this::publish)
                .get(LAYERS + "/{layer}/versions", this::listVersions)
                .get(LAYERS + "/{layer}/versions/{version}", this::get)
                .delete(LAYERS + "/{layer}/versions/{version}", this::delete)
                .post(LAYERS + "/{layer}/versions/{version}/policy", this::addPermission)
                .get(LAYERS + "/{layer}/versions/{version}/policy", this::getPolicy)
                .delete(LAYERS + "/{layer}/versions/{version}/policy/{sid}", this::removePermission)
                .get(CODE + "/{file}", this::download);
    }

    private void publish(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(bodies.read(req, ControlApi.MAX_CONTROL_BODY, "PublishLayerVersion"));
        byte[] zip = ControlApi.zipFile(Json.object(body, "Content").orElseThrow(() ->
                ThawException.invalidParameter("Content is required.")), layers.content().objects());
        LayerVersion v = layers.publish(new Layers.Publish(Http.pathParam(req, "layer"),
                Json.text(body, "Description").orElse(null), Json.text(body, "LicenseInfo").orElse(null),
                ControlApi.strings(body, "CompatibleRuntimes"), ControlApi.strings(body, "CompatibleArchitectures"),
                zip));
        Http.json(res, 201, full(req, v));
    }

    private void get(ServerRequest req, ServerResponse res) {
        Http.json(res, 200, full(req, layers.get(Http.pathParam(req, "layer"), versionNumber(req))));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        layers.delete(Http.pathParam(req, "layer"), versionNumber(req), functions::usesLayerContent);
        Http.noContent(res);
    }

    private void addPermission(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(bodies.read(req, ControlApi.MAX_CONTROL_BODY, "AddLayerVersionPermission"));
        LayerVersionPolicies.Added added = layers.policies().add(Http.pathParam(req, "layer"), versionNumber(req),
                new LayerVersionPolicies.Grant(Json.text(body, "StatementId").orElse(null),
                        Json.text(body, "Action").orElse(null), Json.text(body, "Principal").orElse(null),
                        Json.text(body, "OrganizationId").orElse(null), Http.query(req, "RevisionId").orElse(null)));
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("Statement", added.statement());
        out.put("RevisionId", added.revisionId());
        Http.json(res, 201, out);
    }

    private void getPolicy(ServerRequest req, ServerResponse res) {
        LayerVersionPolicies.Policy policy = layers.policies().policy(Http.pathParam(req, "layer"),
                versionNumber(req));
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("Policy", policy.document());
        out.put("RevisionId", policy.revisionId());
        Http.json(res, 200, out);
    }

    private void removePermission(ServerRequest req, ServerResponse res) {
        layers.policies().remove(Http.pathParam(req, "layer"), versionNumber(req), Http.pathParam(req, "sid"),
                Http.query(req, "RevisionId").orElse(null));
        Http.noContent(res);
    }

    private void listLayersOrFind(ServerRequest req, ServerResponse res) {
        if (Http.query(req, "find").isPresent()) {
            if (!Http.query(req, "find").get().equals("LayerVersion")) {
                throw ThawException.invalidParameter("find must be LayerVersion.");
            }
            String arn = Http.query(req, "Arn").orElseThrow(() -> ThawException.invalidParameter("Arn is required."));
            Http.json(res, 200, full(req, layers.getByArn(arn)));
            return;
        }
        Layers.Page<LayerVersion> page = layers.listLayers(Http.query(req, "CompatibleRuntime").orElse(null),
                Http.query(req, "CompatibleArchitecture").orElse(null), Http.query(req, "Marker").orElse(null),
                Http.maxItems(req, 50));
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode items = out.putArray("Layers");
        for (LayerVersion v : page.items()) {
            ObjectNode layer = items.addObject();
            layer.put("LayerName", v.layerName());
            layer.put("LayerArn", layers.layerArn(v.layerName()));
            layer.set("LatestMatchingVersion", listItem(v));
        }
        if (page.nextMarker() != null) {
            out.put("NextMarker", page.nextMarker());
        }
        Http.json(res, 200, out);
    }

    private void listVersions(ServerRequest req, ServerResponse res) {
        Layers.Page<LayerVersion> page = layers.listVersions(Http.pathParam(req, "layer"),
                Http.query(req, "CompatibleRuntime").orElse(null),
                Http.query(req, "CompatibleArchitecture").orElse(null), Http.query(req, "Marker").orElse(null),
                Http.maxItems(req, 50));
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode items = out.putArray("LayerVersions");
        page.items().forEach(v -> items.add(listItem(v)));
        if (page.nextMarker() != null) {
            out.put("NextMarker", page.nextMarker());
        }
        Http.json(res, 200, out);
    }

    private void download(ServerRequest req, ServerResponse res) {
        String file = Http.pathParam(req, "file");
        if (!file.matches("[0-9a-f]{64}\\.zip")) {
            throw ThawException.notFound("No such layer archive: " + file);
        }
        Path archive = layers.content().archivePath(file.substring(0, 64));
        PlatformApi.fetchQuietly(layers.content(), file.substring(0, 64));
        try {
            byte[] bytes = Files.readAllBytes(archive);
            res.header(HeaderNames.CONTENT_TYPE, "application/zip");
            res.send(bytes);
        } catch (java.nio.file.NoSuchFileException e) {
            throw ThawException.notFound("No such layer archive: " + file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GetLayerVersion's and PublishLayerVersion's shape. */
    private ObjectNode full(ServerRequest req, LayerVersion v) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        ObjectNode content = o.putObject("Content");
        content.put("Location", location.apply(req, CODE + "/" + v.content().sha256Hex() + ".zip"));
        content.put("CodeSha256", v.content().sha256Base64());
        content.put("CodeSize", v.content().size());
        o.put("LayerArn", layers.layerArn(v.layerName()));
        common(o, v);
        return o;
    }

    /** LayerVersionsListItem: a version without its content. */
    private ObjectNode listItem(LayerVersion v) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        common(o, v);
        return o;
    }

    private void common(ObjectNode o, LayerVersion v) {
        o.put("LayerVersionArn", layers.arn(v.layerName(), v.version()));
        o.put("Version", v.version());
        o.put("Description", v.description());
        o.put("CreatedDate", v.createdDate());
        if (!v.compatibleRuntimes().isEmpty()) {
            v.compatibleRuntimes().forEach(o.putArray("CompatibleRuntimes")::add);
        }
        if (!v.compatibleArchitectures().isEmpty()) {
            v.compatibleArchitectures().forEach(o.putArray("CompatibleArchitectures")::add);
        }
        if (v.licenseInfo() != null) {
            o.put("LicenseInfo", v.licenseInfo());
        }
    }

    private static long versionNumber(ServerRequest req) {
        String raw = Http.pathParam(req, "version");
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ThawException.invalidParameter("1 validation error detected: Value '" + raw + "' at "
                    + "'versionNumber' failed to satisfy constraint: Member must be a number.");
        }
    }
}
