package dev.thaw.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.errors.ThawException;
import dev.thaw.functions.FunctionService;
import dev.thaw.functions.FunctionVersion;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * What deployment tools read about an account and a function's management: GetAccountSettings (the limits Thaw
 * enforces and what its functions use), GetFunctionCodeSigningConfig (there is none: Thaw does not sign code) and
 * Get/PutRuntimeManagementConfig (Auto: runtimes follow the host's JDKs) and Put/GetFunctionRecursionConfig (stored;
 * Thaw detects no recursive loops).
 */
final class AccountApi {
    /** AWS's package limits, which Thaw enforces too (the zip through the request size, unzipped in CodeStore). */
    private static final long CODE_SIZE_ZIPPED = 52_428_800L;
    private static final long CODE_SIZE_UNZIPPED = 262_144_000L;
    private static final long TOTAL_CODE_SIZE = 80_530_636_800L;

    private final FunctionService functions;
    private final BodyReader bodies;

    AccountApi(FunctionService functions, BodyReader bodies) {
        this.functions = functions;
        this.bodies = bodies;
    }

    void routes(HttpRouting.Builder r) {
        r.get("/2016-08-19/account-settings", this::accountSettings)
                .get("/2016-08-19/account-settings/", this::accountSettings)
                .get("/2020-06-30/functions/{name}/code-signing-config", this::codeSigningConfig)
                .get("/2021-07-20/functions/{name}/runtime-management-config", this::getRuntimeManagement)
                .put("/2021-07-20/functions/{name}/runtime-management-config", this::putRuntimeManagement)
                .get("/2024-08-31/functions/{name}/recursion-config", this::getRecursion)
                .put("/2024-08-31/functions/{name}/recursion-config", this::putRecursion);
    }

    private void accountSettings(ServerRequest req, ServerResponse res) {
        FunctionService.AccountSettings s = functions.accountSettings();
        ObjectNode out = Json.MAPPER.createObjectNode();
        ObjectNode limit = out.putObject("AccountLimit");
        limit.put("TotalCodeSize", TOTAL_CODE_SIZE);
        limit.put("CodeSizeUnzipped", CODE_SIZE_UNZIPPED);
        limit.put("CodeSizeZipped", CODE_SIZE_ZIPPED);
        limit.put("ConcurrentExecutions", s.concurrentExecutions());
        limit.put("UnreservedConcurrentExecutions", s.unreservedConcurrentExecutions());
        ObjectNode usage = out.putObject("AccountUsage");
        usage.put("TotalCodeSize", s.totalCodeSize());
        usage.put("FunctionCount", s.functionCount());
        Http.json(res, 200, out);
    }

    private void codeSigningConfig(ServerRequest req, ServerResponse res) {
        FunctionVersion v = functions.get(Http.pathParam(req, "name"), null);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("CodeSigningConfigArn", "");
        out.put("FunctionName", v.functionName());
        Http.json(res, 200, out);
    }

    private void getRuntimeManagement(ServerRequest req, ServerResponse res) {
        Http.json(res, 200, runtimeManagement(functions.get(Http.pathParam(req, "name"),
                Http.query(req, "Qualifier").orElse(null))));
    }

    private void putRuntimeManagement(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(bodies.read(req, 64 * 1024, "PutRuntimeManagementConfig"));
        String mode = Json.requiredText(body, "UpdateRuntimeOn");
        FunctionVersion v = functions.get(Http.pathParam(req, "name"), Http.query(req, "Qualifier").orElse(null));
        if (!mode.equals("Auto")) {
            throw ThawException.invalidParameter("UpdateRuntimeOn " + mode + " is not supported: Thaw runs every "
                    + "function on the host's JDK for its runtime, so runtime updates are always Auto.");
        }
        Http.json(res, 200, runtimeManagement(v));
    }

    private void getRecursion(ServerRequest req, ServerResponse res) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("RecursiveLoop", functions.recursiveLoop(Http.pathParam(req, "name")));
        Http.json(res, 200, out);
    }

    private void putRecursion(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(bodies.read(req, 64 * 1024, "PutFunctionRecursionConfig"));
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("RecursiveLoop", functions.putRecursiveLoop(Http.pathParam(req, "name"),
                Json.requiredText(body, "RecursiveLoop")));
        Http.json(res, 200, out);
    }

    private ObjectNode runtimeManagement(FunctionVersion v) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("UpdateRuntimeOn", "Auto");
        out.put("FunctionArn", v.isLatest() ? functions.arns().functionArn(v.functionName())
                : functions.arns().qualifiedArn(v.functionName(), v.version()));
        return out;
    }
}
