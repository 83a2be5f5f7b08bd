package dev.thaw.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4SignerParams;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests signed by the AWS SDK's signers as clients sign them (the current signer as the SDK for Java v2 does, the
 * classic one as the AWS CLI does: no content-hash header) and the server's verdict on each, on a fixed clock.
 */
class SignatureVerifierTest {
    private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    private static final URI INVOKE = URI.create(
            "http://127.0.0.1:9000/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Ahello"
                    + "/invocations?Qualifier=live%20one");
    private static final byte[] BODY = "{\"name\":\"signed\"}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private SignatureVerifier verifier() throws IOException {
        Path keys = Files.writeString(dir.resolve("keys"),
                "[alice]\naws_access_key_id = AKIDALICE\naws_secret_access_key = alice/secret\n");
        return new SignatureVerifier(AccessKeys.read(keys), "us-east-1", Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static SdkHttpRequest request(SdkHttpMethod method, URI uri) {
        return SdkHttpRequest.builder().method(method).uri(uri)
                .putHeader("Host", uri.getHost() + ":" + uri.getPort())
                .putHeader("Content-Type", "application/json")
                .putHeader("X-Amz-Log-Type", "Tail")
                .build();
    }

    /** As the SDK for Java v2 signs: with an x-amz-content-sha256 header. */
    private static SdkHttpRequest signCurrent(SdkHttpRequest request, String id, String secret, Instant at,
                                              boolean signPayload, String region) {
        SignRequest.Builder<AwsCredentialsIdentity> b = SignRequest.builder(AwsCredentialsIdentity.create(id, secret))
                .request(request)
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "lambda")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4FamilyHttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC))
                .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, signPayload);
        if (signPayload) {
            b.payload(ContentStreamProvider.fromByteArray(BODY));
        }
        return AwsV4HttpSigner.create().sign(b.build()).request();
    }

    /** As the AWS CLI signs: the body's hash in the canonical request, no content-hash header. */
    @SuppressWarnings("deprecation")
    private static SdkHttpRequest signClassic(SdkHttpRequest request, String id, String secret, Instant at) {
        SdkHttpFullRequest full = SdkHttpFullRequest.builder().method(request.method()).uri(request.getUri())
                .headers(request.headers()).contentStreamProvider(ContentStreamProvider.fromByteArray(BODY)).build();
        return Aws4Signer.create().sign(full, Aws4SignerParams.builder()
                .awsCredentials(AwsBasicCredentials.create(id, secret)).signingName("lambda")
                .signingRegion(Region.US_EAST_1).signingClockOverride(Clock.fixed(at, ZoneOffset.UTC)).build());
    }

    private static SdkHttpRequest presign(SdkHttpRequest request, Instant at, Duration expires) {
        return AwsV4HttpSigner.create().sign(SignRequest.builder(AwsCredentialsIdentity.create("AKIDALICE",
                        "alice/secret"))
                .request(request)
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "lambda")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4FamilyHttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC))
                .putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, expires)
                .build()).request();
    }

    /** What the server receives for {@code signed}, with {@code body}; {@code bodyRead} records a read. */
    private static ReceivedRequest received(SdkHttpRequest signed, byte[] body, AtomicBoolean bodyRead) {
        Map<String, List<String>> headers = new HashMap<>();
        signed.headers().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        headers.put("user-agent", List.of("not signed, so free to change"));
        URI uri = signed.getUri();
        return new ReceivedRequest(signed.method().name(), uri.getHost() + ":" + uri.getPort(), uri.getRawPath(),
                uri.getRawQuery() == null ? "" : uri.getRawQuery(), headers, () -> {
                    bodyRead.set(true);
                    return body;
                });
    }

    private static ReceivedRequest received(SdkHttpRequest signed, byte[] body) {
        return received(signed, body, new AtomicBoolean());
    }

    private static void assertRefused(Verdict.Refusal refusal, String messageStart, Verdict verdict) {
        Verdict.Refused refused = assertInstanceOf(Verdict.Refused.class, verdict);
        assertEquals(refusal, refused.refusal());
        assertTrue(refused.message().startsWith(messageStart), refused.message());
    }

    @Test
    void aRequestSignedAsTheJavaSdkSignsIsAcceptedWithItsKey() throws IOException {
        SdkHttpRequest signed = signCurrent(request(SdkHttpMethod.POST, INVOKE), "AKIDALICE", "alice/secret", NOW,
                true, "us-east-1");
        Verdict verdict = verifier().verify(received(signed, BODY));
        assertEquals("AKIDALICE", assertInstanceOf(Verdict.Accepted.class, verdict).key().id());
    }

    @Test
    void aRequestSignedAsTheAwsCliSignsIsAccepted() throws IOException {
        SdkHttpRequest signed = signClassic(request(SdkHttpMethod.POST, INVOKE), "AKIDALICE", "alice/secret", NOW);
        assertFalse(signed.firstMatchingHeader("x-amz-content-sha256").isPresent());
        assertInstanceOf(Verdict.Accepted.class, verifier().verify(received(signed, BODY)));
    }

    @Test
    void aChangedBodyPathOrQueryNoLongerMatches() throws IOException {
        SignatureVerifier verifier = verifier();
        for (SdkHttpRequest signed : List.of(
                signCurrent(request(SdkHttpMethod.POST, INVOKE), "AKIDALICE", "alice/secret", NOW, true, "us-east-1"),
                signClassic(request(SdkHttpMethod.POST, INVOKE), "AKIDALICE", "alice/secret", NOW))) {
            assertRefused(Verdict.Refusal.INVALID, SignatureVerifier.MISMATCH,
                    verifier.verify(received(signed, "{\"name\":\"forged\"}".getBytes(StandardCharsets.UTF_8))));
            SdkHttpRequest otherFunction = signed.toBuilder().encodedPath(
                    signed.encodedPath().replace("hello", "other")).build();
            assertRefused(Verdict.Refusal.INVALID, SignatureVerifier.MISMATCH,
                    verifier.verify(received(otherFunction, BODY)));
            SdkHttpRequest otherQualifier = signed.toBuilder().putRawQueryParameter("Qualifier", "1").build();
            assertRefused(Verdict.Refusal.INVALID, SignatureVerifier.MISMATCH,
                    verifier.verify(received(otherQualifier, BODY)));
        }
    }

    @Test
    void anUnsignedPayloadIsAcceptedWhateverTheBody() throws IOException {
        SdkHttpRequest signed = signCurrent(request(SdkHttpMethod.POST, INVOKE), "AKIDALICE", "alice/secret", NOW,
                false, "us-east-1");
        assertEquals("UNSIGNED-PAYLOAD", signed.firstMatchingHeader("x-amz-content-sha256").orElseThrow());
        assertInstanceOf(Verdict.Accepted.class, verifier().verify(received(signed, "{}".getBytes())));
    }

    @Test
    void aWrongSecretAnUnknownKeyAndNoSignatureEachGetTheirRefusal() throws IOException {
        SignatureVerifier verifier = verifier();
        assertRefused(Verdict.Refusal.INVALID, SignatureVerifier.MISMATCH, verifier.verify(received(
                signCurrent(request(SdkHttpMethod.POST, INVOKE), "AKIDALICE", "guess", NOW, true, "us-east-1"), BODY)));

        AtomicBoolean bodyRead = new AtomicBoolean();
        assertRefused(Verdict.Refusal.UNKNOWN_KEY, "The security token included in the request is invalid.",
                verifier.verify(received(signClassic(request(SdkHttpMethod.POST, INVOKE), "AKIDMALLORY", "x", NOW),
                        BODY, bodyRead)));
        assertFalse(bodyRead.get(), "a request by an unknown key must not get its body read");

        assertRefused(Verdict.Refusal.MISSING, "Missing Authentication Token",
                verifier.verify(received(request(SdkHttpMethod.POST, INVOKE), BODY)));
    }

    @Test
    void aSignatureMoreThanFifteenMinutesOffTheServerClockIsRefusedEitherWay() throws IOException {
        SignatureVerifier verifier = verifier();
        assertRefused(Verdict.Refusal.INVALID, "Signature expired: 20261206T094000Z is now earlier than "
                + "20261206T094500Z (20261206T100000Z - 15 min.)", verifier.verify(received(signCurrent(
                request(SdkHttpMethod.POST, INVOKE), "AKIDALICE", "alice/secret", NOW.minus(Duration.ofMinutes(20)),
                true, "us-east-1"), BODY)));
        assertRefused(Verdict.Refusal.INVALID, "Signature not yet current", verifier.verify(received(signCurrent(
                request(SdkHttpMethod.POST, INVOKE), "AKIDALICE", "alice/secret", NOW.plus(Duration.ofMinutes(20)),
                true, "us-east-1"), BODY)));
        assertInstanceOf(Verdict.Accepted.class, verifier.verify(received(signCurrent(
                request(SdkHttpMethod.POST, INVOKE), "AKIDALICE", "alice/secret", NOW.minus(Duration.ofMinutes(14)),
                true, "us-east-1"), BODY)));
    }

    /** As the AWS CLI signs a call of {@code service}: the classic signer, for AKIDALICE at NOW. */
    @SuppressWarnings("deprecation")
    private static SdkHttpRequest signClassicFor(SdkHttpRequest request, String service) {
        SdkHttpFullRequest full = SdkHttpFullRequest.builder().method(request.method()).uri(request.getUri())
                .headers(request.headers()).contentStreamProvider(ContentStreamProvider.fromByteArray(BODY)).build();
        return Aws4Signer.create().sign(full, Aws4SignerParams.builder()
                .awsCredentials(AwsBasicCredentials.create("AKIDALICE", "alice/secret")).signingName(service)
                .signingRegion(Region.US_EAST_1).signingClockOverride(Clock.fixed(NOW, ZoneOffset.UTC)).build());
    }

    @Test
    void aCloudWatchLogsCallIsSignedForTheLogsServiceAndEveryOtherForLambda() throws IOException {
        SdkHttpRequest logsCall = request(SdkHttpMethod.POST, URI.create("http://127.0.0.1:9000/")).toBuilder()
                .putHeader("X-Amz-Target", "Logs_20140328.FilterLogEvents").build();
        assertInstanceOf(Verdict.Accepted.class, verifier().verify(received(signClassicFor(logsCall, "logs"), BODY)));
        assertRefused(Verdict.Refusal.INVALID, "Credential should be scoped to correct service: 'logs'",
                verifier().verify(received(signClassicFor(logsCall, "lambda"), BODY)));
        assertRefused(Verdict.Refusal.INVALID, "Credential should be scoped to correct service: 'lambda'",
                verifier().verify(received(signClassicFor(request(SdkHttpMethod.POST, INVOKE), "logs"), BODY)));
    }

    @Test
    void aSignatureForAnotherRegionIsRefused() throws IOException {
        assertRefused(Verdict.Refusal.INVALID, "Credential should be scoped to a valid region, not 'eu-west-1'",
                verifier().verify(received(signCurrent(request(SdkHttpMethod.POST, INVOKE), "AKIDALICE",
                        "alice/secret", NOW, true, "eu-west-1"), BODY)));
    }

    @Test
    void aPresignedGetIsAcceptedUntilItExpiresAndNotWhenAltered() throws IOException {
        SignatureVerifier verifier = verifier();
        URI list = URI.create("http://127.0.0.1:9000/2015-03-31/functions?MaxItems=5");
        SdkHttpRequest get = SdkHttpRequest.builder().method(SdkHttpMethod.GET).uri(list)
                .putHeader("Host", "127.0.0.1:9000").build();
        SdkHttpRequest fresh = presign(get, NOW.minus(Duration.ofMinutes(4)), Duration.ofMinutes(5));
        assertTrue(fresh.firstMatchingRawQueryParameter("X-Amz-Signature").isPresent());
        assertInstanceOf(Verdict.Accepted.class, verifier.verify(received(fresh, new byte[0])));

        SdkHttpRequest expired = presign(get, NOW.minus(Duration.ofMinutes(6)), Duration.ofMinutes(5));
        assertRefused(Verdict.Refusal.INVALID, "Signature expired", verifier.verify(received(expired, new byte[0])));

        SdkHttpRequest stretched = fresh.toBuilder().putRawQueryParameter("X-Amz-Expires", "3600").build();
        assertRefused(Verdict.Refusal.INVALID, SignatureVerifier.MISMATCH,
                verifier.verify(received(stretched, new byte[0])));
        SdkHttpRequest more = fresh.toBuilder().putRawQueryParameter("MaxItems", "50").build();
        assertRefused(Verdict.Refusal.INVALID, SignatureVerifier.MISMATCH,
                verifier.verify(received(more, new byte[0])));
    }
}
