package dev.thaw.urls;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the event a Function URL request becomes: API Gateway's payload format version 2.0, as Lambda fills it for
 * URLs. Header names are lower-cased and repeated headers joined with commas; the Cookie header becomes
 * {@code cookies}; a query parameter given twice is joined with a comma; a body whose content type is not text is
 * sent base64-encoded with {@code isBase64Encoded} true.
 */
public final class UrlEvent {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);

    /** Who signed an AWS_IAM request (absent for AuthType NONE, whose caller is "anonymous"). */
    public record Caller(String accessKey, String accountId) {
    }

    private UrlEvent() {
    }

    public static byte[] build(UrlRequest request, String requestId, Instant time, Optional<Caller> caller,
                               int listenerPort) {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "2.0");
        event.put("routeKey", "$default");
        event.put("rawPath", request.rawPath());
        event.put("rawQueryString", request.rawQuery());
        List<String> cookies = cookies(request);
        if (!cookies.isEmpty()) {
            cookies.forEach(event.putArray("cookies")::add);
        }
        ObjectNode headers = event.putObject("headers");
        headers(request, listenerPort).forEach(headers::put);
        if (!request.queryParameters().isEmpty()) {
            ObjectNode query = event.putObject("queryStringParameters");
            request.queryParameters().forEach((k, v) -> query.put(k, String.join(",", v)));
        }
        ObjectNode context = event.putObject("requestContext");
        context.put("accountId", caller.map(Caller::accountId).orElse("anonymous"));
        context.put("apiId", request.urlId());
        caller.ifPresent(c -> {
            ObjectNode iam = context.putObject("authorizer").putObject("iam");
            iam.put("accessKey", c.accessKey());
            iam.put("accountId", c.accountId());
            iam.put("callerId", c.accessKey());
            iam.putNull("cognitoIdentity");
            iam.putNull("principalOrgId");
            iam.put("userArn", "arn:aws:iam::" + c.accountId() + ":root");
            iam.put("userId", c.accountId());
        });
        context.put("domainName", request.domainName());
        context.put("domainPrefix", request.urlId());
        ObjectNode http = context.putObject("http");
        http.put("method", request.method());
        http.put("path", request.rawPath());
        http.put("protocol", request.protocol());
        http.put("sourceIp", request.sourceIp());
        http.put("userAgent", request.header("User-Agent").orElse(""));
        context.put("requestId", requestId);
        context.put("routeKey", "$default");
        context.put("stage", "$default");
        context.put("time", TIME.format(time));
        context.put("timeEpoch", time.toEpochMilli());
        byte[] body = request.body();
        if (body.length > 0) {
            Optional<String> text = isText(request.header("Content-Type").orElse("")) ? utf8(body) : Optional.empty();
            event.put("body", text.orElseGet(() -> Base64.getEncoder().encodeToString(body)));
            event.put("isBase64Encoded", text.isEmpty());
        } else {
            event.put("isBase64Encoded", false);
        }
        try {
            return JSON.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lower-cased names, repeated headers comma-joined, without Cookie, plus the forwarding headers Lambda adds. */
    static Map<String, String> headers(UrlRequest request, int listenerPort) {
        Map<String, String> out = new LinkedHashMap<>();
        for (UrlRequest.Header h : request.headers()) {
            String name = h.name().toLowerCase(Locale.ROOT);
            if (name.equals("cookie")) {
                continue;
            }
            out.merge(name, h.value(), (a, b) -> a + "," + b);
        }
        out.putIfAbsent("x-forwarded-for", request.sourceIp());
        out.putIfAbsent("x-forwarded-proto", "http");
        out.putIfAbsent("x-forwarded-port", Integer.toString(listenerPort));
        return out;
    }

    static List<String> cookies(UrlRequest request) {
        List<String> cookies = new ArrayList<>();
        for (String header : request.headerValues("Cookie")) {
            for (String cookie : header.split(";")) {
                String c = cookie.strip();
                if (!c.isEmpty()) {
                    cookies.add(c);
                }
            }
        }
        return cookies;
    }

    /** Text types travel as they are; anything else (images, octet streams, forms, no type) as base64. */
    static boolean isText(String contentType) {
        String type = contentType.toLowerCase(Locale.ROOT);
        int semicolon = type.indexOf(';');
        String mime = (semicolon >= 0 ? type.substring(0, semicolon) : type).strip();
        return mime.startsWith("text/") || mime.endsWith("/json") || mime.endsWith("+json")
                || mime.endsWith("/xml") || mime.endsWith("+xml") || mime.equals("application/javascript")
                || mime.equals("application/graphql");
    }

    private static Optional<String> utf8(byte[] body) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
