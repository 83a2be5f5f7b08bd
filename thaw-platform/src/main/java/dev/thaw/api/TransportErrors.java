package dev.thaw.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;

/**
 * Gives AWS's error shape to what the server refuses before any route sees it: a malformed request line or
 * percent-escape, an oversized header or URL, a bad chunk size. Such a request is never parsed into a command, so
 * the answer is the status the server chose, with the error type a client can act on.
 */
final class TransportErrors implements DirectHandler {
    private TransportErrors() {
    }

    /** Every transport event type answered by this handler. */
    static DirectHandlers handlers() {
        DirectHandlers.Builder b = DirectHandlers.builder();
        TransportErrors handler = new TransportErrors();
        for (EventType type : EventType.values()) {
            b.addHandler(type, handler);
        }
        return b.build();
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                    ServerResponseHeaders headers, String message) {
        String type = switch (status.code()) {
            case 413, 414, 431 -> "RequestTooLargeException";
            case 429 -> "TooManyRequestsException";
            default -> status.code() >= 500 ? "ServiceException" : "InvalidRequestContentException";
        };
        ObjectNode body = Json.MAPPER.createObjectNode();
        String text = message == null || message.isBlank() ? status.reasonPhrase() : message;
        body.put("__type", type);
        body.put("message", text);
        body.put("Message", text);
        body.put("Type", status.code() >= 500 ? "Service" : "User");
        return TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderNames.create("x-amzn-ErrorType"), type)
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .entity(Json.bytes(body))
                .keepAlive(eventType.keepAlive())
                .build();
    }
}
