package dev.thaw.objects;

import java.net.URI;
import java.util.Locale;

/**
 * How the object store is reached: {@code location} is empty (the home only) or {@code s3://bucket/prefix};
 * {@code endpoint} is an S3-compatible server's URL (MinIO, Ceph, S3Proxy; path-style), or empty for AWS's own;
 * an empty access key id means the AWS SDK's default credential chain. {@code cacheBytes} bounds the host's cache
 * of fetched snapshot images.
 */
public record ObjectStoreSettings(String location, String endpoint, String accessKeyId, String secretAccessKey,
                                  long cacheBytes) {
    public static final long DEFAULT_CACHE_BYTES = 10L << 30;

    public static ObjectStoreSettings homeOnly() {
        return new ObjectStoreSettings("", "", "", "", DEFAULT_CACHE_BYTES);
    }

    /** Where the settings ask for an S3 client: an s3:// store, or an endpoint for Code.S3Bucket alone. */
    public boolean usesS3() {
        return !location.isEmpty() || !endpoint.isEmpty();
    }

    /** The bucket and key prefix of an {@code s3://bucket/prefix} location. */
    public record S3Location(String bucket, String prefix) {
        public static S3Location parse(String location) {
            URI uri;
            try {
                uri = URI.create(location);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--object-store must be s3://BUCKET/PREFIX, not " + location);
            }
            if (!"s3".equals(uri.getScheme()) || uri.getHost() == null || uri.getHost().isEmpty()) {
                throw new IllegalArgumentException("--object-store must be s3://BUCKET/PREFIX, not " + location);
            }
            String prefix = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
            return new S3Location(uri.getHost(), prefix.isEmpty() ? "" : prefix + "/");
        }
    }

    /** Parses 512m, 20g, 1t or a number of bytes. */
    public static long parseSize(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        switch (last) {
            case 'k' -> unit = 1L << 10;
            case 'm' -> unit = 1L << 20;
            case 'g' -> unit = 1L << 30;
            case 't' -> unit = 1L << 40;
            default -> {
            }
        }
        String number = unit == 1 ? t : t.substring(0, t.length() - 1);
        try {
            long n = Long.parseLong(number);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("a size is a number of bytes or ends in k, m, g or t, not " + text);
        }
    }

    /** Opens the store these settings name. */
    public ObjectStore open(String region) {
        if (!usesS3()) {
            return ObjectStore.homeOnly();
        }
        return S3ObjectStore.open(this, region);
    }
}
