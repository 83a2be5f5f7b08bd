package dev.thaw.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import dev.thaw.store.StoreException;
import io.helidon.http.HeaderNames;
import io.helidon.http.RequestException;
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
        ThawException e = switch (error) {
            case ThawException t -> t;
            case RequestException bad when bad.status().code() < 500 -> unparsable(bad);
            case StoreException down -> storeFailed(req, down);
            default -> unexpected(req, error);
        };
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

    /** The metadata database failed or cannot be reached: the request did nothing and may be retried. */
    private static ThawException storeFailed(ServerRequest req, StoreException e) {
        LOG.log(Level.WARNING, "metadata store failed serving " + req.prologue().method().text() + " "
                + req.path().path() + ": " + e.getMessage());
        return ThawException.service("The metadata store is unavailable; try again. " + e.getMessage(), e);
    }

    /** A request the server could not parse, such as a bad chunk size in its body. */
    private static ThawException unparsable(RequestException bad) {
        ErrorCode code = bad.status().code() == 413 ? ErrorCode.REQUEST_TOO_LARGE : ErrorCode.INVALID_REQUEST_CONTENT;
        return new ThawException(code, "The request could not be read: " + bad.getMessage());
    }

    private static ThawException unexpected(ServerRequest req, Throwable error) {
        String what = req.prologue().method().text() + " " + req.path().path();
        if (isClientGone(error)) {
            // The client hung up mid-request: nothing is wrong with the server, and nobody reads the answer.
            LOG.fine(() -> "client went away during " + what + ": " + error);
            return ThawException.service("The connection closed before the request was read.", error);
        }
        LOG.log(Level.WARNING, "unexpected failure serving " + what, error);
        return ThawException.service("Internal error: " + error.getClass().getSimpleName() + ": "
                + error.getMessage(), error);
    }

    /** A request body that ended early: the connection closed or reset under the reader. */
    private static boolean isClientGone(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketException || t instanceof java.nio.channels.ClosedChannelException
                    || t instanceof java.io.EOFException
                    || t instanceof io.helidon.common.buffers.DataReader.InsufficientDataAvailableException) {
                return true;
            }
        }
        return false;
    }

    static ThawException unknownOperation(ServerRequest req) {
        return new ThawException(ErrorCode.UNKNOWN_OPERATION, "Unknown operation: "
                + req.prologue().method().text() + " " + req.path().path());
    }
}
