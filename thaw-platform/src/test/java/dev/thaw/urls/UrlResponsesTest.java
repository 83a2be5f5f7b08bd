package dev.thaw.urls;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UrlResponsesTest {
    private static UrlResponse map(String payload) {
        return UrlResponses.fromPayload(payload.getBytes(StandardCharsets.UTF_8)).orElseThrow();
    }

    private static boolean malformed(String payload) {
        return UrlResponses.fromPayload(payload.getBytes(StandardCharsets.UTF_8)).isEmpty();
    }

    private static List<String> values(UrlResponse r, String name) {
        return r.headers().stream().filter(h -> h.name().equalsIgnoreCase(name)).map(UrlRequest.Header::value)
                .toList();
    }

    private static String body(UrlResponse r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void aResponseObjectGivesItsStatusHeadersCookiesAndBody() {
        UrlResponse r = map("{\"statusCode\":201,\"headers\":{\"Content-Type\":\"text/plain\",\"X-Count\":3},"
                + "\"cookies\":[\"a=1; Path=/\",\"b=2\"],\"body\":\"made\"}");
        assertEquals(201, r.status());
        assertEquals(List.of("text/plain"), values(r, "content-type"));
        assertEquals(List.of("3"), values(r, "x-count"));
        assertEquals(List.of("a=1; Path=/", "b=2"), values(r, "set-cookie"), "one Set-Cookie per cookie");
        assertEquals("made", body(r));
    }

    @Test
    void aBase64BodyIsDecoded() {
        UrlResponse r = map("{\"statusCode\":200,\"isBase64Encoded\":true,\"body\":\"AAEC/w==\"}");
        assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xff}, r.body());
        assertEquals(List.of("application/json"), values(r, "content-type"), "the default content type");
    }

    @Test
    void aBareStringIsTheBodyOfA200AndAnyOtherValueItsJson() {
        UrlResponse text = map("\"Hello (world)\"");
        assertEquals(200, text.status());
        assertEquals("Hello (world)", body(text));
        assertEquals(List.of("application/json"), values(text, "content-type"));

        UrlResponse object = map("{\"message\":\"Hello, world!\"}");
        assertEquals(200, object.status());
        assertEquals("{\"message\":\"Hello, world!\"}", body(object), "an object without statusCode is the body");

        assertEquals("[1,2]", body(map("[1,2]")));
        assertEquals("42", body(map("42")));
        assertEquals("", body(map("null")));
    }

    @Test
    void multiValueHeadersFillOnlyWhatHeadersLacks() {
        UrlResponse r = map("{\"statusCode\":200,\"headers\":{\"x-a\":\"1\"},"
                + "\"multiValueHeaders\":{\"x-a\":[\"9\"],\"x-b\":[\"1\",\"2\"]}}");
        assertEquals(List.of("1"), values(r, "x-a"));
        assertEquals(List.of("1", "2"), values(r, "x-b"));
    }

    @Test
    void aResponseThatBreaksTheRulesIsMalformed() {
        assertTrue(malformed("not json"));
        assertTrue(malformed("{\"statusCode\":\"teapot\"}"));
        assertTrue(malformed("{\"statusCode\":99}"));
        assertTrue(malformed("{\"statusCode\":600}"));
        assertTrue(malformed("{\"statusCode\":200,\"headers\":[\"x\"]}"));
        assertTrue(malformed("{\"statusCode\":200,\"headers\":{\"x\":{\"y\":1}}}"));
        assertTrue(malformed("{\"statusCode\":200,\"cookies\":\"a=1\"}"));
        assertTrue(malformed("{\"statusCode\":200,\"body\":{\"a\":1}}"));
        assertTrue(malformed("{\"statusCode\":200,\"isBase64Encoded\":true,\"body\":\"!!!\"}"));
        assertEquals(204, map("{\"statusCode\":\"204\"}").status(), "a status in a string of three digits is "
                + "accepted");
    }
}
