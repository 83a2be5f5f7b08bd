package dev.thaw.auth;

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

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Checks a request's SigV4 signature for service {@code lambda} (CloudWatch Logs calls: {@code logs}) in the
 * server's region, in the order AWS does: a
 * signature at all, readable, a known key id, the credential scope, the time window (15 minutes either side of the
 * server's clock; a presigned request until its {@code X-Amz-Expires}), and last, with the body read, the signature.
 *
 * <p>The expected signature is computed by the AWS SDK's SigV4 signers from the request as received: the method, the
 * still-encoded path and query, only the headers the client signed, and the body's SHA-256 (or
 * {@code UNSIGNED-PAYLOAD} where the client signed that), with the request's own date as the signing clock. Which
 * of the SDK's two signers: the current {@link AwsV4HttpSigner} always signs an {@code x-amz-content-sha256} header,
 * so it checks the requests that signed one (the SDK for Java v2, S3-style clients) and presigned queries; the
 * classic {@link Aws4Signer} signs exactly the headers it is given, so it checks the requests that did not (the AWS
 * CLI and most other SDKs). The comparison runs in constant time.
 */
public final class SignatureVerifier {
    static final String SERVICE = "lambda";
    /** The CloudWatch Logs reads served on the same endpoint are signed for their own service. */
    static final String LOGS_SERVICE = "logs";
    private static final String LOGS_TARGET_PREFIX = "logs_20140328.";
    static final Duration CLOCK_SKEW = Duration.ofMinutes(15);
    private static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    private static final Set<String> PRESIGN_PARAMETERS = Set.of("X-Amz-Algorithm", "X-Amz-Credential",
            "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires", "X-Amz-Signature");
    static final String MISMATCH = "The request signature we calculated does not match the signature you provided. "
            + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    private final AccessKeys keys;
    private final String region;
    private final Clock clock;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    @SuppressWarnings("deprecation")  // the SDK's only signer that signs no header of its own; see the class comment
    private final Aws4Signer classicSigner = Aws4Signer.create();

    public SignatureVerifier(AccessKeys keys, String region, Clock clock) {
        this.keys = keys;
        this.region = region;
        this.clock = clock;
    }

