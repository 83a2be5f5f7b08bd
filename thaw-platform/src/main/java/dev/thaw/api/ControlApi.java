package dev.thaw.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.errors.ThawException;
import dev.thaw.functions.Alias;
import dev.thaw.functions.Commands;
import dev.thaw.functions.FunctionConfig;
import dev.thaw.functions.FunctionService;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.functions.InertSettings;
import dev.thaw.functions.LoggingConfig;
import dev.thaw.functions.SnapStartMode;
import dev.thaw.objects.ObjectStore;
import dev.thaw.tags.Tags;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.BiFunction;

/** Lambda's control API: functions, versions, aliases and reserved concurrency. */
final class ControlApi {
    private static final String FUNCTIONS = "/2015-03-31/functions";
    /** A base64 ZipFile of 50 MB plus the JSON around it. */
    static final int MAX_CONTROL_BODY = 70 * 1024 * 1024;

    private final FunctionService functions;
    private final BodyReader bodies;
    private final BiFunction<ServerRequest, String, String> codeLocation;
    private final Tags tags;

    ControlApi(FunctionService functions, BodyReader bodies, BiFunction<ServerRequest, String, String> codeLocation,
               Tags tags) {
        this.bodies = bodies;
        this.tags = tags;
        this.functions = functions;
        this.codeLocation = codeLocation;
    }

    void routes(HttpRouting.Builder r) {
        r.post(FUNCTIONS, this::createFunction)
                .post(FUNCTIONS + "/", this::createFunction)
                .get(FUNCTIONS, this::listFunctions)
                .get(FUNCTIONS + "/", this::listFunctions)
                .get(FUNCTIONS + "/{name}", this::getFunction)
                .delete(FUNCTIONS + "/{name}", this::deleteFunction)
                .get(FUNCTIONS + "/{name}/configuration", this::getConfiguration)
                .put(FUNCTIONS + "/{name}/configuration", this::updateConfiguration)
                .put(FUNCTIONS + "/{name}/code", this::updateCode)
                .post(FUNCTIONS + "/{name}/versions", this::publishVersion)
                .get(FUNCTIONS + "/{name}/versions", this::listVersions)
                .post(FUNCTIONS + "/{name}/aliases", this::createAlias)
                .get(FUNCTIONS + "/{name}/aliases", this::listAliases)
                .get(FUNCTIONS + "/{name}/aliases/{alias}", this::getAlias)
                .put(FUNCTIONS + "/{name}/aliases/{alias}", this::updateAlias)
                .delete(FUNCTIONS + "/{name}/aliases/{alias}", this::deleteAlias)
                .put("/2017-10-31/functions/{name}/concurrency", this::putConcurrency)
                .delete("/2017-10-31/functions/{name}/concurrency", this::deleteConcurrency)
                .get("/2019-09-30/functions/{name}/concurrency", this::getConcurrency);
    }

    private void createFunction(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(bodies.read(req, MAX_CONTROL_BODY, "CreateFunction"));
        String name = Json.requiredText(body, "FunctionName");
        if (Json.text(body, "PackageType").filter(t -> !t.equals("Zip")).isPresent()) {
            throw ThawException.invalidParameter("Only PackageType Zip is supported.");
        }
        FunctionConfig config = new FunctionConfig(
                Json.requiredText(body, "Runtime"),
                Json.requiredText(body, "Handler"),
                Json.text(body, "Role").orElse(""),
                Json.text(body, "Description").orElse(""),
                Json.integer(body, "MemorySize").orElse(128),
                Json.integer(body, "Timeout").orElse(3),
                ephemeralStorage(body).orElse(512),
                environment(body).orElse(Map.of()),
                snapStart(body).orElse(SnapStartMode.NONE),
                InertSettings.NONE.with(inertSettings(body)), List.of(),
                LoggingConfig.TEXT_LOGS.with(loggingConfig(body)));
        byte[] zip = zipFile(Json.object(body, "Code").orElseThrow(() ->
                ThawException.invalidParameter("Code is required.")), functions.codeStore().objects());
        Map<String, String> tagged = Json.stringMap(body, "Tags").orElse(Map.of());
        Tags.validate(tagged);
        FunctionVersion created = functions.create(new Commands.CreateFunction(name, config, zip,
                Json.bool(body, "Publish").orElse(false), Optional.ofNullable(strings(body, "Layers")).orElse(List.of())));
        if (!tagged.isEmpty()) {
            tags.tag(functions.arns().functionArn(name), tagged);
        }
        Http.json(res, 201, Shapes.configuration(created, functions.arns()));
    }

