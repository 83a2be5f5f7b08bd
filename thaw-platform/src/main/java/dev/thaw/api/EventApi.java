package dev.thaw.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.errors.ThawException;
import dev.thaw.events.EventInvokeConfigs;
import dev.thaw.events.EventQueue;
import dev.thaw.store.StoredEvent;
import dev.thaw.store.StoredEventConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.nio.charset.StandardCharsets;

/** Lambda's event invoke config API, and Thaw's view of the events that ran out of retries. */
final class EventApi {
    private static final String CONFIG = "/2019-09-25/functions/{name}/event-invoke-config";

    private final EventQueue events;
    private final BodyReader bodies;
    private final EventInvokeConfigs configs;

    EventApi(EventQueue events, EventInvokeConfigs configs, BodyReader bodies) {
        this.bodies = bodies;
        this.events = events;
        this.configs = configs;
    }

    void routes(HttpRouting.Builder r) {
        r.put(CONFIG, this::putConfig)
                .post(CONFIG, this::updateConfig)
                .get(CONFIG + "/list", this::listConfigs)
                .get(CONFIG, this::getConfig)
                .delete(CONFIG, this::deleteConfig)
                .get(PlatformApi.BASE + "/failed-events", this::failedEvents);
    }

    private void putConfig(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(bodies.read(req, 64 * 1024, "PutFunctionEventInvokeConfig"));
        requireSomeSetting(body);
        rejectDestinations(body);
        StoredEventConfig config = configs.put(Http.pathParam(req, "name"), qualifier(req),
                Json.integer(body, "MaximumRetryAttempts").orElse(null),
                Json.integer(body, "MaximumEventAgeInSeconds").orElse(null));
        Http.json(res, 200, shape(config));
    }

    private void updateConfig(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(bodies.read(req, 64 * 1024, "UpdateFunctionEventInvokeConfig"));
        requireSomeSetting(body);
        rejectDestinations(body);
        StoredEventConfig config = configs.update(Http.pathParam(req, "name"), qualifier(req),
                Json.integer(body, "MaximumRetryAttempts").orElse(null),
                Json.integer(body, "MaximumEventAgeInSeconds").orElse(null));
        Http.json(res, 200, shape(config));
    }

    private void listConfigs(ServerRequest req, ServerResponse res) {
        EventInvokeConfigs.Page page = configs.list(Http.pathParam(req, "name"), Http.query(req, "Marker"),
                Http.intQuery(req, "MaxItems", 1, 50));
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode items = out.putArray("FunctionEventInvokeConfigs");
        page.items().forEach(c -> items.add(shape(c)));
        page.nextMarker().ifPresent(m -> out.put("NextMarker", m));
        Http.json(res, 200, out);
    }

    private void getConfig(ServerRequest req, ServerResponse res) {
        Http.json(res, 200, shape(configs.get(Http.pathParam(req, "name"), qualifier(req))));
    }

    private void deleteConfig(ServerRequest req, ServerResponse res) {
        configs.delete(Http.pathParam(req, "name"), qualifier(req));
        Http.noContent(res);
    }

    private void failedEvents(ServerRequest req, ServerResponse res) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode items = out.putArray("FailedEvents");
        for (StoredEvent e : events.failed(Http.query(req, "FunctionName"))) {
            ObjectNode item = items.addObject();
            item.put("RequestId", e.id());
            item.put("FunctionName", e.functionName());
            item.put("Version", e.version());
            item.put("Qualifier", e.qualifier());
            item.put("Payload", new String(e.payload(), StandardCharsets.UTF_8));
            item.put("Attempts", e.attempts());
            item.put("LastError", e.lastError());
            item.put("AcceptedAt", e.acceptedAt());
        }
        Http.json(res, 200, out);
    }

    private ObjectNode shape(StoredEventConfig config) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("FunctionArn", configs.functionArn(config));
        if (config.maximumRetryAttempts() != null) {
            out.put("MaximumRetryAttempts", config.maximumRetryAttempts());
        }
        if (config.maximumEventAgeInSeconds() != null) {
            out.put("MaximumEventAgeInSeconds", config.maximumEventAgeInSeconds());
        }
        out.put("LastModified", config.lastModifiedEpochSeconds());
        ObjectNode destinations = out.putObject("DestinationConfig");
        destinations.putObject("OnSuccess");
        destinations.putObject("OnFailure");
        return out;
    }

    private static void rejectDestinations(JsonNode body) {
        JsonNode destinations = body.path("DestinationConfig");
        if (destinations.path("OnSuccess").hasNonNull("Destination")
                || destinations.path("OnFailure").hasNonNull("Destination")) {
            throw ThawException.invalidParameter("DestinationConfig is not supported; failed events are kept at "
                    + PlatformApi.BASE + "/failed-events.");
        }
    }

    /** A version number or alias name; none means $LATEST. */
    private static String qualifier(ServerRequest req) {
        return Http.query(req, "Qualifier").orElse(null);
    }

    private static void requireSomeSetting(JsonNode body) {
        if (!body.hasNonNull("MaximumRetryAttempts") && !body.hasNonNull("MaximumEventAgeInSeconds")
                && !body.hasNonNull("DestinationConfig")) {
            throw ThawException.invalidParameter(
                    "You must specify at least one of error handling or destination setting.");
        }
    }
}