    public Verdict verify(ReceivedRequest request) {
        SdkHttpRequest received;
        try {
            received = SdkHttpRequest.builder()
                    .method(SdkHttpMethod.fromValue(request.method()))
                    .uri(URI.create("http://" + request.host() + request.rawPath()
                            + (request.rawQuery().isEmpty() ? "" : "?" + request.rawQuery())))
                    .build();
        } catch (IllegalArgumentException unreadable) {
            return new Verdict.Refused(Verdict.Refusal.INVALID, MISMATCH);
        }
        SignatureParts parts;
        try {
            parts = SignatureParts.parse(request, received.rawQueryParameters());
        } catch (SignatureParts.Missing e) {
            return new Verdict.Refused(Verdict.Refusal.MISSING, e.getMessage());
        } catch (SignatureParts.Malformed e) {
            return new Verdict.Refused(Verdict.Refusal.INCOMPLETE, e.getMessage());
        }
        AccessKey key = keys.find(parts.keyId()).orElse(null);
        if (key == null) {
            return new Verdict.Refused(Verdict.Refusal.UNKNOWN_KEY,
                    "The security token included in the request is invalid.");
        }
        String service = serviceOf(request);
        if (!parts.service().equals(service)) {
            return new Verdict.Refused(Verdict.Refusal.INVALID,
                    "Credential should be scoped to correct service: '" + service + "'. ");
        }
        if (!parts.region().equals(region)) {
            return new Verdict.Refused(Verdict.Refusal.INVALID,
                    "Credential should be scoped to a valid region, not '" + parts.region() + "'. ");
        }
        String outOfTime = outOfTime(parts, clock.instant());
        if (outOfTime != null) {
            return new Verdict.Refused(Verdict.Refusal.INVALID, outOfTime);
        }
        String expected;
        try {
            expected = expectedSignature(request, received, parts, key);
        } catch (RuntimeException cannotSign) {  // for example a signed header the request does not carry
            return new Verdict.Refused(Verdict.Refusal.INVALID, MISMATCH);
        }
        boolean matches = MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                parts.signature().getBytes(StandardCharsets.US_ASCII));
        return matches ? new Verdict.Accepted(key) : new Verdict.Refused(Verdict.Refusal.INVALID, MISMATCH);
    }

    /** Why the request's date is outside its window, in AWS's words; null when it is inside. */
    static String outOfTime(SignatureParts parts, Instant now) {
        String date = SignatureParts.AMZ_DATE.format(parts.date());
        if (parts.date().isAfter(now.plus(CLOCK_SKEW))) {
            return "Signature not yet current: " + date + " is still later than "
                    + SignatureParts.AMZ_DATE.format(now.plus(CLOCK_SKEW)) + " (" + SignatureParts.AMZ_DATE.format(now)
                    + " + 15 min.)";
        }
        Duration window = parts.expires().orElse(CLOCK_SKEW);
        if (parts.date().isBefore(now.minus(window))) {
            return "Signature expired: " + date + " is now earlier than "
                    + SignatureParts.AMZ_DATE.format(now.minus(window)) + " (" + SignatureParts.AMZ_DATE.format(now)
                    + (parts.expires().isPresent() ? " - " + window.toSeconds() + " sec.)" : " - 15 min.)");
        }
        return null;
    }

    /** {@code logs} for a CloudWatch Logs call ({@code X-Amz-Target: Logs_20140328.*}), else {@code lambda}. */
    static String serviceOf(ReceivedRequest request) {
        return request.header("x-amz-target").map(t -> t.toLowerCase(java.util.Locale.ROOT))
                .filter(t -> t.startsWith(LOGS_TARGET_PREFIX)).map(t -> LOGS_SERVICE).orElse(SERVICE);
    }

    private String expectedSignature(ReceivedRequest request, SdkHttpRequest received, SignatureParts parts,
                                     AccessKey key) {
        SdkHttpRequest.Builder toSign = received.toBuilder().clearHeaders();
        for (String name : parts.signedHeaders()) {
            List<String> values = request.headers().get(name);
            if (values == null) {
                throw new IllegalArgumentException("signed header " + name + " is not in the request");
            }
            toSign.putHeader(name, values);
        }
        Clock signingClock = Clock.fixed(parts.date(), java.time.ZoneOffset.UTC);
        AwsCredentialsIdentity identity = AwsCredentialsIdentity.create(key.id(), key.secret());
        if (parts.presigned()) {
            PRESIGN_PARAMETERS.forEach(toSign::removeQueryParameter);
            SignRequest.Builder<AwsCredentialsIdentity> sign = signRequest(toSign.build(), identity, signingClock,
                    parts.service())
                    .putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING);
            parts.expires().ifPresent(d -> sign.putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, d));
            return signer.sign(sign.build()).request().firstMatchingRawQueryParameter("X-Amz-Signature").orElseThrow();
        }
        byte[] body = request.body().get();
        if (parts.signedHeaders().contains("x-amz-content-sha256")) {
            boolean unsignedPayload = request.header("x-amz-content-sha256").orElse("").equals(UNSIGNED_PAYLOAD);
            SignRequest.Builder<AwsCredentialsIdentity> sign = signRequest(toSign.build(), identity, signingClock,
                    parts.service())
                    .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, !unsignedPayload);
            if (!unsignedPayload) {
                sign.payload(ContentStreamProvider.fromByteArrayUnsafe(body));
            }
            return signatureOf(signer.sign(sign.build()).request().firstMatchingHeader("Authorization").orElseThrow());
        }
        return signatureOf(classicSignature(toSign.build(), body, key, signingClock, parts.service()));
    }

    private SignRequest.Builder<AwsCredentialsIdentity> signRequest(SdkHttpRequest request,
                                                                    AwsCredentialsIdentity identity, Clock clock,
                                                                    String service) {
        return SignRequest.builder(identity)
                .request(request)
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4FamilyHttpSigner.SIGNING_CLOCK, clock);
    }

    @SuppressWarnings("deprecation")
    private String classicSignature(SdkHttpRequest request, byte[] body, AccessKey key, Clock signingClock,
                                    String service) {
        SdkHttpFullRequest full = SdkHttpFullRequest.builder()
                .method(request.method())
                .uri(request.getUri())
                .headers(request.headers())
                .contentStreamProvider(ContentStreamProvider.fromByteArrayUnsafe(body))
                .build();
        Aws4SignerParams params = Aws4SignerParams.builder()
                .awsCredentials(AwsBasicCredentials.create(key.id(), key.secret()))
                .signingName(service)
                .signingRegion(Region.of(region))
                .signingClockOverride(signingClock)
                .build();
        return classicSigner.sign(full, params).firstMatchingHeader("Authorization").orElseThrow();
    }

    /** The {@code Signature=} value of an Authorization header the signer made. */
    private static String signatureOf(String authorization) {
        int at = authorization.lastIndexOf("Signature=");
        return authorization.substring(at + "Signature=".length()).strip();
    }
}