    private void listFunctions(ServerRequest req, ServerResponse res) {
        FunctionService.Page<FunctionVersion> page = functions.list(Http.query(req, "Marker").orElse(null),
                Http.maxItems(req, 50));
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode items = out.putArray("Functions");
        page.items().forEach(v -> items.add(Shapes.configuration(v, functions.arns())));
        if (page.nextMarker() != null) {
            out.put("NextMarker", page.nextMarker());
        }
        Http.json(res, 200, out);
    }

    private void getFunction(ServerRequest req, ServerResponse res) {
        String ref = Http.pathParam(req, "name");
        FunctionVersion v = functions.get(ref, Http.query(req, "Qualifier").orElse(null));
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set("Configuration", Shapes.configuration(v, functions.arns()));
        ObjectNode code = out.putObject("Code");
        code.put("RepositoryType", "S3");
        code.put("Location", codeLocation.apply(req, v.code().sha256Hex()));
        OptionalInt reserved = functions.reservedConcurrency(ref);
        if (reserved.isPresent()) {
            out.putObject("Concurrency").put("ReservedConcurrentExecutions", reserved.getAsInt());
        }
        ObjectNode tagged = out.putObject("Tags");
        tags.ofFunction(v.functionName()).forEach(tagged::put);
        Http.json(res, 200, out);
    }

    private void deleteFunction(ServerRequest req, ServerResponse res) {
        functions.delete(Http.pathParam(req, "name"), Http.query(req, "Qualifier").orElse(null));
        Http.noContent(res);
    }

    private void getConfiguration(ServerRequest req, ServerResponse res) {
        FunctionVersion v = functions.get(Http.pathParam(req, "name"), Http.query(req, "Qualifier").orElse(null));
        Http.json(res, 200, Shapes.configuration(v, functions.arns()));
    }

    private void updateConfiguration(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(bodies.read(req, MAX_CONTROL_BODY, "UpdateFunctionConfiguration"));
        FunctionVersion v = functions.updateConfiguration(new Commands.UpdateConfiguration(
                Http.pathParam(req, "name"),
                Json.text(body, "Runtime").orElse(null),
                Json.text(body, "Handler").orElse(null),
                Json.text(body, "Role").orElse(null),
                Json.text(body, "Description").orElse(null),
                Json.integer(body, "MemorySize").orElse(null),
                Json.integer(body, "Timeout").orElse(null),
                ephemeralStorage(body).orElse(null),
                environment(body).orElse(null),
                snapStart(body).orElse(null),
                inertSettings(body),
                strings(body, "Layers"),
                loggingConfig(body),
                Json.text(body, "RevisionId").orElse(null)));
        Http.json(res, 200, Shapes.configuration(v, functions.arns()));
    }

    private void updateCode(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(bodies.read(req, MAX_CONTROL_BODY, "UpdateFunctionCode"));
        FunctionVersion v = functions.updateCode(new Commands.UpdateCode(Http.pathParam(req, "name"),
                zipFile(body, functions.codeStore().objects()), Json.bool(body, "Publish").orElse(false), Json.text(body, "RevisionId").orElse(null)));
        Http.json(res, 200, Shapes.configuration(v, functions.arns()));
    }

    private void publishVersion(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(bodies.read(req, 64 * 1024, "PublishVersion"));
        FunctionVersion v = functions.publish(new Commands.Publish(Http.pathParam(req, "name"),
                Json.text(body, "Description").orElse(null), Json.text(body, "CodeSha256").orElse(null),
                Json.text(body, "RevisionId").orElse(null)));
        Http.json(res, 201, Shapes.configuration(v, functions.arns()));
    }

    private void listVersions(ServerRequest req, ServerResponse res) {
        FunctionService.Page<FunctionVersion> page = functions.listVersions(Http.pathParam(req, "name"),
                Http.query(req, "Marker").orElse(null), Http.maxItems(req, 50));
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode items = out.putArray("Versions");
        page.items().forEach(v -> items.add(Shapes.configuration(v, functions.arns())));
        if (page.nextMarker() != null) {
            out.put("NextMarker", page.nextMarker());
        }
        Http.json(res, 200, out);
    }

