package dev.thaw.objects;

import dev.thaw.errors.ThawException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.multipart.MultipartConfiguration;
import software.amazon.awssdk.core.FileTransformerConfiguration;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;

/**
 * An S3 bucket (AWS's, or any S3-compatible server's through {@code --object-store-endpoint}, path-style) through
 * the AWS SDK's asynchronous client with its own multipart support: objects above {@link #PART_BYTES} go up in parts
 * and come down in parts, in parallel, with no native library (a server that ignores {@code partNumber} on GET, as
 * S3Proxy does, sends the whole object in one answer, which the SDK takes as one part).
 */
final class S3ObjectStore implements ObjectStore {
    /** The size of an upload's or download's parts, and the size above which an object is moved in parts. */
    static final long PART_BYTES = 8L << 20;
    /** AWS's limit on a function's unzipped size, which no package read from S3 can exceed zipped. */
    static final long MAX_USER_OBJECT_BYTES = 262_144_000L;

    private final S3AsyncClient client;
    private final Optional<ObjectStoreSettings.S3Location> location;
    private final String describe;

    private S3ObjectStore(S3AsyncClient client, Optional<ObjectStoreSettings.S3Location> location, String describe) {
        this.client = client;
        this.location = location;
        this.describe = describe;
    }

    static S3ObjectStore open(ObjectStoreSettings settings, String region) {
        // Netty's direct-memory tricks through sun.misc.Unsafe make the JDK warn on every start; its plain path is
        // enough for moving files.
        if (System.getProperty("io.netty.noUnsafe") == null) {
            System.setProperty("io.netty.noUnsafe", "true");
        }
        Optional<ObjectStoreSettings.S3Location> location = settings.location().isEmpty() ? Optional.empty()
                : Optional.of(ObjectStoreSettings.S3Location.parse(settings.location()));
        AwsCredentialsProvider credentials = settings.accessKeyId().isEmpty()
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKeyId(),
                        settings.secretAccessKey()));
        S3AsyncClientBuilder builder = S3AsyncClient.builder()
                .region(Region.of(region))
                .credentialsProvider(credentials)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(32)
                        .connectionTimeout(Duration.ofSeconds(5)))
                .multipartEnabled(true)
                .multipartConfiguration(MultipartConfiguration.builder().thresholdInBytes(PART_BYTES)
                        .minimumPartSizeInBytes(PART_BYTES).build());
        if (!settings.endpoint().isEmpty()) {
            // S3-compatible servers are addressed by path, and not all of them know the newer flexible checksums;
            // images are checked end to end against their manifest's SHA-256s anyway.
            builder.endpointOverride(URI.create(settings.endpoint())).forcePathStyle(true)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    .overrideConfiguration(o -> o.addExecutionInterceptor(new WithoutNewerHeaders()));
        }
        S3AsyncClient client = builder.build();
        String where = settings.endpoint().isEmpty() ? "S3" : settings.endpoint();
        S3ObjectStore store = new S3ObjectStore(client, location,
                location.map(l -> "s3://" + l.bucket() + "/" + l.prefix() + " at " + where)
                        .orElse("the home only; Code.S3Bucket read from " + where));
        location.ifPresent(l -> {
            try {
                client.headBucket(b -> b.bucket(l.bucket())).join();
            } catch (CompletionException e) {
                client.close();
                throw new IllegalStateException("cannot reach the object store's bucket " + l.bucket() + " at "
                        + where + ": " + describe(e.getCause()), e.getCause());
            }
        });
        return store;
    }

    /**
     * Drops the optional headers that S3-compatible servers may not know and refuse as NotImplemented (S3Proxy
     * does): the object size the SDK adds to CompleteMultipartUpload, which S3 only uses as an extra check.
     */
    private static final class WithoutNewerHeaders implements ExecutionInterceptor {
        @Override
        public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context,
                                                ExecutionAttributes executionAttributes) {
            return context.httpRequest().toBuilder().removeHeader("x-amz-mp-object-size").build();
        }
    }

    @Override
    public boolean shared() {
        return location.isPresent();
    }

    private ObjectStoreSettings.S3Location location() {
        return location.orElseThrow(() -> new IllegalStateException("no --object-store bucket is configured"));
    }

    private String fullKey(String key) {
        return location().prefix() + key;
    }

    @Override
    public void put(String key, Path file) {
        try {
            client.putObject(b -> b.bucket(location().bucket()).key(fullKey(key)), AsyncRequestBody.fromFile(file))
                    .join();
        } catch (CompletionException e) {
            throw new ObjectStoreException("cannot upload " + key + ": " + describe(e.getCause()), e.getCause());
        }
    }

    @Override
    public boolean get(String key, Path target) {
        try {
            client.getObject(b -> b.bucket(location().bucket()).key(fullKey(key)),
                    AsyncResponseTransformer.toFile(target,
                            FileTransformerConfiguration.defaultCreateOrReplaceExisting())).join();
            return true;
        } catch (CompletionException e) {
            if (e.getCause() instanceof NoSuchKeyException
                    || e.getCause() instanceof S3Exception s && s.statusCode() == 404) {
                return false;
            }
            throw new ObjectStoreException("cannot download " + key + ": " + describe(e.getCause()), e.getCause());
        }
    }

    @Override
    public List<String> list(String prefix) {
        List<String> keys = new ArrayList<>();
        String token = null;
        try {
            do {
                String continuation = token;
                ListObjectsV2Response page = client.listObjectsV2(b -> b.bucket(location().bucket())
                        .prefix(fullKey(prefix)).continuationToken(continuation)).join();
                for (S3Object o : page.contents()) {
                    keys.add(o.key().substring(location().prefix().length()));
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
        } catch (CompletionException e) {
            throw new ObjectStoreException("cannot list " + prefix + ": " + describe(e.getCause()), e.getCause());
        }
        return keys;
    }

    @Override
    public void delete(String keyOrPrefix) {
        try {
            if (!keyOrPrefix.endsWith("/")) {
                client.deleteObject(b -> b.bucket(location().bucket()).key(fullKey(keyOrPrefix))).join();
                return;
            }
            List<String> keys = list(keyOrPrefix);
            for (int i = 0; i < keys.size(); i += 1000) {
                List<ObjectIdentifier> batch = keys.subList(i, Math.min(keys.size(), i + 1000)).stream()
                        .map(k -> ObjectIdentifier.builder().key(fullKey(k)).build()).toList();
                client.deleteObjects(b -> b.bucket(location().bucket())
                        .delete(Delete.builder().objects(batch).quiet(true).build())).join();
            }
        } catch (CompletionException e) {
            throw new ObjectStoreException("cannot delete " + keyOrPrefix + ": " + describe(e.getCause()),
                    e.getCause());
        }
    }

    @Override
    public byte[] readUserObject(String bucket, String key, Optional<String> versionId) {
        try {
            HeadObjectResponse head = client.headObject(b -> b.bucket(bucket).key(key)
                    .versionId(versionId.orElse(null))).join();
            if (head.contentLength() != null && head.contentLength() > MAX_USER_OBJECT_BYTES) {
                throw ThawException.invalidParameter("Unzipped size must be smaller than " + MAX_USER_OBJECT_BYTES
                        + " bytes");
            }
        } catch (CompletionException e) {
            // A HEAD has no body to say whether the bucket or the key is missing; the GET below says which.
            if (!(e.getCause() instanceof S3Exception s && s.statusCode() == 404)) {
                throw getObjectError(e.getCause());
            }
        }
        try {
            return client.getObject(b -> b.bucket(bucket).key(key).versionId(versionId.orElse(null)),
                    AsyncResponseTransformer.toBytes()).join().asByteArray();
        } catch (CompletionException e) {
            throw getObjectError(e.getCause());
        }
    }

    /** Lambda's report of a package it could not read: S3's own error code and message. */
    private static ThawException getObjectError(Throwable cause) {
        String code = "ServiceUnavailable";
        String message = describe(cause);
        if (cause instanceof S3Exception s && s.awsErrorDetails() != null
                && s.awsErrorDetails().errorCode() != null) {
            code = s.awsErrorDetails().errorCode();
            message = s.awsErrorDetails().errorMessage();
        }
        return ThawException.invalidParameter("Error occurred while GetObject. S3 Error Code: " + code
                + ". S3 Error Message: " + message);
    }

    private static String describe(Throwable t) {
        if (t instanceof S3Exception s && s.awsErrorDetails() != null) {
            return s.awsErrorDetails().errorCode() + ": " + s.awsErrorDetails().errorMessage();
        }
        return t instanceof SdkException ? t.getMessage() : String.valueOf(t);
    }

    @Override
    public String describe() {
        return describe;
    }

    @Override
    public void close() {
        client.close();
    }
}
