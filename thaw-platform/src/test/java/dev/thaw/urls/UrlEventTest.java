package dev.thaw.urls;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UrlEventTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ID = "abcdefghijklmnopqrstuvwxyz012345";
    private static final Instant TIME = Instant.parse("2026-03-12T19:03:58.123Z");

    private static UrlRequest request(String method, String contentType, byte[] body, UrlRequest.Header... extra) {
        List<UrlRequest.Header> headers = new java.util.ArrayList<>(List.of(
                new UrlRequest.Header("Host", ID + ".lambda-url.us-east-1.localhost:9001"),
                new UrlRequest.Header("User-Agent", "curl/7.88.1"),
                new UrlRequest.Header("X-Multi", "one"),
                new UrlRequest.Header("x-multi", "two"),
                new UrlRequest.Header("Cookie", "a=1; b=2"),
                new UrlRequest.Header("Cookie", "c=3")));
        if (contentType != null) {
            headers.add(new UrlRequest.Header("Content-Type", contentType));
        }
        headers.addAll(List.of(extra));
        Map<String, List<String>> query = new LinkedHashMap<>();
        query.put("q", List.of("x y"));
        query.put("tag", List.of("a", "b"));
        return new UrlRequest(ID, method, "/items/42%20x", "/items/42%20x", "q=x%20y&tag=a&tag=b", headers, query,
                "HTTP/1.1", "127.0.0.1", ID + ".lambda-url.us-east-1.localhost", body);
    }

    private static JsonNode build(UrlRequest r, Optional<UrlEvent.Caller> caller) throws Exception {
        return JSON.readTree(UrlEvent.build(r, "req-1", TIME, caller, 9001));
    }

    @Test
    void aGetBecomesAPayloadVersionTwoEventAsLambdaBuildsIt() throws Exception {
        JsonNode e = build(request("GET", null, new byte[0]), Optional.empty());
        assertEquals("2.0", e.get("version").asText());
        assertEquals("$default", e.get("routeKey").asText());
        assertEquals("/items/42%20x", e.get("rawPath").asText());
        assertEquals("q=x%20y&tag=a&tag=b", e.get("rawQueryString").asText());
        assertEquals("x y", e.at("/queryStringParameters/q").asText());
        assertEquals("a,b", e.at("/queryStringParameters/tag").asText(), "repeated parameters are comma-joined");
        assertEquals(List.of("a=1", "b=2", "c=3"), JSON.convertValue(e.get("cookies"), List.class));
        assertEquals("one,two", e.at("/headers/x-multi").asText(), "names lower-cased, repeats comma-joined");
        assertTrue(e.get("headers").path("cookie").isMissingNode(), "cookies travel in cookies, not headers");
        assertEquals("curl/7.88.1", e.at("/headers/user-agent").asText());
        assertEquals("127.0.0.1", e.at("/headers/x-forwarded-for").asText());
        assertEquals("9001", e.at("/headers/x-forwarded-port").asText());
        JsonNode ctx = e.get("requestContext");
        assertEquals("anonymous", ctx.get("accountId").asText());
        assertEquals(ID, ctx.get("apiId").asText());
        assertEquals(ID, ctx.get("domainPrefix").asText());
        assertEquals(ID + ".lambda-url.us-east-1.localhost", ctx.get("domainName").asText());
        assertEquals("GET", ctx.at("/http/method").asText());
        assertEquals("/items/42%20x", ctx.at("/http/path").asText());
        assertEquals("HTTP/1.1", ctx.at("/http/protocol").asText());
        assertEquals("127.0.0.1", ctx.at("/http/sourceIp").asText());
        assertEquals("curl/7.88.1", ctx.at("/http/userAgent").asText());
        assertEquals("req-1", ctx.get("requestId").asText());
        assertEquals("$default", ctx.get("stage").asText());
        assertEquals("12/Mar/2026:19:03:58 +0000", ctx.get("time").asText());
        assertEquals(TIME.toEpochMilli(), ctx.get("timeEpoch").asLong());
        assertTrue(e.path("body").isMissingNode(), "no body, no body field");
        assertFalse(e.get("isBase64Encoded").asBoolean());
    }

    @Test
    void aJsonBodyTravelsAsTextAndABinaryOneAsBase64() throws Exception {
        JsonNode text = build(request("POST", "application/json; charset=utf-8",
                "{\"ü\":1}".getBytes(StandardCharsets.UTF_8)), Optional.empty());
        assertEquals("{\"ü\":1}", text.get("body").asText());
        assertFalse(text.get("isBase64Encoded").asBoolean());

        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, (byte) 0xff};
        JsonNode binary = build(request("POST", "image/png", png), Optional.empty());
        assertTrue(binary.get("isBase64Encoded").asBoolean());
        assertEquals(Base64.getEncoder().encodeToString(png), binary.get("body").asText());

        JsonNode badUtf8 = build(request("POST", "text/plain", png), Optional.empty());
        assertTrue(badUtf8.get("isBase64Encoded").asBoolean(), "text that is not UTF-8 cannot travel as text");
    }

    @Test
    void aSignedCallerIsNamedInTheRequestContext() throws Exception {
        JsonNode e = build(request("GET", null, new byte[0]),
                Optional.of(new UrlEvent.Caller("AKIDEXAMPLE", "123456789012")));
        assertEquals("123456789012", e.at("/requestContext/accountId").asText());
        assertEquals("AKIDEXAMPLE", e.at("/requestContext/authorizer/iam/accessKey").asText());
    }
}