    private void createAlias(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(bodies.read(req, 64 * 1024, "CreateAlias"));
        rejectRoutingConfig(body);
        Alias a = functions.createAlias(new Commands.CreateAlias(Http.pathParam(req, "name"),
                Json.requiredText(body, "Name"), Json.requiredText(body, "FunctionVersion"),
                Json.text(body, "Description").orElse(null)));
        Http.json(res, 201, Shapes.alias(a, functions.arns()));
    }

    private void listAliases(ServerRequest req, ServerResponse res) {
        FunctionService.Page<Alias> page = functions.listAliasesPage(Http.pathParam(req, "name"),
                Http.query(req, "Marker").orElse(null), Http.maxItems(req, 50));
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode items = out.putArray("Aliases");
        page.items().forEach(a -> items.add(Shapes.alias(a, functions.arns())));
        if (page.nextMarker() != null) {
            out.put("NextMarker", page.nextMarker());
        }
        Http.json(res, 200, out);
    }

    private void getAlias(ServerRequest req, ServerResponse res) {
        Alias a = functions.getAlias(Http.pathParam(req, "name"), Http.pathParam(req, "alias"));
        Http.json(res, 200, Shapes.alias(a, functions.arns()));
    }

    private void updateAlias(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(bodies.read(req, 64 * 1024, "UpdateAlias"));
        rejectRoutingConfig(body);
        Alias a = functions.updateAlias(new Commands.UpdateAlias(Http.pathParam(req, "name"),
                Http.pathParam(req, "alias"), Json.text(body, "FunctionVersion").orElse(null),
                Json.text(body, "Description").orElse(null), Json.text(body, "RevisionId").orElse(null)));
        Http.json(res, 200, Shapes.alias(a, functions.arns()));
    }

    private void deleteAlias(ServerRequest req, ServerResponse res) {
        functions.deleteAlias(Http.pathParam(req, "name"), Http.pathParam(req, "alias"));
        Http.noContent(res);
    }

    private void putConcurrency(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(bodies.read(req, 64 * 1024, "PutFunctionConcurrency"));
        int value = functions.putReservedConcurrency(Http.pathParam(req, "name"),
                Json.integer(body, "ReservedConcurrentExecutions").orElse(null));
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("ReservedConcurrentExecutions", value);
        Http.json(res, 200, out);
    }

    private void deleteConcurrency(ServerRequest req, ServerResponse res) {
        functions.deleteReservedConcurrency(Http.pathParam(req, "name"));
        Http.noContent(res);
    }

    private void getConcurrency(ServerRequest req, ServerResponse res) {
        OptionalInt reserved = functions.reservedConcurrency(Http.pathParam(req, "name"));
        ObjectNode out = Json.MAPPER.createObjectNode();
        reserved.ifPresent(n -> out.put("ReservedConcurrentExecutions", n));
        Http.json(res, 200, out);
    }

    // --- body parts ---------------------------------------------------------------------------------------------

