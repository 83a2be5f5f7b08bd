package dev.thaw.auth;

import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.net.URI;
import java.time.Duration;

/**
 * Presigned GET URLs the server hands out for its own resources, as GetFunction's {@code Code.Location} is a
 * presigned URL on AWS: signed with the caller's key, by the AWS SDK's signer, so the download passes
 * {@link SignatureVerifier} without further credentials until it expires.
 */
public final class Presigner {
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final String region;

    public Presigner(String region) {
        this.region = region;
    }

    public URI presignGet(URI url, AccessKey key, Duration validFor) {
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.GET).uri(url)
                .putHeader("Host", url.getPort() < 0 ? url.getHost() : url.getHost() + ":" + url.getPort())
                .build();
        return signer.sign(SignRequest.builder(AwsCredentialsIdentity.create(key.id(), key.secret()))
                        .request(request)
                        .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, SignatureVerifier.SERVICE)
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                        .putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                        .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, validFor)
                        .build())
                .request().getUri();
    }
}
