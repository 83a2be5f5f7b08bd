package dev.thaw.api;

import dev.thaw.errors.ThawException;
import dev.thaw.events.EventQueue;
import dev.thaw.invoke.InvokeRequest;
import dev.thaw.invoke.InvokeResponse;
import dev.thaw.invoke.InvokeService;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.Base64;
import java.util.Optional;

/** Lambda's Invoke API: parses headers and payload into an {@link InvokeRequest} and renders the response. */
final class InvokeApi {
    /** Lambda's limit on the base64 client context header. */
    private static final int MAX_CLIENT_CONTEXT = 3583;

    private final InvokeService invoker;
    private final BodyReader bodies;
    private final EventQueue events;

    InvokeApi(InvokeService invoker, EventQueue events, BodyReader bodies) {
        this.bodies = bodies;
        this.invoker = invoker;
        this.events = events;
    }

    void routes(HttpRouting.Builder r) {
        r.post("/2015-03-31/functions/{name}/invocations", this::invoke);
    }

    private void invoke(ServerRequest req, ServerResponse res) {
        InvokeRequest.InvocationType type = invocationType(Http.header(req, "X-Amz-Invocation-Type")
                .orElse("RequestResponse"));
        Optional<String> clientContext = Http.header(req, "X-Amz-Client-Context");
        if (clientContext.isPresent()) {
            if (clientContext.get().length() > MAX_CLIENT_CONTEXT) {
                throw ThawException.invalidParameter("Client context must be at most 3583 bytes of base64.");
            }
            try {
                clientContext = Optional.of(new String(Base64.getDecoder().decode(clientContext.get())));
            } catch (IllegalArgumentException e) {
                throw ThawException.invalidParameter("X-Amz-Client-Context must be base64-encoded JSON.");
            }
        }
        byte[] payload = bodies.read(req, InvokeService.MAX_SYNC_PAYLOAD, "Invoke");
        requireJson(payload);
        if (type == InvokeRequest.InvocationType.EVENT) {
            // 202 only once the event is durable; Lambda sends no X-Amz-Executed-Version for it.
            events.accept(Http.pathParam(req, "name"), Http.query(req, "Qualifier"), payload);
            res.status(Status.ACCEPTED_202);
            res.send();
            return;
        }
        boolean tail = Http.header(req, "X-Amz-Log-Type").map("Tail"::equals).orElse(false);
        InvokeResponse out = invoker.invoke(new InvokeRequest(Http.pathParam(req, "name"),
                Http.query(req, "Qualifier"), type, tail, clientContext, payload, Optional.empty(),
                Http.header(req, "X-Amzn-Trace-Id").filter(InvokeApi::isTraceHeader)));
        res.status(Status.create(out.statusCode()));
        res.header(HeaderNames.create("X-Amz-Executed-Version"), out.executedVersion());
        out.functionError().ifPresent(e -> res.header(HeaderNames.create("X-Amz-Function-Error"), e));
        out.logTail().ifPresent(t -> res.header(HeaderNames.create("X-Amz-Log-Result"), t));
        if (out.statusCode() == 204) {
            res.send();
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(out.payload());
    }

    /**
     * Whether a caller's X-Amzn-Trace-Id can be handed to the function as it is: an X-Ray header names its root
     * trace, and it must fit a header line. Anything else is ignored, and the environment makes up its own.
     */
    static boolean isTraceHeader(String value) {
        return value.length() <= 256 && value.contains("Root=") && value.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    }

    private static void requireJson(byte[] payload) {
        if (payload.length == 0) {
            return;
        }
        try (var parser = Json.MAPPER.createParser(payload)) {
            while (parser.nextToken() != null) {
                // Validate only; the payload goes to the function byte for byte.
            }
        } catch (java.io.IOException e) {
            throw new ThawException(dev.thaw.errors.ErrorCode.INVALID_REQUEST_CONTENT,
                    "Could not parse request body into json: Could not parse payload into json: "
                            + e.getMessage().split("\n")[0]);
        }
    }

    private static InvokeRequest.InvocationType invocationType(String header) {
        return switch (header) {
            case "RequestResponse" -> InvokeRequest.InvocationType.REQUEST_RESPONSE;
            case "Event" -> InvokeRequest.InvocationType.EVENT;
            case "DryRun" -> InvokeRequest.InvocationType.DRY_RUN;
            default -> throw ThawException.invalidParameter("1 validation error detected: Value '" + header
                    + "' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: "
                    + "[Event, RequestResponse, DryRun]");
        };
    }
}