    /**
     * The package a Code (or UpdateFunctionCode, or a layer's Content) names: its base64 ZipFile, or the object
     * S3Bucket/S3Key/S3ObjectVersion names, read from the object store's endpoint as Lambda reads it from S3.
     */
    static byte[] zipFile(JsonNode code, ObjectStore s3) {
        if (code.has("ImageUri")) {
            throw ThawException.invalidParameter("Only Code.ZipFile and Code.S3Bucket/S3Key are supported: "
                    + "container images are not.");
        }
        Optional<String> bucket = Json.text(code, "S3Bucket");
        Optional<String> key = Json.text(code, "S3Key");
        if (bucket.isPresent() || key.isPresent()) {
            if (code.has("ZipFile")) {
                throw ThawException.invalidParameter("Please do not provide other FunctionCode parameters when "
                        + "providing a ZipFile.");
            }
            if (bucket.isEmpty() || key.isEmpty()) {
                throw ThawException.invalidParameter("Please provide both S3Bucket and S3Key for the function "
                        + "code.");
            }
            return s3.readUserObject(bucket.get(), key.get(), Json.text(code, "S3ObjectVersion"));
        }
        String b64 = Json.requiredText(code, "ZipFile");
        try {
            return Base64.getDecoder().decode(b64.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw ThawException.invalidParameter("ZipFile is not valid base64: " + e.getMessage());
        }
    }

    private static java.util.Optional<Integer> ephemeralStorage(JsonNode body) {
        return Json.object(body, "EphemeralStorage").map(n -> Json.integer(n, "Size").orElseThrow(() ->
                ThawException.invalidParameter("EphemeralStorage.Size is required.")));
    }

    private static java.util.Optional<Map<String, String>> environment(JsonNode body) {
        return Json.object(body, "Environment").map(n -> Json.stringMap(n, "Variables").orElse(Map.of()));
    }

    private static java.util.Optional<SnapStartMode> snapStart(JsonNode body) {
        return Json.object(body, "SnapStart").map(n -> SnapStartMode.fromAws(Json.text(n, "ApplyOn").orElse("None")));
    }

    /**
     * The settings Thaw stores without acting on them, and a refusal for those whose silent absence would surprise:
     * a dead-letter queue (failed events stay in Thaw's failed-events store instead), an EFS mount (the function
     * would find no files) and arm64 (this host runs x86_64).
     */
    private static InertSettings inertSettings(JsonNode body) {
        Json.object(body, "DeadLetterConfig").flatMap(d -> Json.text(d, "TargetArn")).filter(t -> !t.isEmpty())
                .ifPresent(t -> {
                    throw ThawException.invalidParameter("DeadLetterConfig is not supported: Thaw keeps Event "
                            + "invocations that fail for good in its failed-events store (thaw events failed).");
                });
        JsonNode fs = body.get("FileSystemConfigs");
        if (fs != null && fs.isArray() && !fs.isEmpty()) {
            throw ThawException.invalidParameter("FileSystemConfigs (EFS) is not supported: Thaw mounts no file "
                    + "systems into environments.");
        }
        List<String> architectures = strings(body, "Architectures");
        if (architectures != null && !architectures.equals(List.of("x86_64"))) {
            throw ThawException.invalidParameter("Architectures " + architectures + " is not supported: this host "
                    + "runs x86_64 only.");
        }
        Optional<JsonNode> logging = Json.object(body, "LoggingConfig");
        Optional<JsonNode> tracing = Json.object(body, "TracingConfig");
        String mode = tracing.flatMap(t -> Json.text(t, "Mode")).orElse(null);
        if (mode != null && !mode.equals("Active") && !mode.equals("PassThrough")) {
            throw ThawException.invalidParameter("1 validation error detected: Value '" + mode + "' at "
                    + "'tracingConfig.mode' failed to satisfy constraint: Member must satisfy enum value set: "
                    + "[Active, PassThrough]");
        }
        Optional<JsonNode> vpc = Json.object(body, "VpcConfig");
        return new InertSettings(mode, Json.text(body, "KMSKeyArn").orElse(null),
                vpc.map(v -> Optional.ofNullable(strings(v, "SubnetIds")).orElse(List.of())).orElse(null),
                vpc.map(v -> Optional.ofNullable(strings(v, "SecurityGroupIds")).orElse(List.of())).orElse(null),
                vpc.flatMap(v -> Json.bool(v, "Ipv6AllowedForDualStack")).orElse(null),
                logging.flatMap(l -> Json.text(l, "LogGroup")).orElse(null));
    }

    /** The request's LoggingConfig format and levels (null when it has none), each checked as AWS checks it. */
    private static LoggingConfig loggingConfig(JsonNode body) {
        return Json.object(body, "LoggingConfig").map(l -> new LoggingConfig(
                LoggingConfig.member(Json.text(l, "LogFormat").orElse(null), LoggingConfig.FORMATS,
                        "loggingConfig.logFormat"),
                LoggingConfig.member(Json.text(l, "ApplicationLogLevel").orElse(null),
                        LoggingConfig.APPLICATION_LEVELS, "loggingConfig.applicationLogLevel"),
                LoggingConfig.member(Json.text(l, "SystemLogLevel").orElse(null), LoggingConfig.SYSTEM_LEVELS,
                        "loggingConfig.systemLogLevel"))).orElse(null);
    }

    static List<String> strings(JsonNode obj, String field) {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw ThawException.invalidParameter(field + " must be a list of strings.");
        }
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode v : n) {
            if (!v.isTextual()) {
                throw ThawException.invalidParameter(field + " must be a list of strings.");
            }
            out.add(v.textValue());
        }
        return List.copyOf(out);
    }

    private static void rejectRoutingConfig(JsonNode body) {
        if (body.has("RoutingConfig") && !body.get("RoutingConfig").isNull()
                && body.get("RoutingConfig").has("AdditionalVersionWeights")
                && !body.get("RoutingConfig").get("AdditionalVersionWeights").isEmpty()) {
            throw ThawException.invalidParameter("Weighted alias routing (RoutingConfig) is not supported yet.");
        }
    }
}
