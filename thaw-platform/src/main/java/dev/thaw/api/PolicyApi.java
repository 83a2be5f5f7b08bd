package dev.thaw.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.policy.Permissions;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** Lambda's resource-policy API: AddPermission, RemovePermission and GetPolicy. */
final class PolicyApi {
    private static final String POLICY = "/2015-03-31/functions/{name}/policy";

    private final Permissions permissions;
    private final BodyReader bodies;

    PolicyApi(Permissions permissions, BodyReader bodies) {
        this.permissions = permissions;
        this.bodies = bodies;
    }

    void routes(HttpRouting.Builder r) {
        r.post(POLICY, this::add).get(POLICY, this::get).delete(POLICY + "/{sid}", this::remove);
    }

    private void add(ServerRequest req, ServerResponse res) {
        JsonNode b = Json.parseObject(bodies.read(req, 64 * 1024, "AddPermission"));
        String statement = permissions.add(Http.pathParam(req, "name"), Http.query(req, "Qualifier").orElse(null),
                new Permissions.Grant(Json.text(b, "StatementId").orElse(null), Json.text(b, "Action").orElse(null),
                        Json.text(b, "Principal").orElse(null), Json.text(b, "SourceArn").orElse(null),
                        Json.text(b, "SourceAccount").orElse(null), Json.text(b, "EventSourceToken").orElse(null),
                        Json.text(b, "PrincipalOrgID").orElse(null),
                        Json.text(b, "FunctionUrlAuthType").orElse(null)));
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("Statement", statement);
        Http.json(res, 201, out);
    }

    private void get(ServerRequest req, ServerResponse res) {
        Permissions.Policy policy = permissions.policy(Http.pathParam(req, "name"),
                Http.query(req, "Qualifier").orElse(null));
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("Policy", policy.document());
        out.put("RevisionId", policy.revisionId());
        Http.json(res, 200, out);
    }

    private void remove(ServerRequest req, ServerResponse res) {
        permissions.remove(Http.pathParam(req, "name"), Http.query(req, "Qualifier").orElse(null),
                Http.pathParam(req, "sid"));
        Http.noContent(res);
    }
}
