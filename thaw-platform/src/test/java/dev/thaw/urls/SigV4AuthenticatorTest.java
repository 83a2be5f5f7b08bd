package dev.thaw.urls;

import dev.thaw.auth.AccessKeys;
import dev.thaw.auth.SignatureVerifier;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SigV4AuthenticatorTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private static final String HOST = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.localhost";
    private final SigV4Authenticator authenticator = authenticator(NOW);

    /** The platform's verifier with two keys, at {@code now}. */
    private static SigV4Authenticator authenticator(Instant now) {
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("thaw-keys-", ".ini");
            try {
                java.nio.file.Files.writeString(file, "[thaw]\naws_access_key_id = AKIDTHAW\n"
                        + "aws_secret_access_key = s3cret\n[curl]\naws_access_key_id = AKID\n"
                        + "aws_secret_access_key = secret\n");
                return new SigV4Authenticator(new SignatureVerifier(AccessKeys.read(file), "us-east-1",
                        Clock.fixed(now, ZoneOffset.UTC)), "123456789012");
            } finally {
                java.nio.file.Files.delete(file);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A request signed as a client signs it: the SDK's signer with the caller's key, at {@code signedAt}. */
    private static UrlRequest signed(String secret, String region, Instant signedAt, byte[] body) {
        SdkHttpRequest http = SdkHttpRequest.builder().method(SdkHttpMethod.POST).protocol("http").host(HOST)
                .port(9001).encodedPath("/orders/7").putRawQueryParameter("q", "a b")
                .putHeader("Content-Type", "application/json").build();
        SdkHttpRequest signedRequest = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create("AKIDTHAW", secret))
                .request(http).payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "lambda")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC))).request();
        List<UrlRequest.Header> headers = new ArrayList<>();
        signedRequest.forEachHeader((name, values) -> values.forEach(v -> headers.add(new UrlRequest.Header(name, v))));
        if (signedRequest.firstMatchingHeader("Host").isEmpty()) {
            headers.add(new UrlRequest.Header("Host", HOST + ":9001"));
        }
        return new UrlRequest("abcdefghijklmnopqrstuvwxyz012345", "POST", "/orders/7", "/orders/7", "q=a%20b",
                headers, Map.of("q", List.of("a b")), "HTTP/1.1", "127.0.0.1", HOST, body);
    }

    private static byte[] body(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRequestSignedWithAKnownKeyNamesItsCaller() {
        Optional<UrlEvent.Caller> caller = authenticator.authenticate(signed("s3cret", "us-east-1", NOW,
                body("{\"n\":1}")));
        assertEquals(Optional.of(new UrlEvent.Caller("AKIDTHAW", "123456789012")), caller);
    }

    @Test
    void aWrongSecretAnotherRegionAChangedBodyOrAnOldSignatureIsRefused() {
        assertTrue(authenticator.authenticate(signed("wrong", "us-east-1", NOW, body("{}"))).isEmpty());
        assertTrue(authenticator.authenticate(signed("s3cret", "eu-west-1", NOW, body("{}"))).isEmpty());
        assertTrue(authenticator.authenticate(signed("s3cret", "us-east-1", NOW.minus(Duration.ofMinutes(16)),
                body("{}"))).isEmpty());
        UrlRequest r = signed("s3cret", "us-east-1", NOW, body("{\"n\":1}"));
        UrlRequest tampered = new UrlRequest(r.urlId(), r.method(), r.sentPath(), r.rawPath(), r.rawQuery(),
                r.headers(), r.queryParameters(), r.protocol(), r.sourceIp(), r.domainName(), body("{\"n\":2}"));
        assertTrue(authenticator.authenticate(tampered).isEmpty());
    }

    /** A GET that curl 7.88 signed ({@code --aws-sigv4 aws:amz:us-east-1:lambda --user AKID:secret}). */
    @Test
    void aSignatureCurlMadeIsAccepted() {
        String host = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.localhost:18777";
        List<UrlRequest.Header> headers = List.of(new UrlRequest.Header("Host", host),
                new UrlRequest.Header("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261206/us-east-1/lambda/"
                        + "aws4_request, SignedHeaders=host;x-amz-date, "
                        + "Signature=4dcf8417a46a8a1fb7b0f46a29e8b116fd6f9304b14f588024343c25e461473a"),
                new UrlRequest.Header("X-Amz-Date", "20261206T191944Z"),
                new UrlRequest.Header("User-Agent", "curl/7.88.1"), new UrlRequest.Header("Accept", "*/*"));
        UrlRequest r = new UrlRequest("abcdefghijklmnopqrstuvwxyz012345", "GET", "/private", "/private", "x=1",
                headers, Map.of("x", List.of("1")), "HTTP/1.1", "127.0.0.1", host, new byte[0]);
        SigV4Authenticator atThatTime = authenticator(Instant.parse("2026-12-06T19:20:00Z"));
        assertEquals(Optional.of(new UrlEvent.Caller("AKID", "123456789012")), atThatTime.authenticate(r));
    }

    @Test
    void anUnsignedRequestIsRefused() {
        UrlRequest r = new UrlRequest("id", "GET", "/", "/", "", List.of(new UrlRequest.Header("Host", HOST)),
                Map.of(), "HTTP/1.1", "127.0.0.1", HOST, new byte[0]);
        assertTrue(authenticator.authenticate(r).isEmpty());
        assertTrue(RequestAuthenticator.refuseAll().authenticate(r).isEmpty());
    }
}
