package dev.thaw.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Renders every failure in AWS's shape: the status, an {@code x-amzn-ErrorType} header (which both the SDKs and the
 * CLI read first) and a JSON body with {@code __type} and {@code message}. Unexpected exceptions become a
 * ServiceException and are logged; the server keeps serving either way.
 */
final class AwsErrors {
    private static final Logger LOG = Logger.getLogger(AwsErrors.class.getName());

    private AwsErrors() {
    }

    static void send(ServerRequest req, ServerResponse res, Throwable error) {
        ThawException e = error instanceof ThawException t ? t : unexpected(req, error);
        ErrorCode code = e.code();
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("__type", code.awsType());
        body.put("message", e.getMessage());
        body.put("Message", e.getMessage());
        body.put("Type", code.httpStatus() >= 500 ? "Service" : "User");
        e.extraFields().forEach(body::put);
        res.status(Status.create(code.httpStatus()));
        res.header(HeaderNames.create("x-amzn-ErrorType"), code.awsType());
        e.headers().forEach((k, v) -> res.header(HeaderNames.create(k), v));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(body));
    }

    private static ThawException unexpected(ServerRequest req, Throwable error) {
        LOG.log(Level.WARNING, "unexpected failure serving " + req.prologue().method().text() + " "
                + req.path().path(), error);
        return ThawException.service("Internal error: " + error.getClass().getSimpleName() + ": "
                + error.getMessage(), error);
    }

    static ThawException unknownOperation(ServerRequest req) {
        return new ThawException(ErrorCode.UNKNOWN_OPERATION, "Unknown operation: "
                + req.prologue().method().text() + " " + req.path().path());
    }
}
