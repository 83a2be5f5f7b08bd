package dev.thaw.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.tags.Tags;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.Map;

/** Lambda's tagging API: TagResource, UntagResource and ListTags, addressed by function ARN. */
final class TagsApi {
    private static final String TAGS = "/2017-03-31/tags/{arn}";

    private final Tags tags;
    private final BodyReader bodies;

    TagsApi(Tags tags, BodyReader bodies) {
        this.tags = tags;
        this.bodies = bodies;
    }

    void routes(HttpRouting.Builder r) {
        r.post(TAGS, this::tag).delete(TAGS, this::untag).get(TAGS, this::list);
    }

    private void tag(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(bodies.read(req, 64 * 1024, "TagResource"));
        tags.tag(Http.pathParam(req, "arn"), Json.stringMap(body, "Tags").orElse(Map.of()));
        Http.noContent(res);
    }

    private void untag(ServerRequest req, ServerResponse res) {
        tags.untag(Http.pathParam(req, "arn"), req.query().all("tagKeys", java.util.List::of));
        Http.noContent(res);
    }

    private void list(ServerRequest req, ServerResponse res) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        ObjectNode t = out.putObject("Tags");
        tags.list(Http.pathParam(req, "arn")).forEach(t::put);
        Http.json(res, 200, out);
    }
}
