package dev.thaw.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.errors.ThawException;
import dev.thaw.functions.FunctionService;
import dev.thaw.urls.AuthType;
import dev.thaw.urls.Cors;
import dev.thaw.urls.FunctionUrlConfig;
import dev.thaw.urls.FunctionUrls;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Lambda's Function URL configuration API: Create, Get, Update, Delete and ListFunctionUrlConfigs. */
final class FunctionUrlApi {
    private static final String FUNCTIONS = "/2021-10-31/functions";

    private final FunctionUrls urls;
    private final BodyReader bodies;

    FunctionUrlApi(FunctionUrls urls, BodyReader bodies) {
        this.urls = urls;
        this.bodies = bodies;
    }

    void routes(HttpRouting.Builder r) {
        r.post(FUNCTIONS + "/{name}/url", this::create)
                .get(FUNCTIONS + "/{name}/url", this::get)
                .put(FUNCTIONS + "/{name}/url", this::update)
                .delete(FUNCTIONS + "/{name}/url", this::delete)
                .get(FUNCTIONS + "/{name}/urls", this::list);
    }

    private void create(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(bodies.read(req, 64 * 1024, "CreateFunctionUrlConfig"));
        FunctionUrlConfig c = urls.create(Http.pathParam(req, "name"), Http.query(req, "Qualifier").orElse(null),
                authType(body).orElse(null), cors(body), Json.text(body, "InvokeMode").orElse(null));
        ObjectNode out = shape(c);
        out.remove("LastModifiedTime");
        Http.json(res, 201, out);
    }

    private void get(ServerRequest req, ServerResponse res) {
        Http.json(res, 200, shape(urls.get(Http.pathParam(req, "name"), Http.query(req, "Qualifier").orElse(null))));
    }

    private void update(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(bodies.read(req, 64 * 1024, "UpdateFunctionUrlConfig"));
        FunctionUrlConfig c = urls.update(Http.pathParam(req, "name"), Http.query(req, "Qualifier").orElse(null),
                authType(body).orElse(null), cors(body), Json.text(body, "InvokeMode").orElse(null));
        Http.json(res, 200, shape(c));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        urls.delete(Http.pathParam(req, "name"), Http.query(req, "Qualifier").orElse(null));
        Http.noContent(res);
    }

    private void list(ServerRequest req, ServerResponse res) {
        FunctionService.Page<FunctionUrlConfig> page = urls.list(Http.pathParam(req, "name"),
                Http.query(req, "Marker").orElse(null), Http.intQuery(req, "MaxItems", 1, 50).orElse(50));
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode items = out.putArray("FunctionUrlConfigs");
        page.items().forEach(c -> items.add(shape(c)));
        if (page.nextMarker() != null) {
            out.put("NextMarker", page.nextMarker());
        }
        Http.json(res, 200, out);
    }

    /** FunctionUrlConfig as Lambda returns it; Cors only when one is set, with the fields that were given. */
    private ObjectNode shape(FunctionUrlConfig c) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("FunctionUrl", urls.functionUrl(c));
        o.put("FunctionArn", urls.functionArn(c));
        o.put("AuthType", c.authType().name());
        Cors cors = c.cors();
        if (cors != null) {
            ObjectNode n = o.putObject("Cors");
            if (cors.allowCredentials() != null) {
                n.put("AllowCredentials", cors.allowCredentials());
            }
            putList(n, "AllowHeaders", cors.allowHeaders());
            putList(n, "AllowMethods", cors.allowMethods());
            putList(n, "AllowOrigins", cors.allowOrigins());
            putList(n, "ExposeHeaders", cors.exposeHeaders());
            if (cors.maxAge() != null) {
                n.put("MaxAge", cors.maxAge());
            }
        }
        o.put("CreationTime", c.creationTime());
        o.put("LastModifiedTime", c.lastModifiedTime());
        o.put("InvokeMode", c.invokeMode());
        return o;
    }

    private static void putList(ObjectNode o, String field, List<String> values) {
        if (values != null) {
            ArrayNode a = o.putArray(field);
            values.forEach(a::add);
        }
    }

    private static Optional<AuthType> authType(JsonNode body) {
        return Json.text(body, "AuthType").map(t -> switch (t) {
            case "NONE" -> AuthType.NONE;
            case "AWS_IAM" -> AuthType.AWS_IAM;
            default -> throw ThawException.invalidParameter("1 validation error detected: Value '" + t
                    + "' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: "
                    + "[AWS_IAM, NONE]");
        });
    }

    private static Cors cors(JsonNode body) {
        return Json.object(body, "Cors").map(n -> new Cors(Json.bool(n, "AllowCredentials").orElse(null),
                strings(n, "AllowHeaders"), strings(n, "AllowMethods"), strings(n, "AllowOrigins"),
                strings(n, "ExposeHeaders"), Json.integer(n, "MaxAge").orElse(null))).orElse(null);
    }

    private static List<String> strings(JsonNode obj, String field) {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw ThawException.invalidParameter("Cors." + field + " must be a list of strings.");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode v : n) {
            if (!v.isTextual()) {
                throw ThawException.invalidParameter("Cors." + field + " must be a list of strings.");
            }
            out.add(v.textValue());
        }
        return List.copyOf(out);
    }
}
