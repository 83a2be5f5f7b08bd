package dev.thaw.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.provisioned.ProvisionedConcurrency;
import dev.thaw.provisioned.ProvisionedStatus;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.OptionalInt;

/**
 * Lambda's provisioned concurrency API: PutProvisionedConcurrencyConfig (202), GetProvisionedConcurrencyConfig,
 * DeleteProvisionedConcurrencyConfig (204) and, with {@code List=ALL}, ListProvisionedConcurrencyConfigs.
 */
final class ProvisionedConcurrencyApi {
    private static final String PATH = "/2019-09-30/functions/{name}/provisioned-concurrency";

    private final ProvisionedConcurrency provisioned;
    private final BodyReader bodies;

    ProvisionedConcurrencyApi(ProvisionedConcurrency provisioned, BodyReader bodies) {
        this.provisioned = provisioned;
        this.bodies = bodies;
    }

    void routes(HttpRouting.Builder r) {
        r.put(PATH, this::put)
                .get(PATH, this::getOrList)
                .delete(PATH, this::delete);
    }

    private void put(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(bodies.read(req, 64 * 1024, "PutProvisionedConcurrencyConfig"));
        ProvisionedStatus s = provisioned.put(Http.pathParam(req, "name"), Http.query(req, "Qualifier").orElse(null),
                Json.integer(body, "ProvisionedConcurrentExecutions").orElse(null));
        Http.json(res, 202, shape(s, false));
    }

    private void getOrList(ServerRequest req, ServerResponse res) {
        String name = Http.pathParam(req, "name");
        if (Http.query(req, "List").isPresent()) {
            ProvisionedConcurrency.Page page = provisioned.list(name, Http.query(req, "Marker"),
                    Http.intQuery(req, "MaxItems", 1, 50).map(OptionalInt::of).orElse(OptionalInt.empty()));
            ObjectNode out = Json.MAPPER.createObjectNode();
            ArrayNode items = out.putArray("ProvisionedConcurrencyConfigs");
            page.items().forEach(s -> items.add(shape(s, true)));
            page.nextMarker().ifPresent(m -> out.put("NextMarker", m));
            Http.json(res, 200, out);
            return;
        }
        Http.json(res, 200, shape(provisioned.get(name, Http.query(req, "Qualifier").orElse(null)), false));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        provisioned.delete(Http.pathParam(req, "name"), Http.query(req, "Qualifier").orElse(null));
        Http.noContent(res);
    }

    private static ObjectNode shape(ProvisionedStatus s, boolean withArn) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        if (withArn) {
            out.put("FunctionArn", s.functionArn());
        }
        out.put("RequestedProvisionedConcurrentExecutions", s.requested());
        out.put("AvailableProvisionedConcurrentExecutions", s.available());
        out.put("AllocatedProvisionedConcurrentExecutions", s.allocated());
        out.put("Status", s.status().name());
        s.statusReason().ifPresent(r -> out.put("StatusReason", r));
        out.put("LastModified", s.lastModified());
        return out;
    }
}
