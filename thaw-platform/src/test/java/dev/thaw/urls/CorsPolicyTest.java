package dev.thaw.urls;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CorsPolicyTest {
    private static final Cors CORS = new Cors(true, List.of("content-type", "x-api-key"), List.of("GET", "POST"),
            List.of("https://app.example"), List.of("x-request-id"), 300);

    private static UrlRequest request(String method, String... headerPairs) {
        List<UrlRequest.Header> headers = new ArrayList<>();
        for (int i = 0; i < headerPairs.length; i += 2) {
            headers.add(new UrlRequest.Header(headerPairs[i], headerPairs[i + 1]));
        }
        return new UrlRequest("id", method, "/", "/", "", headers, Map.of(), "HTTP/1.1", "127.0.0.1", "d",
                new byte[0]);
    }

    private static List<String> values(UrlResponse r, String name) {
        return r.headers().stream().filter(h -> h.name().equalsIgnoreCase(name)).map(UrlRequest.Header::value)
                .toList();
    }

    @Test
    void anAllowedPreflightIsAnsweredFromTheConfiguration() {
        UrlRequest preflight = request("OPTIONS", "Origin", "https://app.example",
                "Access-Control-Request-Method", "POST");
        assertTrue(CorsPolicy.isPreflight(preflight));
        UrlResponse r = CorsPolicy.preflight(CORS, preflight);
        assertEquals(200, r.status());
        assertEquals(List.of("https://app.example"), values(r, "Access-Control-Allow-Origin"));
        assertEquals(List.of("GET,POST"), values(r, "Access-Control-Allow-Methods"));
        assertEquals(List.of("content-type,x-api-key"), values(r, "Access-Control-Allow-Headers"));
        assertEquals(List.of("300"), values(r, "Access-Control-Max-Age"));
        assertEquals(List.of("true"), values(r, "Access-Control-Allow-Credentials"));
    }

    @Test
    void aPreflightFromAnotherOriginOrForAnotherMethodGetsNoCorsHeaders() {
        UrlResponse otherOrigin = CorsPolicy.preflight(CORS, request("OPTIONS", "Origin", "https://evil.example",
                "Access-Control-Request-Method", "GET"));
        assertTrue(values(otherOrigin, "Access-Control-Allow-Origin").isEmpty());
        UrlResponse otherMethod = CorsPolicy.preflight(CORS, request("OPTIONS", "Origin", "https://app.example",
                "Access-Control-Request-Method", "DELETE"));
        assertTrue(values(otherMethod, "Access-Control-Allow-Origin").isEmpty());
        assertFalse(CorsPolicy.isPreflight(request("OPTIONS", "Origin", "https://app.example")));
    }

    @Test
    void aResponseGetsTheConfiguredHeadersInPlaceOfTheFunctionsOwn() {
        UrlResponse fromFunction = new UrlResponse(200, List.of(new UrlRequest.Header("X-Own", "1"),
                new UrlRequest.Header("Access-Control-Allow-Origin", "*")), new byte[0]);
        UrlResponse r = CorsPolicy.decorate(CORS, request("GET", "Origin", "https://app.example"), fromFunction);
        assertEquals(List.of("https://app.example"), values(r, "Access-Control-Allow-Origin"));
        assertEquals(List.of("x-request-id"), values(r, "Access-Control-Expose-Headers"));
        assertEquals(List.of("1"), values(r, "X-Own"));

        Cors anyOrigin = new Cors(null, null, List.of("*"), List.of("*"), null, null);
        UrlResponse any = CorsPolicy.decorate(anyOrigin, request("GET", "Origin", "https://x.example"),
                fromFunction);
        assertEquals(List.of("*"), values(any, "Access-Control-Allow-Origin"));
    }
}
