package dev.thaw.cli;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Signs the CLI's requests with SigV4 (the AWS SDK's signer), as the AWS CLI would: credentials from the standard
 * chain (Java system properties, then {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}/{@code
 * AWS_SESSION_TOKEN}, then the {@code ~/.aws} profile files with {@code AWS_PROFILE}), never an instance metadata
 * service. Without credentials the CLI sends unsigned requests, which a server without access keys accepts.
 */
final class RequestSigner {
    private static final String SERVICE = "lambda";

    private final AwsCredentialsIdentity credentials;
    private final String region;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    private RequestSigner(AwsCredentialsIdentity credentials, String region) {
        this.credentials = credentials;
        this.region = region;
    }

    /** A signer for {@code region} when the chain finds credentials. */
    static Optional<RequestSigner> fromCredentialChain(String region) {
        try (AwsCredentialsProviderChain chain = AwsCredentialsProviderChain.builder()
                .credentialsProviders(SystemPropertyCredentialsProvider.create(),
                        EnvironmentVariableCredentialsProvider.create(), ProfileCredentialsProvider.create())
                .build()) {
            AwsCredentials found = chain.resolveCredentials();
            return Optional.of(new RequestSigner(found, region));
        } catch (SdkClientException none) {
            return Optional.empty();
        }
    }

    /** The region to sign for: {@code --region}, else {@code AWS_REGION}, {@code AWS_DEFAULT_REGION}, us-east-1. */
    static String region(String option, Map<String, String> env) {
        if (option != null && !option.isEmpty()) {
            return option;
        }
        for (String name : List.of("AWS_REGION", "AWS_DEFAULT_REGION")) {
            String value = env.get(name);
            if (value != null && !value.isEmpty()) {
                return value;
            }
        }
        return "us-east-1";
    }

    /**
     * The headers to send with a request to {@code uri}: {@code headers} plus the signature's. The Host header is
     * signed as the JDK's client sends it, and left for that client to send.
     */
    Map<String, String> sign(String method, URI uri, Map<String, String> headers, byte[] body) {
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri)
                .putHeader("Host", uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort());
        headers.forEach(request::putHeader);
        SignRequest.Builder<AwsCredentialsIdentity> sign = SignRequest.builder(credentials)
                .request(request.build())
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, SERVICE)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, true)
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body == null ? new byte[0] : body));
        Map<String, String> signed = new LinkedHashMap<>();
        signer.sign(sign.build()).request().headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Host")) {
                signed.put(name, values.getFirst());
            }
        });
        return signed;
    }
}
