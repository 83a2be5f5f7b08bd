package dev.thaw.cli;

import dev.thaw.server.ThawConfig;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * Where code packages and snapshot images live beyond the home, and the key that seals the images: the same for
 * {@code thaw server} and {@code thaw worker}, since every instance and worker must read what the others wrote.
 */
final class SharedStateOptions {
    @Option(names = "--snapshot-key-file", paramLabel = "FILE", description = "The master key that encrypts "
            + "every snapshot's data key; created (mode 0600) when absent (default: $THAW_SNAPSHOT_KEY_FILE, else "
            + "snapshot.key in the home).")
    Path snapshotKeyFile;

    @Option(names = "--object-store", paramLabel = "s3://BUCKET/PREFIX", description = "Keep code packages and "
            + "snapshot images in this S3 bucket too, so that instances sharing --database share them; each host "
            + "fetches what it lacks (default: $THAW_OBJECT_STORE, else the home only).")
    String objectStore;

    @Option(names = "--object-store-endpoint", paramLabel = "URL", description = "An S3-compatible server (MinIO, "
            + "Ceph, S3Proxy), addressed path-style; also where Code.S3Bucket is read from "
            + "(default: $THAW_OBJECT_STORE_ENDPOINT, else AWS's S3).")
    String objectStoreEndpoint;

    @Option(names = "--object-store-access-key", paramLabel = "ID", description = "Access key id for the object "
            + "store, with --object-store-secret-key (default: the AWS SDK's credential chain: AWS_ACCESS_KEY_ID, "
            + "~/.aws/credentials, ...).")
    String objectStoreAccessKey;

    @Option(names = "--object-store-secret-key", paramLabel = "SECRET", description = "Secret access key for the "
            + "object store (default: $THAW_OBJECT_STORE_SECRET_KEY with --object-store-access-key).")
    String objectStoreSecretKey;

    @Option(names = "--cache-size", paramLabel = "SIZE", description = "With --object-store: the most snapshot "
            + "images this host keeps, e.g. 512m or 20g; the least recently used go first (default: 10g).")
    String cacheSize;

    void applyTo(ThawConfig.Builder config, ThawConfig defaults, Function<String, ParameterException> invalid) {
        if (snapshotKeyFile != null) {
            config.snapshotKeyFile(snapshotKeyFile);
        }
        dev.thaw.objects.ObjectStoreSettings d = defaults.objectStore();
        String secret = objectStoreSecretKey != null ? objectStoreSecretKey
                : System.getenv().getOrDefault("THAW_OBJECT_STORE_SECRET_KEY", "");
        if (objectStoreAccessKey != null && secret.isEmpty()) {
            throw invalid.apply("--object-store-access-key needs --object-store-secret-key or $THAW_OBJECT_STORE_SECRET_KEY");
        }
        dev.thaw.objects.ObjectStoreSettings settings = new dev.thaw.objects.ObjectStoreSettings(
                objectStore != null ? objectStore : d.location(),
                objectStoreEndpoint != null ? objectStoreEndpoint : d.endpoint(),
                objectStoreAccessKey != null ? objectStoreAccessKey : d.accessKeyId(),
                objectStoreAccessKey != null ? secret : d.secretAccessKey(),
                d.cacheBytes());
        try {
            if (!settings.location().isEmpty()) {
                dev.thaw.objects.ObjectStoreSettings.S3Location.parse(settings.location());
            }
            if (cacheSize != null) {
                settings = new dev.thaw.objects.ObjectStoreSettings(settings.location(), settings.endpoint(),
                        settings.accessKeyId(), settings.secretAccessKey(),
                        dev.thaw.objects.ObjectStoreSettings.parseSize(cacheSize));
            }
        } catch (IllegalArgumentException e) {
            throw invalid.apply(e.getMessage());
        }
        config.objectStore(settings);
    }
}
